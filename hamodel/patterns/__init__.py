"""High-availability building blocks, each generated as an exact CTMC.

One module per pattern: failover (active/standby pairs), quorum (majority
clusters), two_node (two-node clusters, their tie-breakers and fencing),
replicas (read replicas), kofn (the chain of a k-of-n group whose units share
crews or a common cause, built for :func:`hamodel.k_of_n`) and cluster (n nodes
tracked one by one, ``2**n`` states, built with numpy bit operations). The
shared state-space generator is in ``_build``.
"""

from .cluster import *  # noqa: F401,F403
from .cluster import __all__ as _cluster_all
from .failover import *  # noqa: F401,F403
from .failover import __all__ as _failover_all
from .quorum import *  # noqa: F401,F403
from .quorum import __all__ as _quorum_all
from .replicas import *  # noqa: F401,F403
from .replicas import __all__ as _replicas_all
from .two_node import *  # noqa: F401,F403
from .two_node import __all__ as _two_node_all

__all__ = [*_failover_all, *_quorum_all, *_two_node_all, *_replicas_all, *_cluster_all]
