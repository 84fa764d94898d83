"""The database key: from the OS key store where one exists, else a key file readable only by its owner."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

KEYRING_SERVICE = "kiosk-database"
KEY_FILE_NAME = "kiosk.key"


class KeyUnavailableError(Exception):
    """The database exists but its key cannot be found: never replace the database with a new one."""


@dataclass(frozen=True)
class DatabaseKey:
    raw: bytes
    source: str  # "keyring" or "file"

    @property
    def pragma_value(self) -> str:
        """The key in SQLCipher's raw-key form (no key derivation: it is already random)."""
        return f"x'{self.raw.hex()}'"


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail, null
    except Exception:  # keyring absent or broken: fall back to the key file
        return False
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring | null.Keyring)


def _account(data_dir: Path) -> str:
    return hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:24]


def _write_key_file(path: Path, raw: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex())
        fh.flush()
        os.fsync(fh.fileno())


def _read_key_file(path: Path) -> bytes:
    if sys.platform != "win32":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("key file %s is readable by others (mode %o); restricting it to its owner", path, mode)
            path.chmod(0o600)
    text = path.read_text().strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise KeyUnavailableError(f"key file {path} is damaged") from None
    if len(raw) != 32:
        raise KeyUnavailableError(f"key file {path} is damaged")
    return raw


def load_or_create_key(data_dir: Path, database_exists: bool, use_keyring: bool = True, *,
                       key_file_name: str = KEY_FILE_NAME, service: str = KEYRING_SERVICE,
                       account: str | None = None) -> DatabaseKey:
    """Find the key of the database in `data_dir`; create one only when there is no database yet.

    The hub keeps its own database the same way under another key file name, service and account."""
    key_file = data_dir / key_file_name
    account = account or _account(data_dir)
    if key_file.exists():
        log.info("database key: from the key file (readable only by its owner)")
        return DatabaseKey(_read_key_file(key_file), "file")
    keyring_ok = use_keyring and _keyring_usable()
    if keyring_ok:
        import keyring

        stored = keyring.get_password(service, account)
        if stored:
            log.info("database key: from the OS key store")
            return DatabaseKey(bytes.fromhex(stored), "keyring")
    if database_exists:
        raise KeyUnavailableError(
            f"the database in {data_dir} exists but its key was found neither in the OS key store "
            f"nor in {key_file}"
        )
    raw = secrets.token_bytes(32)
    if keyring_ok:
        import keyring

        keyring.set_password(service, account, raw.hex())
        log.info("database key: created and stored in the OS key store")
        return DatabaseKey(raw, "keyring")
    _write_key_file(key_file, raw)
    log.warning("database key: no OS key store on this machine; created key file %s (mode 600)", key_file)
    return DatabaseKey(raw, "file")
