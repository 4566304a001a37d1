from __future__ import annotations

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from costcalc.cli import app

# The suite runs on small, shared machines (2 cores, CI): a slow example is not a bug.
settings.register_profile("costcalc", deadline=None)
settings.load_profile("costcalc")


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


@pytest.fixture(autouse=True)
def _isolated_user_state(tmp_path_factory, monkeypatch) -> None:
    """Tests never read the real home: an empty config directory, no profile path, and a
    working directory without a project file."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COSTCALC_CONFIG_DIR", str(home / "config"))
    monkeypatch.delenv("COSTCALC_PROFILES_PATH", raising=False)
    monkeypatch.chdir(home)


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests never read or write the user's cache of parsed data files."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COSTCALC_CACHE_DIR", str(tmp_path_factory.mktemp("costcalc-cache")))
    mp.delenv("COSTCALC_NO_CACHE", raising=False)
    yield
    mp.undo()
