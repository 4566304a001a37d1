from __future__ import annotations

import pytest
from typer.testing import CliRunner

from costcalc.cli import app


class Run:
    """Invoke the CLI in-process; ``out``/``err`` are stdout and stderr, ``code`` the exit."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        result = self.runner.invoke(app, list(args), env=env)
        result.out, result.err, result.code = result.stdout, result.stderr, result.exit_code
        return result


@pytest.fixture
def cli() -> Run:
    return Run()


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests never read or write the user's cache of parsed data files."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COSTCALC_CACHE_DIR", str(tmp_path_factory.mktemp("costcalc-cache")))
    mp.delenv("COSTCALC_NO_CACHE", raising=False)
    yield
    mp.undo()
