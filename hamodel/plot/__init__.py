"""Figures, drawn from the same model objects that are solved.

One module per figure family:

* :mod:`~hamodel.plot.frequency`: frequency-duration chart, incidents vs
  outages, point availability A(t), outage-length survival curve;
* :mod:`~hamodel.plot.diagrams`: state diagram of any model's CTMC, block
  diagram of any block tree; :mod:`~hamodel.plot.lumped`: the state diagram
  of a large chain with its states grouped by role;
* :mod:`~hamodel.plot.breakdown`: per-tier breakdown of a stack, designs
  compared side by side;
* :mod:`~hamodel.plot.sensitivity`: tornado chart;
* :mod:`~hamodel.plot.slo`: downtime in a window against its error budget, and
  the chance of breaking an SLO against its target;
* :mod:`~hamodel.plot.hourly`: outages and their cost by hour of the day;
* :mod:`~hamodel.plot.costs`: yearly cost of designs against the cost of an
  hour down (break-even);
* :mod:`~hamodel.plot.crossover_plot`: designs swept over a parameter against a
  reference design, with the values where they cross;
* :mod:`~hamodel.plot.timeline`: one simulated year as a calendar of outages
  and pages, nights and weekends shaded; the spread of simulated years.

Every function is ``plot_x(obj, ax=None, **kwargs) -> Axes``: with
``ax=None`` it opens exactly one new figure, with an Axes it draws there and
opens none. Nothing calls ``plt.show()`` or prints, and matplotlib is
imported only when a figure is drawn, so ``import hamodel`` stays free of
``matplotlib.pyplot``.
"""

from .breakdown import *  # noqa: F401,F403
from .breakdown import __all__ as _breakdown_all
from .costs import *  # noqa: F401,F403
from .costs import __all__ as _costs_all
from .crossover_plot import *  # noqa: F401,F403
from .crossover_plot import __all__ as _crossover_plot_all
from .diagrams import *  # noqa: F401,F403
from .diagrams import __all__ as _diagrams_all
from .frequency import *  # noqa: F401,F403
from .frequency import __all__ as _frequency_all
from .hourly import *  # noqa: F401,F403
from .hourly import __all__ as _hourly_all
from .lumped import *  # noqa: F401,F403
from .lumped import __all__ as _lumped_all
from .sensitivity import *  # noqa: F401,F403
from .sensitivity import __all__ as _sensitivity_all
from .slo import *  # noqa: F401,F403
from .slo import __all__ as _slo_all
from .timeline import *  # noqa: F401,F403
from .timeline import __all__ as _timeline_all

__all__ = [*_frequency_all, *_diagrams_all, *_breakdown_all, *_sensitivity_all,
           *_slo_all, *_hourly_all, *_costs_all, *_crossover_plot_all, *_lumped_all,
           *_timeline_all]
