"""The package's rooms (issue 17): subpackages split by job stay visible to what keys on
the package's code, and their public API stays where the CLI and tests import it."""

from __future__ import annotations

from pathlib import Path

import costcalc
from costcalc import cache

PACKAGE = Path(costcalc.__file__).resolve().parent


def test_the_cache_key_covers_every_module_of_every_subpackage() -> None:
    """A parsed-data cache is keyed on the code that parsed it: editing the profile parser
    (now ``profiles/parse.py``) must make the cache stale, as editing ``profiles.py`` did."""
    stamped = {part.split(":")[0] for part in cache._code_stamp()}
    modules = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts and "data" not in p.relative_to(PACKAGE).parts
    }
    assert {"profiles/parse.py", "sweeps/build.py", "render/fmt.py"} <= modules
    assert modules <= stamped, sorted(modules - stamped)


def test_the_packages_expose_what_their_users_import() -> None:
    from costcalc import profiles, sweeps

    for name in profiles.__all__:
        assert getattr(profiles, name) is not None, name
    for name in sweeps.__all__:
        assert getattr(sweeps, name) is not None, name
    # the same objects as in the rooms that define them, not copies
    assert profiles.Catalog is profiles.catalog.Catalog
    assert sweeps.sweep is sweeps.api.sweep


def test_the_budget_package_exposes_what_its_users_import() -> None:
    """``budget.py`` split by job (plan, report, totals, baseline, verdicts, files): the
    CLI, the renderers and the tests still find every name at ``costcalc.budget``."""
    from costcalc import budget

    for name in budget.__all__:
        assert getattr(budget, name) is not None, name
    assert budget.check is budget.verdicts.check
    assert budget.parse_plan is budget.plan.parse_plan
    assert budget.load_baseline is budget.baseline.load_baseline
    assert {"budget/plan.py", "budget/verdicts.py", "budget/files.py"} <= {
        part.split(":")[0] for part in cache._code_stamp()
    }
