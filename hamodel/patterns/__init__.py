"""High-availability building blocks, each generated as an exact CTMC.

One module per pattern: failover (active/standby pairs), quorum (majority
clusters), two_node (two-node clusters, their tie-breakers and fencing) and
replicas (read replicas). The shared state-space generator is in ``_build``.
"""

from .failover import *  # noqa: F401,F403
from .failover import __all__ as _failover_all
from .quorum import *  # noqa: F401,F403
from .quorum import __all__ as _quorum_all
from .replicas import *  # noqa: F401,F403
from .replicas import __all__ as _replicas_all
from .two_node import *  # noqa: F401,F403
from .two_node import __all__ as _two_node_all

__all__ = [*_failover_all, *_quorum_all, *_two_node_all, *_replicas_all]
