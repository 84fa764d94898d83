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


def find_key(data_dir: Path, use_keyring: bool = True, *, key_file_name: str = KEY_FILE_NAME,
             service: str = KEYRING_SERVICE, account: str | None = None) -> DatabaseKey | None:
    """The key kept for the database in `data_dir` (key file, else OS key store), or None; never creates one."""
    key_file = data_dir / key_file_name
    if key_file.exists():
        log.info("database key: from the key file (readable only by its owner)")
        return DatabaseKey(_read_key_file(key_file), "file")
    if use_keyring and _keyring_usable():
        import keyring

        stored = keyring.get_password(service, account or _account(data_dir))
        if stored:
            log.info("database key: from the OS key store")
            return DatabaseKey(bytes.fromhex(stored), "keyring")
    return None


def load_or_create_key(data_dir: Path, database_exists: bool, use_keyring: bool = True, *,
                       key_file_name: str = KEY_FILE_NAME, service: str = KEYRING_SERVICE,
                       account: str | None = None) -> DatabaseKey:
    """Find the key of the database in `data_dir`; create one only when there is no database yet.

    The hub keeps its own database the same way under another key file name, service and account."""
    key_file = data_dir / key_file_name
    account = account or _account(data_dir)
    found = find_key(data_dir, use_keyring, key_file_name=key_file_name, service=service, account=account)
    if found is not None:
        return found
    keyring_ok = use_keyring and _keyring_usable()
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


#: The first word of a recovery-key file (`kiosk backup key`): the database key written out for the safe.
RECOVERY_PREFIX = "KIOSK-RECOVERY-KEY-1"


def recovery_text(raw: bytes, kiosk_id: str) -> str:
    """The key as one line an administrator prints or keeps on a second medium, with a checksum."""
    check = hashlib.sha256(raw).hexdigest()[:8]
    return f"{RECOVERY_PREFIX} {kiosk_id} {raw.hex()} {check}\n"


def parse_recovery(text: str) -> tuple[str, DatabaseKey]:
    """(kiosk id, key) from a recovery-key file; KeyUnavailableError when it is not one or is mistyped."""
    parts = text.split()
    try:
        prefix, kiosk_id, key_hex, check = parts
        raw = bytes.fromhex(key_hex)
    except ValueError:
        raise KeyUnavailableError("not a kiosk recovery key") from None
    if prefix != RECOVERY_PREFIX or len(raw) != 32 or hashlib.sha256(raw).hexdigest()[:8] != check:
        raise KeyUnavailableError("not a kiosk recovery key, or a character of it is wrong")
    return kiosk_id, DatabaseKey(raw, "recovery")


def install_key(data_dir: Path, key: DatabaseKey, use_keyring: bool = True) -> DatabaseKey:
    """Keep `key` for the database in `data_dir` (a restore on a new machine): OS key store, else key file."""
    if use_keyring and _keyring_usable():
        import keyring

        keyring.set_password(KEYRING_SERVICE, _account(data_dir), key.raw.hex())
        log.info("database key: restored into the OS key store")
        return DatabaseKey(key.raw, "keyring")
    key_file = data_dir / KEY_FILE_NAME
    key_file.unlink(missing_ok=True)
    _write_key_file(key_file, key.raw)
    log.warning("database key: no OS key store on this machine; restored into key file %s (mode 600)", key_file)
    return DatabaseKey(key.raw, "file")
