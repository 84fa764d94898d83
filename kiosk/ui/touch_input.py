"""Touch input for the hall: an on-screen Vietnamese keyboard and a numpad, each key at least 12 mm.

The keyboard types into the focused line (it never takes the focus itself). Vietnamese marks and tones
are composed by `bogo` (the engine of ibus-bogo): in Telex mode letters compose as Vietnamese typists
expect (`Nguyeenx` → `Nguyễn`); the mark and tone keys apply a circumflex, breve or horn, đ, or one of
the five tones to the word before the cursor, so a citizen who does not know Telex writes `Nguyễn` by
typing `Nguyen`, then ^ and ngã. PySide6 here ships Qt Virtual Keyboard without its layouts (no
Vietnamese), hence this widget (docs/decisions.md).
"""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MIN_TARGET_MM = 12.0
#: Telex keys of the tones: sắc, huyền, hỏi, ngã, nặng (and z to remove one).
TONES = (("s", "◌́", "sắc"), ("f", "◌̀", "huyền"), ("r", "◌̉", "hỏi"), ("x", "◌̃", "ngã"), ("j", "◌̣", "nặng"))
LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGITS = "1234567890"
_WORD_RE = re.compile(r"\S*$")


def touch_px(widget: QWidget | None = None, mm: float = MIN_TARGET_MM) -> int:
    """`mm` millimetres in pixels on the screen the widget is on (its physical resolution, at least 96 dpi)."""
    screen = widget.screen() if widget is not None else QGuiApplication.primaryScreen()
    dpi = max(screen.physicalDotsPerInch() if screen is not None else 96.0, 96.0)
    return int(mm * dpi / 25.4 + 0.999)


def compose(word: str, key: str, telex: bool = True) -> str:
    """The word after one more keystroke: through bogo's Telex rules, or the key appended as it is."""
    if not telex or not key.isalpha():
        return word + key
    import bogo

    # The word so far stands for its raw keys: without it bogo drops a leading consonant ("q" + "u" → "u").
    result = bogo.process_key(word, key, fallback_sequence=word)
    return result[0] if isinstance(result, tuple) else result


def letters(word: str) -> str:
    """The word's letters without any Vietnamese mark or tone (đ counts as d)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def _marks_only(word: str, new: str) -> str:
    """`new` when it differs from `word` only by marks and tones; else `word`: a mark or tone key never types a
    letter (Telex would append its key to a word that cannot take it: "abc" + ngã → "abcx")."""
    return new if letters(new) == letters(word) else word


def mark(word: str, kind: str) -> str:
    """Put a mark on the word: "^" (â ê ô), "w" (ă ơ ư), "d" (đ); unchanged when it takes none."""
    if kind == "^":
        vowel = next((ch for ch in reversed(word.lower()) if ch in "aeo"), None)
        return _marks_only(word, compose(word, vowel)) if vowel else word
    if kind == "d":
        return _marks_only(word, compose(word, "d")) if "d" in word.lower() else word
    return _marks_only(word, compose(word, "w"))


def tone(word: str, telex_key: str) -> str:
    """Put one of the five tones (its Telex key: s f r x j) on the word, or take it off when the word has it
    already (the key pressed twice); unchanged when the word takes none."""
    if not word:
        return word
    from bogo import accent

    tones = {"s": accent.Accent.ACUTE, "f": accent.Accent.GRAVE, "r": accent.Accent.HOOK, "x": accent.Accent.TIDLE,
             "j": accent.Accent.DOT}
    if accent.get_accent_string(word) == tones[telex_key]:
        return accent.remove_accent_string(word)
    return _marks_only(word, compose(word, telex_key))


def _target_widget() -> QWidget | None:
    w = QApplication.focusWidget()
    return w if isinstance(w, QLineEdit | QPlainTextEdit) and not w.isReadOnly() and w.isEnabled() else None


def touch_min_size(button: QPushButton, width_px: int, height_px: int) -> None:
    """A minimum size that the style sheet cannot shrink (an application style sheet's min-width would win over
    setMinimumSize; the widget's own sheet wins over the application's)."""
    button.setMinimumSize(width_px, height_px)
    button.setStyleSheet(f"min-width: {width_px}px; min-height: {height_px}px;")


def _touch(button: QPushButton, parent: QWidget, wide: float = 1.0) -> QPushButton:
    size = touch_px(parent)
    touch_min_size(button, int(size * wide), size)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the line being typed keeps the focus
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return button


class TouchKeyboard(QWidget):
    """Letters, digits, marks and tones, space, backspace, done; types into the focused line of its window."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("touchKeyboard")
        self.telex = True
        self.upper = False
        self.keys: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        rows = [DIGITS, *LETTER_ROWS]
        for r, row in enumerate(rows):
            line = QHBoxLayout()
            if r == 3:
                line.addWidget(self._key("shift", "⇧", self.toggle_shift, 1.4))
            for ch in row:
                line.addWidget(self._key(ch, ch, lambda _c=False, k=ch: self.press(k)))
            if r == 0:
                line.addWidget(self._key("backspace", "⌫", self.backspace, 1.6))
            if r == 3:
                for ch in ".,-/@":
                    line.addWidget(self._key(ch, ch, lambda _c=False, k=ch: self.press(k)))
            layout.addLayout(line)
        viet = QHBoxLayout()
        viet.addWidget(self._key("mark_circumflex", "â ê ô", lambda: self.apply_mark("^"), 1.6))
        viet.addWidget(self._key("mark_horn", "ă ơ ư", lambda: self.apply_mark("w"), 1.6))
        viet.addWidget(self._key("mark_d", "đ", lambda: self.apply_mark("d")))
        for telex_key, glyph, name in TONES:
            viet.addWidget(self._key(f"tone_{name}", glyph.replace("◌", "a"), lambda _c=False, k=telex_key: self.tone(k)))
        layout.addLayout(viet)
        bottom = QHBoxLayout()
        self.telex_button = self._key("telex", "", self.toggle_telex, 2.0)
        self.telex_button.setCheckable(True)
        self.telex_button.setChecked(True)
        bottom.addWidget(self.telex_button)
        bottom.addWidget(self._key("space", "", lambda: self.press(" "), 6.0))
        bottom.addWidget(self._key("done", "", self.done.emit, 2.0))
        layout.addLayout(bottom)
        self.retranslate()

    def _key(self, name: str, text: str, slot, wide: float = 1.0) -> QPushButton:
        button = _touch(QPushButton(text, self), self, wide)
        button.setObjectName(f"key_{name}")
        button.clicked.connect(slot)
        self.keys[name] = button
        return button

    def retranslate(self) -> None:
        self.keys["space"].setText(self.tr("dấu cách"))
        self.keys["done"].setText(self.tr("Xong"))
        self.telex_button.setText(self.tr("Gõ Telex: bật") if self.telex else self.tr("Gõ Telex: tắt"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_telex(self, on: bool) -> None:
        self.telex = on
        self.telex_button.setChecked(on)
        self.retranslate()

    def toggle_telex(self) -> None:
        self.set_telex(not self.telex)

    def toggle_shift(self) -> None:
        self.upper = not self.upper
        for ch in "".join(LETTER_ROWS):
            self.keys[ch].setText(ch.upper() if self.upper else ch)

    def _edit(self, change) -> None:
        """Replace the word before the cursor by `change(word)` in the focused line."""
        target = _target_widget()
        if target is None:
            return
        if isinstance(target, QLineEdit):
            text, pos = target.text(), target.cursorPosition()
            head, tail = text[:pos], text[pos:]
            word = _WORD_RE.search(head).group(0)
            new = change(word)
            if target.maxLength() and len(head) - len(word) + len(new) + len(tail) > target.maxLength():
                return
            target.setText(head[: len(head) - len(word)] + new + tail)
            target.setCursorPosition(len(head) - len(word) + len(new))
        else:
            cursor = target.textCursor()
            block_text = cursor.block().text()[: cursor.positionInBlock()]
            word = _WORD_RE.search(block_text).group(0)
            for _ in word:
                cursor.deletePreviousChar()
            cursor.insertText(change(word))
            target.setTextCursor(cursor)

    def press(self, key: str) -> None:
        """One key: a letter (through Telex when it is on), a digit, a sign or a space."""
        if self.upper and key.isalpha():
            key = key.upper()
            self.toggle_shift()
        if key == " ":
            self._edit(lambda word: word + " ")
            return
        self._edit(lambda word: compose(word, key, self.telex))

    def tone(self, telex_key: str) -> None:
        self._edit(lambda word: tone(word, telex_key))

    def apply_mark(self, kind: str) -> None:
        self._edit(lambda word: mark(word, kind) if word else word)

    def backspace(self) -> None:
        target = _target_widget()
        if isinstance(target, QLineEdit):
            target.backspace()
        elif isinstance(target, QPlainTextEdit):
            target.textCursor().deletePreviousChar()

    def type_text(self, text: str) -> None:
        """Press the keys of `text` one by one (Telex applies): what a citizen's fingers do."""
        for ch in text:
            self.press(ch)


class NumPad(QWidget):
    """Digits 0–9, delete and clear, for a number shown in `field` (a CAN, a code, a PIN)."""

    entered = Signal(str)

    def __init__(self, field: QLineEdit, parent: QWidget | None = None, ok_text=None) -> None:
        super().__init__(parent)
        self.setObjectName("numPad")
        self.field = field
        self.ok_text = ok_text
        grid = QGridLayout(self)
        grid.setSpacing(6)
        self.keys: dict[str, QPushButton] = {}
        for i, ch in enumerate("123456789"):
            grid.addWidget(self._key(ch, ch, lambda _c=False, d=ch: self.press(d)), i // 3, i % 3)
        grid.addWidget(self._key("clear", "C", self.field.clear), 3, 0)
        grid.addWidget(self._key("0", "0", lambda: self.press("0")), 3, 1)
        grid.addWidget(self._key("backspace", "⌫", self.field.backspace), 3, 2)
        self.ok = self._key("ok", "", lambda: self.entered.emit(self.field.text()))
        grid.addWidget(self.ok, 4, 0, 1, 3)
        self.retranslate()

    def _key(self, name: str, text: str, slot) -> QPushButton:
        button = _touch(QPushButton(text, self), self, 1.6)
        button.setObjectName(f"pad_{name}")
        button.clicked.connect(slot)
        self.keys[name] = button
        return button

    def retranslate(self) -> None:
        self.ok.setText(self.ok_text() if self.ok_text else self.tr("Đồng ý"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def press(self, digit: str) -> None:
        if self.field.maxLength() and len(self.field.text()) >= self.field.maxLength():
            return
        self.field.setText(self.field.text() + digit)


class KeyboardDock(QObject):
    """Shows the keyboard while a typed field of its window has the focus, hides it otherwise; number and
    phone fields turn Telex off."""

    def __init__(self, keyboard: TouchKeyboard, window: QWidget) -> None:
        super().__init__(keyboard)
        self.keyboard = keyboard
        self.window = window
        keyboard.hide()
        QApplication.instance().focusChanged.connect(self._focus)
        keyboard.done.connect(self._done)

    def _focus(self, _old, new) -> None:
        if new is None or new is self.keyboard or self.keyboard.isAncestorOf(new):
            return
        if not self.window.isAncestorOf(new):
            return
        typed = isinstance(new, QLineEdit | QPlainTextEdit) and not new.isReadOnly() and not new.property("numpad")
        self.keyboard.setVisible(typed)
        if typed:
            self.keyboard.set_telex(not bool(new.property("plain")))

    def _done(self) -> None:
        widget = QApplication.focusWidget()
        if widget is not None:
            widget.clearFocus()
        self.keyboard.hide()
