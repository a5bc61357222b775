"""The user's config file: key remapping by binding id (no Textual here).

    # ~/.config/fincon-tui/config.toml
    [keys]
    accept = "f10,ctrl+s"    # binding id = comma-separated keys, first shown first
    delete = "f8,ctrl+k"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from fincon_tui.paths import APP_NAME


class ConfigError(ValueError):
    """The config file cannot be used; the message says where and why."""


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_keys(path: Path | None) -> tuple[Path, dict[str, str]]:
    """The [keys] table of the config file: binding id -> key list.

    `path` None means the default file, which may be absent; a file named
    on the command line must exist.
    """
    explicit = path is not None
    path = path or default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such file")
        return path, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(data) - {"keys"})
    if unknown:
        raise ConfigError(f"{path}: unknown section {unknown[0]!r} (only [keys] is read)")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"{path}: [keys] must be a table of binding id = \"keys\"")
    for binding_id, value in keys.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: keys.{binding_id} must be a string such as \"f10,ctrl+s\"")
    return path, {binding_id: value.replace(" ", "") for binding_id, value in keys.items()}
