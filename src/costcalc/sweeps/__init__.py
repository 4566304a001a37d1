"""What-if sweeps: grids of scenarios, evaluated in chunks over numpy arrays.

Every input of ``estimate`` can take a list (``8,64,512``) or a range (``30%..60%:4``,
``1e20..1e24:5log``). The resolvers of :mod:`costcalc.estimator` run once per distinct
axis value (a few dozen calls), never per scenario; scenarios are then numbered
0..n-1 (the cartesian product in axis order, the last axis fastest; or, with
``zip_axes``, the axes side by side) and evaluated chunk by chunk from their numbers.
Constraints (``where``), ranking (``sort``/``top``) and Pareto fronts stream over the
chunks with a bounded candidate set, so memory does not grow with the grid.

No I/O here: renderers turn the chunks into text (``costcalc.render.sweep``).

One module per job, imports pointing down: ``limits`` and ``axes`` (what may vary and how
its values are read), ``grid`` (numbering scenarios), ``evaluate`` (the model over
arrays), ``build`` (inputs to a grid), ``rank`` and ``run`` (a query streamed over the
chunks), ``spec`` (spec files), ``settings`` (flags over spec over defaults), ``api``
(:func:`sweep`). This package exposes what the CLI, the renderers and the tests use.
"""

from __future__ import annotations

from costcalc.sweeps.api import SweepResult, collect, sweep
from costcalc.sweeps.axes import INPUTS, OUTPUT_KINDS, Axis, Input, Labels
from costcalc.sweeps.build import BASIS_COLUMNS, SITE_INPUTS, build_grid, check_bounds
from costcalc.sweeps.evaluate import Chunk, evaluate
from costcalc.sweeps.grid import Grid
from costcalc.sweeps.limits import (
    CHUNK,
    MAX_POINTS,
    MAX_SCENARIOS,
    MAX_SORTED,
    SCHEMA,
    WRITE_CHUNK,
)
from costcalc.sweeps.rank import pareto_mask
from costcalc.sweeps.run import Query, Sweep, plan
from costcalc.sweeps.settings import plan_command
from costcalc.sweeps.spec import SPEC_KEYS, read_spec

__all__ = [
    "BASIS_COLUMNS",
    "CHUNK",
    "INPUTS",
    "MAX_POINTS",
    "MAX_SCENARIOS",
    "MAX_SORTED",
    "OUTPUT_KINDS",
    "SCHEMA",
    "SITE_INPUTS",
    "SPEC_KEYS",
    "WRITE_CHUNK",
    "Axis",
    "Chunk",
    "Grid",
    "Input",
    "Labels",
    "Query",
    "Sweep",
    "SweepResult",
    "build_grid",
    "check_bounds",
    "collect",
    "evaluate",
    "pareto_mask",
    "plan",
    "plan_command",
    "read_spec",
    "sweep",
]
