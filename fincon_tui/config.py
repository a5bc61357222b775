"""The user's config file: key remapping by binding id, and where the
password key file is (no Textual here).

    # ~/.config/fincon-tui/config.toml
    [keys]
    accept = "f10,ctrl+s"    # binding id = comma-separated keys, first shown first
    delete = "f8,ctrl+k"

    [passwords]
    key_file = "/srv/fincon/fincon.key"   # shared by a group of admins
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fincon_tui._exceptions import ConfigError
from fincon_tui.domain.documents import parse_toml
from fincon_tui.domain.visible import shown
from fincon_tui.folders import private_folder
from fincon_tui.paths import APP_NAME

KEY_FILE_ENV = "FINCON_TUI_KEY_FILE"


@dataclass(frozen=True)
class Config:
    path: Path
    keys: dict[str, str] = field(default_factory=dict)
    key_file: Path | None = None


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def _read(path: Path | None) -> tuple[Path, dict[str, Any]]:
    explicit = path is not None
    path = path or default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such file")
        return path, {}
    try:
        data = parse_toml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it ({error})") from None
    except ValueError as error:  # not valid TOML, or nested too deeply
        raise ConfigError(f"{path} {error}") from None
    unknown = sorted(set(data) - {"keys", "passwords"})
    if unknown:
        raise ConfigError(f"{path}: unknown section {shown(repr(unknown[0]))} (only [keys] and [passwords] are read)")
    return path, data


def load_config(path: Path | None) -> Config:
    """The config file's settings; $FINCON_TUI_KEY_FILE overrides key_file.

    `path` None means the default file, which may be absent; a file named
    on the command line must exist."""
    path, data = _read(path)
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"{path}: [keys] must be a table of binding id = \"keys\"")
    for binding_id, value in keys.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: keys.{binding_id} must be a string such as \"f10,ctrl+s\"")
    passwords = data.get("passwords", {})
    if not isinstance(passwords, dict) or set(passwords) - {"key_file"}:
        raise ConfigError(f"{path}: [passwords] takes only key_file = \"/path/to/key/file\"")
    key_file = os.environ.get(KEY_FILE_ENV) or passwords.get("key_file")
    if key_file is not None and (not isinstance(key_file, str) or not key_file.strip()):
        raise ConfigError(f"{path}: passwords.key_file must be a path in quotes")
    return Config(
        path,
        {binding_id: value.replace(" ", "") for binding_id, value in keys.items()},
        Path(key_file).expanduser() if key_file else None,
    )


def load_keys(path: Path | None) -> tuple[Path, dict[str, str]]:
    """The [keys] table of the config file: binding id -> key list."""
    config = load_config(path)
    return config.path, config.keys


def remember_key_file(path: Path, key_file: Path) -> bool:
    """Add `[passwords] key_file` to the config file at `path` if it has no
    [passwords] table yet; False if it has one (then the admin edits it)."""
    import json

    data = _read(path)[1] if path.exists() else {}
    if "passwords" in data:
        return False
    private_folder(path.parent)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    separator = "\n" if existing and not existing.endswith("\n") else ""
    path.write_text(f'{existing}{separator}\n[passwords]\nkey_file = {json.dumps(str(key_file))}\n', encoding="utf-8")
    return True
