"""High-availability building blocks, each generated as an exact CTMC.

One module per pattern: failover (active/standby pairs), quorum (majority
clusters, two-node clusters, fencing) and replicas (read replicas).
"""

from .failover import *  # noqa: F401,F403
from .failover import __all__ as _failover_all
from .quorum import *  # noqa: F401,F403
from .quorum import __all__ as _quorum_all
from .replicas import *  # noqa: F401,F403
from .replicas import __all__ as _replicas_all

__all__ = [*_failover_all, *_quorum_all, *_replicas_all]
