"""The hub's own signing key, and the ASGI layer that signs every answer with it.

Kiosks pin the hub's public key when they enrol (`kiosk.wire.protocol.enrol_proof` lets them check it
against the enrolment code) and refuse any answer it did not sign, so a machine on the path can neither
inject station keys nor change a status or a block. The key is kept like the hub's database key: the OS
key store when there is one, else a key file readable only by its owner (beside the SQLite file; for
PostgreSQL in the hub's data folder), or the file `--signing-key` / KIOSK_HUB_SIGNING_KEY names (replicas on
several hosts share one file). The database records the key's id at first use: a replica that comes up
with another key refuses to start instead of signing answers every enrolled kiosk would refuse.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.wire import protocol

log = logging.getLogger(__name__)

ENV_SIGNING_KEY = "KIOSK_HUB_SIGNING_KEY"
KEYRING_SERVICE = "kiosk-hub-signing"
META_KEY_ID = "signing_key_id"


@dataclass(frozen=True)
class HubSigner:
    private: Ed25519PrivateKey
    source: str = "memory"

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return protocol.b64u(self.public_raw)

    @property
    def key_id(self) -> str:
        return protocol.key_id(self.public_raw)

    @property
    def fingerprint(self) -> str:
        return protocol.fingerprint(self.public_raw)

    def sign(self, status: int, method: str, path_qs: str, nonce: str, body: bytes) -> str:
        return protocol.b64u(self.private.sign(protocol.answer_input(status, method, path_qs, nonce, body)))

    def describe(self) -> dict[str, str]:
        return {"public_key": self.public_b64, "key_id": self.key_id, "fingerprint": self.fingerprint}

    @classmethod
    def generate(cls) -> HubSigner:
        return cls(Ed25519PrivateKey.generate(), "memory")


class SigningKeyError(Exception):
    """The hub's signing key cannot be used as asked; `message_vi` says why in plain words."""

    def __init__(self, reason: str, message_vi: str) -> None:
        super().__init__(reason)
        self.reason, self.message_vi = reason, message_vi


def _key_location(db: Any, explicit: str | None) -> tuple[Path, str, bool] | None:
    """(folder, file name, ours: may use the key store and close the folder) of the signing key; None for a
    database in memory."""
    path = explicit or os.environ.get(ENV_SIGNING_KEY)
    if path:
        target = Path(path).expanduser()
        return target.parent, target.name, False
    location = getattr(db, "location", None)
    if location is not None:
        return location.parent, f"{location.stem}-signing.key", True
    if db.dialect == "sqlite":
        return None
    from kiosk.hub.db import default_sqlite_path

    return default_sqlite_path().parent, "hub-signing.key", True


def load_signer(db: Any, explicit: str | None = None) -> HubSigner:
    """The hub's signing key for this database: found, or created on the database's first use, and checked
    against the key id the database recorded (see the module's docstring)."""
    from sqlalchemy import select

    from kiosk.hub.models import HubMeta

    with db.sessions() as s:
        recorded = s.scalar(select(HubMeta.value).where(HubMeta.key == META_KEY_ID))
    where = _key_location(db, explicit)
    if where is None:
        if recorded:
            raise SigningKeyError("signing_key_missing", "Cơ sở dữ liệu trong bộ nhớ không giữ được khóa ký của máy chủ.")
        signer = HubSigner.generate()
    else:
        signer = _load(*where, recorded is not None)
    if recorded is None:
        from kiosk.hub.db import insert_ignore

        with db.transaction() as s:
            insert_ignore(s, HubMeta, {"key": META_KEY_ID, "value": signer.key_id})
        with db.sessions() as s:
            recorded = s.scalar(select(HubMeta.value).where(HubMeta.key == META_KEY_ID))
        log.info("hub signing key %s (fingerprint %s) recorded for this database", signer.key_id, signer.fingerprint)
    if recorded != signer.key_id:
        raise SigningKeyError(
            "signing_key_mismatch",
            f"Khóa ký của máy chủ ({signer.key_id}) không phải khóa mà cơ sở dữ liệu này đã dùng ({recorded}): các "
            "kiosk đã đăng ký sẽ từ chối mọi câu trả lời. Chép tệp khóa ký của máy chủ đầu tiên sang máy này "
            f"(--signing-key hoặc {ENV_SIGNING_KEY}).")
    return signer


def _load(folder: Path, name: str, ours: bool, must_exist: bool) -> HubSigner:
    from kiosk.db.keys import KeyUnavailableError, load_or_create_key
    from kiosk.hub.db import _account, _use_keyring
    from kiosk.support.safefiles import private_folder, tighten_file

    folder = private_folder(folder, tighten=ours)  # an operator's folder (/etc/kiosk-hub) is theirs to set
    for attempt in range(20):
        try:
            key = load_or_create_key(folder, must_exist, ours and _use_keyring(), key_file_name=name,
                                     service=KEYRING_SERVICE, account=_account(folder / name))
            break
        except FileExistsError:  # another replica on this host created it a moment ago
            time.sleep(0.05)
        except KeyUnavailableError as exc:
            if attempt < 19 and "damaged" in str(exc):  # being written by another replica right now
                time.sleep(0.05)
                continue
            raise SigningKeyError(
                "signing_key_missing",
                f"Không tìm thấy khóa ký của máy chủ ({folder / name}) mà cơ sở dữ liệu đã dùng; không tạo khóa "
                "mới vì các kiosk đã ghim khóa cũ. Khôi phục tệp khóa từ bản sao lưu.") from exc
    else:
        raise SigningKeyError("signing_key_missing", f"Không đọc được khóa ký của máy chủ ({folder / name}).")
    tighten_file(folder / name)
    return HubSigner(Ed25519PrivateKey.from_private_bytes(key.raw), key.source)


Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class SignedAnswers:
    """ASGI middleware outside everything else: holds each answer until its body is complete, then sends it
    with the hub's signature over the status, the request's method, path, query and nonce and the body."""

    def __init__(self, app: Callable[..., Awaitable[None]], signer: HubSigner) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        path_qs = (raw + (b"?" + query if query else b"")).decode("latin-1")
        nonce = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == protocol.H_NONCE.encode()), "")
        start: Message | None = None
        chunks: list[bytes] = []

        async def signing_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            signature = self.signer.sign(start["status"], scope["method"], path_qs, nonce, body)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers += [(b"content-length", str(len(body)).encode()),
                        (protocol.H_HUB_SIGNATURE.encode(), signature.encode()),
                        (protocol.H_HUB_KEY_ID.encode(), self.signer.key_id.encode())]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, signing_send)
