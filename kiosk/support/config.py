"""Typed settings: defaults < user TOML < KIOSK_* environment < command line; the machine file locks.

The user file lives in the platform's config folder (platformdirs). The machine-wide file
(`/etc/kiosk/kiosk.toml` on Linux, `%PROGRAMDATA%\\kiosk\\kiosk.toml` on Windows, or
`KIOSK_MACHINE_CONFIG`) holds values an administrator sets for every user; a key listed in its
`locked` array cannot be overridden by the user file, the environment or the command line.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

APP_NAME = "kiosk"

PRINTER_KINDS = ("pdf", "system", "escpos")
LANGUAGES = ("vi", "en")
MODES = ("staff", "selfservice", "hall_display")


VEHICLE_FEE_AREAS = ("area_1", "area_2", "area_3")


class SettingsError(Exception):
    """A settings file or variable holds a value of the wrong type or outside its choices."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the kiosk, typed. Field metadata `choices` restricts a value."""

    data_dir: Path = field(default_factory=lambda: default_data_dir())
    demo: bool = False
    mode: str = field(default="staff", metadata={"choices": MODES})
    language: str = field(default="vi", metadata={"choices": LANGUAGES})
    reader_name: str = ""
    printer_kind: str = field(default="pdf", metadata={"choices": PRINTER_KINDS})
    printer_target: str = ""
    hub_url: str = ""
    # A PEM file of the CA that signed the hub's TLS certificate (a station's own CA); empty: the system's store.
    hub_ca_file: str = ""
    station_id: str = "CA-PHUONG-DEMO"
    unit_id: str = "000.00.24.H57"
    unit_name: str = "Công an phường Demo"
    parent_agency: str = "Công an Thành phố Hà Nội"
    staff_idle_timeout_s: int = 600
    # A minute without a touch in the hall wipes the citizen's data (an administrator may lock another value).
    selfservice_idle_timeout_s: int = 60
    # The counter this PC is (shown on the hall display) and the queue groups it calls (letters; empty: all).
    counter_name: str = "Quầy 1"
    queue_groups: str = ""
    # Minutes a ticket takes at a counter before the day has its own measurements (the wait estimate).
    queue_minutes_per_ticket: int = 8
    log_level: str = field(default="INFO", metadata={"choices": ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR")})
    use_keyring: bool = True
    # Days a VNeID request's portrait stays on the kiosk after the hub acknowledged it (0 = at once).
    portrait_retention_days: int = field(default=0, metadata={"min": 0})
    # Retention of personal data on the kiosk (kiosk.services.retention, where each default's legal source is):
    # dossier scans and photos, days after the dossier ended (returned, refused, withdrawn) and the hub holds it;
    retention_scans_days: int = field(default=90, metadata={"min": 0})
    # queue drafts of the hall kiosk, days after the day they were made (0 = at that day's end);
    retention_queue_drafts_days: int = field(default=0, metadata={"min": 0})
    # the kiosk's rotating log files, days after they were last written.
    retention_log_days: int = field(default=90, metadata={"min": 1})
    # Daily encrypted backup (kiosk.services.backup): the folder (a USB disk or a network share; empty = the
    # data folder's "backups"), how many to keep, and whether the running kiosk makes it by itself.
    backup_dir: str = ""
    backup_keep: int = field(default=7, metadata={"min": 1})
    backup_daily: bool = True
    # Per-province values the catalog reads (lock them in the machine file): the minimum floor area per
    # person for permanent residence in rented or borrowed homes (Residence Law 2020 Art. 20(3)(b): 8 m²
    # unless the province sets more), and the station's vehicle-fee area (Circular 60/2023/TT-BTC) as
    # re-drawn after the 2025 merger of provinces and communes.
    min_floor_area_m2: int = 8
    vehicle_fee_area: str = field(default="area_1", metadata={"choices": VEHICLE_FEE_AREAS})

    @property
    def province(self) -> dict[str, Any]:
        """The per-province values the catalog's fields and rules read (`Field.setting`, `value_setting`)."""
        return {"min_floor_area_m2": self.min_floor_area_m2, "vehicle_fee_area": self.vehicle_fee_area}

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backup_folder(self) -> Path:
        return Path(self.backup_dir).expanduser() if self.backup_dir else self.data_dir / "backups"

    @property
    def pdf_dir(self) -> Path:
        return Path(self.printer_target) if self.printer_kind == "pdf" and self.printer_target else self.data_dir / "printed"


@dataclass(frozen=True)
class LoadedSettings:
    """Settings together with where each value came from and which keys are locked."""

    settings: Settings
    sources: dict[str, str]
    locked: frozenset[str]
    user_file: Path
    machine_file: Path

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(Settings):
            value = getattr(self.settings, f.name)
            out[f.name] = {
                "value": str(value) if isinstance(value, Path) else value,
                "source": self.sources[f.name],
                "locked": f.name in self.locked,
            }
        return {"settings": out, "user_file": str(self.user_file), "machine_file": str(self.machine_file)}


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_file() -> Path:
    override = os.environ.get("KIOSK_CONFIG_FILE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "kiosk.toml"


def machine_config_file() -> Path:
    override = os.environ.get("KIOSK_MACHINE_CONFIG")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / APP_NAME / "kiosk.toml"
    return Path("/etc") / APP_NAME / "kiosk.toml"


def _coerce(name: str, raw: Any, origin: str) -> Any:
    f = {f.name: f for f in fields(Settings)}.get(name)
    if f is None:
        raise SettingsError(f"{origin}: unknown setting '{name}'")
    kind = f.type
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).strip().lower() in ("1", "true", "yes", "on"):
                value = True
            elif str(raw).strip().lower() in ("0", "false", "no", "off", ""):
                value = False
            else:
                raise ValueError(raw)
        elif kind == "int":
            if isinstance(raw, bool):
                raise ValueError(raw)
            value = int(raw)
        elif kind == "Path":
            value = Path(str(raw)).expanduser()
        else:
            if not isinstance(raw, str | int | float):
                raise ValueError(raw)
            value = str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{origin}: '{name}' expects {kind}, got {raw!r}") from None
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise SettingsError(f"{origin}: '{name}' must be one of {', '.join(choices)}, got {value!r}")
    minimum = f.metadata.get("min")
    if minimum is not None and value < minimum:
        raise SettingsError(f"{origin}: '{name}' must be at least {minimum}, got {value!r}")
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def load_settings(cli_overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> LoadedSettings:
    """Resolve every setting from its sources; raises SettingsError naming the bad source and key."""
    environ = dict(os.environ if environ is None else environ)
    user_file, machine_file = user_config_file(), machine_config_file()
    values: dict[str, Any] = {}
    sources = {f.name: "default" for f in fields(Settings)}

    machine = _read_toml(machine_file)
    locked_raw = machine.pop("locked", [])
    if not isinstance(locked_raw, list) or not all(isinstance(k, str) for k in locked_raw):
        raise SettingsError(f"{machine_file}: 'locked' must be a list of setting names")
    machine_values = dict(machine.get("settings", {}))
    locked = frozenset(locked_raw)

    def apply(layer: dict[str, Any], origin: str) -> None:
        for name, raw in layer.items():
            value = _coerce(name, raw, origin)
            if name in locked and origin != str(machine_file):
                continue
            values[name] = value
            sources[name] = origin

    for name in locked:
        _coerce(name, machine_values.get(name, getattr(Settings(), name, None)), str(machine_file))
    apply(machine_values, str(machine_file))
    apply(_read_toml(user_file).get("settings", {}), str(user_file))
    apply(
        {f.name: environ[f"KIOSK_{f.name.upper()}"] for f in fields(Settings) if f"KIOSK_{f.name.upper()}" in environ},
        "environment",
    )
    apply({k: v for k, v in (cli_overrides or {}).items() if v is not None}, "command line")

    settings = Settings(**values)
    if settings.demo and sources["data_dir"] == "default":
        settings = settings.replace(data_dir=settings.data_dir / "demo")
    return LoadedSettings(settings, sources, locked, user_file, machine_file)


def save_user_setting(name: str, value: Any, loaded: LoadedSettings) -> None:
    """Persist one setting in the user file (refused when the machine file locks it)."""
    import tomli_w

    if name in loaded.locked:
        raise SettingsError(f"'{name}' is locked by the administrator ({loaded.machine_file})")
    value = _coerce(name, value, "user")
    data = _read_toml(loaded.user_file)
    data.setdefault("settings", {})[name] = str(value) if isinstance(value, Path) else value
    loaded.user_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = loaded.user_file.with_suffix(".tmp")
    tmp.write_bytes(tomli_w.dumps(data).encode())
    tmp.replace(loaded.user_file)
