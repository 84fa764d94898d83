"""Cryptographic primitives of ICAO 9303-11 shared by the inspection system and the virtual chip.

Only primitives live here (key derivation, 3DES-CBC, retail MAC, ISO 9797-1 padding, check
digits); protocol state machines (BAC, secure messaging, AA, CA) build on them.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ZERO_IV8 = bytes(8)

#: Key derivation counter values (ICAO 9303-11 §9.7.1).
KDF_ENC = 1
KDF_MAC = 2


def check_digit(text: str) -> int:
    """ICAO 9303-3 §4.9 check digit (weights 7, 3, 1; `<` counts 0, A=10 … Z=35)."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            value = ord(ch) - 48
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"character {ch!r} is not allowed in an MRZ field")
        total += value * (7, 3, 1)[i % 3]
    return total % 10


def adjust_parity(key: bytes) -> bytes:
    """Set the DES odd-parity bit of every byte."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") + 1) % 2)
    return bytes(out)


def kdf_3des(k_seed: bytes, counter: int) -> bytes:
    """Derive a 16-byte 2-key 3DES key from a seed (ICAO 9303-11 §9.7.1.1)."""
    digest = hashlib.sha1(k_seed + counter.to_bytes(4, "big")).digest()
    return adjust_parity(digest[:16])


def kdf_aes(secret: bytes, counter: int, key_bits: int = 128) -> bytes:
    """Derive an AES key from a shared secret (ICAO 9303-11 §9.7.1.2)."""
    data = secret + counter.to_bytes(4, "big")
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]
    digest = hashlib.sha256(data).digest()
    return digest[: key_bits // 8]


def bac_seed(mrz_information: str) -> bytes:
    """K_seed from the MRZ information (document number, birth, expiry, each with its check digit)."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 2."""
    data = data + b"\x80"
    return data + bytes((-len(data)) % block)


def unpad(data: bytes) -> bytes:
    """Remove ISO/IEC 9797-1 padding method 2; raises ValueError on a malformed pad."""
    idx = data.rstrip(b"\x00")
    if not idx or idx[-1] != 0x80:
        raise ValueError("bad ISO 9797-1 padding")
    return idx[:-1]


def _tdes_key(key: bytes) -> bytes:
    return key + key[:8] if len(key) == 16 else key


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV8) -> bytes:
    enc = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV8) -> bytes:
    dec = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def _des_ecb(key8: bytes, block: bytes, encrypt: bool) -> bytes:
    # Single DES = 3DES with K1 = K2 = K3.
    cipher = Cipher(TripleDES(key8 * 3), modes.ECB())
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(block) + op.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES; `data` must already be padded."""
    if len(data) % 8:
        raise ValueError("retail MAC input must be padded to 8 bytes")
    ka, kb = key[:8], key[8:16]
    h = ZERO_IV8
    for i in range(0, len(data), 8):
        block = bytes(x ^ y for x, y in zip(h, data[i : i + 8], strict=True))
        h = _des_ecb(ka, block, encrypt=True)
    h = _des_ecb(kb, h, encrypt=False)
    return _des_ecb(ka, h, encrypt=True)


def aes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes, as ICAO 9303-11 §9.8.6.2 uses it."""
    from cryptography.hazmat.primitives.cmac import CMAC

    c = CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()[:8]
