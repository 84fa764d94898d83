"""The plaintext of every page a SQLCipher 4 database file and its WAL hold, decrypted here without SQLCipher.

A purge is proven only if the bytes are gone from the file itself: live pages, free pages and old WAL frames.
Scanning the encrypted file for a marker would find nothing either way, so the pages are decrypted first.
SQLCipher 4 defaults (SQLCipher design document, "Database file format"): pages of 4096 bytes; each page ends
with a reserve of 80 bytes, a 16-byte random IV followed by a 64-byte HMAC-SHA512; the rest of the page is
AES-256-CBC ciphertext; page 1 starts with the 16-byte salt in clear instead of the SQLite header string. A raw
key given as x'…' (64 hex digits) is the AES key itself. WAL (SQLite file format §4.1): a 32-byte header, then
frames of a 24-byte header and one page, encrypted like a page of the main file.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80  # 16-byte IV + 64-byte HMAC-SHA512
SALT = 16
WAL_HEADER, FRAME_HEADER = 32, 24


def decrypt_page(page: bytes, key: bytes, first: bool) -> bytes:
    iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
    body = page[SALT if first else 0:PAGE - RESERVE]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def main_pages(path: Path, key: bytes) -> list[bytes]:
    data = path.read_bytes()
    return [decrypt_page(data[i:i + PAGE], key, i == 0) for i in range(0, len(data) - PAGE + 1, PAGE)]


def wal_pages(path: Path, key: bytes) -> list[bytes]:
    if not path.exists():
        return []
    data = path.read_bytes()
    out, at = [], WAL_HEADER
    while at + FRAME_HEADER + PAGE <= len(data):
        number = int.from_bytes(data[at:at + 4], "big")
        out.append(decrypt_page(data[at + FRAME_HEADER:at + FRAME_HEADER + PAGE], key, number == 1))
        at += FRAME_HEADER + PAGE
    return out


def plaintext(db_path: Path, key: bytes) -> bytes:
    """Every decrypted page of the database file and of its WAL, concatenated."""
    wal = db_path.with_name(db_path.name + "-wal")
    return b"".join(main_pages(db_path, key) + wal_pages(wal, key))
