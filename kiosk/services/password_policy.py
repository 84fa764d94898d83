"""Which staff passwords are refused, and why, in a sentence the officer understands.

NIST SP 800-63B §3.1.1.2 asks verifiers to compare a new password "against a list that contains values
known to be commonly-used, expected, or compromised", including "context-specific words, such as the
name of the service, the username, and derivatives thereof". Ours: at least 12 characters; not one of
the 10,000 most common passwords (resources/passwords, its source in SOURCE.md), also once leading and
trailing digits and punctuation are taken off; not built from the username or the station; not all of
one character class (only letters of one case, only digits, only symbols).
"""

from __future__ import annotations

import functools
import string
import unicodedata

from kiosk.support.resources import resource_path

MIN_LENGTH = 12
_STRIP = string.digits + string.punctuation + " "


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resource_path("passwords", "common-10k.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _fold(text: str) -> str:
    """Lower case, accents and đ dropped, only letters and digits: 'Công-an.Phường' → 'congan phuong' joined."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text.lower() if c.isalnum() and not unicodedata.combining(c))


def _classes(password: str) -> set[str]:
    classes = set()
    for c in password:
        if c.isdigit():
            classes.add("digit")
        elif c.isalpha():
            classes.add("upper" if c.isupper() else "lower")
        else:
            classes.add("symbol")
    return classes


def password_problems(password: str, username: str = "", context: tuple[str, ...] = ()) -> list[str]:
    """The reasons `password` is refused (Vietnamese), empty when it is acceptable."""
    return [vi for vi, _en in password_refusals(password, username, context)]


def password_refusals(password: str, username: str = "", context: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The reasons `password` is refused, each in Vietnamese and English; empty when it is acceptable.

    `context` holds the station's words (its id and name) that a password must not be built from."""
    if len(password) < MIN_LENGTH:
        return [(f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự.", f"The password needs at least {MIN_LENGTH} characters.")]
    problems = []
    lowered = password.lower()
    common = common_passwords()
    core = lowered.strip(_STRIP)
    if lowered in common or (len(core) >= 4 and core in common):
        problems.append(("Mật khẩu này nằm trong danh sách mật khẩu phổ biến mà kẻ gian thử đầu tiên; hãy chọn khác.",
                         "This password is on the list of common passwords attackers try first; choose another."))
    folded = _fold(password)
    words = [(username, "tên đăng nhập", "the username"),
             *((c, "tên hoặc mã của trạm", "the station's name or code") for c in context)]
    for word, what_vi, what_en in words:
        word = _fold(word)
        if len(word) >= 3 and (word in folded or (len(folded) >= 3 and folded in word)):
            problems.append((f"Mật khẩu không được dựa trên {what_vi}.", f"The password must not be built from {what_en}."))
            break
    if len(_classes(password)) < 2:
        problems.append(("Mật khẩu cần trộn ít nhất hai loại ký tự (chữ thường, chữ hoa, chữ số, ký hiệu).",
                         "The password needs at least two kinds of characters (lower case, upper case, digits, "
                         "symbols)."))
    return problems
