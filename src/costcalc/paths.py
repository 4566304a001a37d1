"""Where costcalc's files live: the user's config directory and profile folder, the
shipped profiles, and how a place that cannot be read is skipped. A leaf: it imports
nothing of costcalc's but errors, so every other module may use it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from costcalc.errors import InputError

USER_FILE = "config.yaml"


def expand_place(text: str, where: str) -> Path:
    """``text`` as a path with ``~`` and ``~user`` expanded; a user or home directory that
    does not exist is an :class:`InputError` located at ``where``."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # "~nouser", or "~" with no HOME and no password entry
        user = text.split("/", 1)[0]
        raise InputError(f"cannot expand '{user}': no such user or home directory", where) from None


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The user's costcalc config directory (``COSTCALC_CONFIG_DIR`` overrides it).

    Raises :class:`InputError` when it cannot be named (``~nouser``, no home directory):
    readers skip the config directory with a warning (:func:`optional_place`), writers
    (``calibrate``, ``profiles new``) report it."""
    env = os.environ if env is None else env
    override = env.get("COSTCALC_CONFIG_DIR")
    if override:
        return expand_place(override, "COSTCALC_CONFIG_DIR")
    try:
        found = _user_config_dir()
    except (RuntimeError, KeyError, OSError):
        found = ""
    if not os.path.isabs(found):  # no home directory to put it in
        raise InputError(
            "cannot find the home directory for the config directory; set COSTCALC_CONFIG_DIR",
            "config directory",
        )
    return Path(found)


def _user_config_dir() -> str:
    """platformdirs' user config directory; on Linux its XDG rule without its import
    (~3 ms of every command, as costcalc.cache does for the cache directory)."""
    if not sys.platform.startswith("linux"):
        import platformdirs

        return platformdirs.user_config_dir("costcalc", appauthor=False)
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, "costcalc")
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):  # unset or relative: the password database's
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    return os.path.join(home, ".config", "costcalc")


def user_config_file(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / USER_FILE


def user_profiles_dir(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "profiles"


def optional_place(
    find: Callable[[], Path], test: Callable[[Path], bool], what: str, warnings: list[str]
) -> Path | None:
    """``find()`` when it can be named and passes ``test`` (``Path.is_file``,
    ``Path.is_dir``); None when it does not exist. A place that cannot be named or read
    (no such user, permission denied, a FIFO in the way) is skipped with a warning:
    an optional place never stops a command."""
    try:
        path = find()
    except InputError as e:
        warnings.append(f"{e}; {what} skipped")
        return None
    try:
        return path if test(path) else None
    except (OSError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        warnings.append(f"{path}: cannot read the {what} ({why}); skipped")
        return None


def shipped_dir() -> Path:
    """The profiles shipped with costcalc (inside the wheel, or the source checkout)."""
    inside = Path(__file__).resolve().parent / "hardware_profiles"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "hardware_profiles"
