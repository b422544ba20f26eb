"""hamodel: availability models of high-availability designs.

Markov (CTMC) and reliability-block models that report every answer as
frequency and duration: outages per year, how long they last, downtime per
year, component incidents per year and time spent with redundancy lost.

Import it as ``import hamodel as hm``; every public name lives here.
"""

from .blocks import *  # noqa: F401,F403
from .blocks import __all__ as _blocks_all
from .tables import *  # noqa: F401,F403
from .tables import __all__ as _compare_all
from .component import *  # noqa: F401,F403
from .costs import *  # noqa: F401,F403
from .costs import __all__ as _costs_all
from .component import __all__ as _component_all
from .crossing import *  # noqa: F401,F403
from .crossing import __all__ as _crossover_all
from .ctmc import *  # noqa: F401,F403
from .ctmc import __all__ as _ctmc_all
from .data import *  # noqa: F401,F403
from .data import __all__ as _data_all
from .distributions import *  # noqa: F401,F403
from .distributions import __all__ as _distributions_all
from .empirical import *  # noqa: F401,F403
from .empirical import __all__ as _empirical_all
from .estimation import *  # noqa: F401,F403
from .estimation import __all__ as _estimation_all
from .exercises import *  # noqa: F401,F403
from .exercises import __all__ as _exercises_all
from .lumping import *  # noqa: F401,F403
from .lumping import __all__ as _lumping_all
from .ranking import *  # noqa: F401,F403
from .ranking import __all__ as _importance_all
from .measures import *  # noqa: F401,F403
from .measures import __all__ as _measures_all
from .phasetype import *  # noqa: F401,F403
from .phasetype import __all__ as _phasetype_all
from .patterns import *  # noqa: F401,F403
from .patterns import __all__ as _patterns_all
from .plot import *  # noqa: F401,F403
from .plot import __all__ as _plot_all
from .prism import ModelFileError  # noqa: F401 (CTMC.from_prism/from_explicit/to_explicit)
from .montecarlo import *  # noqa: F401,F403
from .montecarlo import __all__ as _simulate_all
from .stacks import *  # noqa: F401,F403
from .stacks import __all__ as _stacks_all
from .studies import *  # noqa: F401,F403
from .studies import __all__ as _uncertainty_all
from .schedule import *  # noqa: F401,F403
from .schedule import __all__ as _schedule_all
from .hourly import *  # noqa: F401,F403
from .hourly import __all__ as _hourly_all
from .units import *  # noqa: F401,F403
from .units import __all__ as _units_all
from .window import *  # noqa: F401,F403
from .window import __all__ as _window_all

# One version, pyproject.toml's, read from the installed distribution's metadata.
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hamodel")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
del PackageNotFoundError, version

__all__ = [
    *_units_all,
    *_component_all,
    *_distributions_all,
    *_measures_all,
    *_phasetype_all,
    *_ctmc_all,
    *_blocks_all,
    *_importance_all,
    *_lumping_all,
    *_compare_all,
    *_crossover_all,
    *_plot_all,
    *_data_all,
    *_stacks_all,
    *_simulate_all,
    *_empirical_all,
    *_uncertainty_all,
    *_estimation_all,
    *_exercises_all,
    *_patterns_all,
    *_window_all,
    *_schedule_all,
    *_hourly_all,
    *_costs_all,
    "ModelFileError",
]
