"""Results as text, one module per command's results (``estimate``, ``check``, ``sweep``,
``catalog``, ...), all built on :mod:`costcalc.render.fmt`, the one place that says how a
number, a unit, a table or an escaped cell looks.

A front end like ``cli/``: the core never imports it. Import the module you need
(``from costcalc.render import estimate``); this package imports nothing, so that each
command loads only its own renderer.
"""
