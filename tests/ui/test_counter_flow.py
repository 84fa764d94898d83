"""The counter's most common job, as an officer does it with the keyboard on the real window: the card
on the reader (the virtual chip behind pcscd), F2, its CAN typed, the citizen used, a temporary-residence
dossier (service #4) with the fields a clerk must type, submitted, the receipt printed to the PDF printer.

Every key goes to the widget that has the cursor, so the flow only passes when the focus order and
"Enter goes on" bring the cursor where the officer types next. `bench/counter_flow.py` runs this test
and prints the officer's interactions, the machine time and the longest stall of the event loop; the
test itself asserts no time (speed figures live in bench/).

Counting (the bench's definition): typing a whole field is one interaction (with the one Tab that
moves to it), so is choosing in a list by typing and ticking a box; each Enter, function key, extra
Tab or click is one.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

from dossier_samples import sample_dossier
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from kiosk.devices.vchip.card import ChipOptions
from kiosk.domain.catalog import conditions_hold
from kiosk.ui.fields import iso_to_display

#: Where the bench wants the figures (a JSON file); unset in the suite.
REPORT_ENV = "COUNTER_FLOW_REPORT"
PROBE_INTERVAL_MS = 2


class StallProbe(QObject):
    """A precise 2 ms timer: the longest gap between its ticks while the event loop runs is the longest
    stall of the GUI thread. The test's own scripted moments are not counted (`pause`); the time each
    key event takes in the application's handlers is (`note`)."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last: int | None = None
        self.longest_ms = 0.0
        self.where = ""
        self.label = ""

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        if self.last is not None:
            self.note((now - self.last) / 1e6 - PROBE_INTERVAL_MS, self.label)
        self.last = now

    def note(self, ms: float, label: str) -> None:
        if ms > self.longest_ms:
            self.longest_ms, self.where = ms, label

    def pause(self) -> None:
        self.last = None


class Officer:
    """Keys to the widget with the cursor, each act counted; waits run the real event loop."""

    def __init__(self, qtbot, probe: StallProbe) -> None:
        self.qtbot = qtbot
        self.probe = probe
        self.acts: list[tuple[str, str]] = []
        self.form_fields: list[str] = []  # the catalog fields filled by hand

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the cursor"
        return widget

    def _key(self, key: Qt.Key, text: str = "", label: str = "") -> None:
        widget = self.focus()
        self.probe.pause()
        started = time.perf_counter()
        if text and not text.isascii():
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, text))
        else:
            self.qtbot.keyClick(widget, text or key)
        self.probe.note(1000 * (time.perf_counter() - started), label)

    def type_field(self, text: str, what: str, form_field: bool = False) -> None:
        for ch in text:
            self._key(Qt.Key.Key_unknown, ch, f"typing {what}")
        self.acts.append(("field", what))
        if form_field:
            self.form_fields.append(what)

    def arrows(self, steps: int, what: str) -> None:
        """Choosing in a closed list with the arrow keys: one act, like typing the field."""
        for _ in range(abs(steps)):
            self._key(Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up, label=f"choosing {what}")
        self.acts.append(("field", what))
        self.form_fields.append(what)

    def tick(self, what: str, form_field: bool = False) -> None:
        assert isinstance(self.focus(), QCheckBox), (what, self.focus())
        self._key(Qt.Key.Key_Space, label=f"ticking {what}")
        self.acts.append(("field", what))
        if form_field:
            self.form_fields.append(what)

    def press(self, key: Qt.Key, what: str) -> None:
        self._key(key, label=what)
        self.acts.append(("key", what))

    def tab(self, extra: bool) -> None:
        """The Tab to the next field is part of typing it; one that skips a field is an act of its own."""
        self._key(Qt.Key.Key_Tab, label="Tab")
        if extra:
            self.acts.append(("key", "Tab past an optional field"))

    def wait_until(self, predicate, what: str, timeout_s: float = 30.0) -> None:
        """Run the event loop (no sleeps in between, unlike qtbot.waitUntil) until `predicate` holds."""
        self.probe.label = what
        self.probe.pause()
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(5)
        check.timeout.connect(lambda: loop.quit() if predicate() else None)
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        check.start()
        deadline.start(int(timeout_s * 1000))
        if not predicate():
            loop.exec()
        check.stop()
        deadline.stop()
        self.probe.pause()
        assert predicate(), f"waited {timeout_s} s for: {what}"


def choice_prefix(combo: QComboBox, index: int) -> str | None:
    """The shortest start of the option's label that no other option shares: what an officer types to
    choose it in a closed list. None when it would need a space (Space opens the list)."""
    label = combo.itemText(index)
    others = [combo.itemText(i).casefold() for i in range(combo.count()) if i != index]
    for n in range(1, len(label) + 1):
        if not any(o.startswith(label[:n].casefold()) for o in others):
            return label[:n] if " " not in label[:n] else None
    return None


def must_type(wizard, step: str, form: dict) -> list:
    """The editors of this step a clerk must fill: required, shown, not locked by a chip, and not yet
    holding the dossier's answer (a box whose default is the answer is left alone)."""
    return [e for e in wizard.form_steps[step].editors.values()
            if e.field.required and e.isVisibleTo(wizard) and e.input.isEnabled()
            and e.field.id in form and e.value() != form[e.field.id]]


def fill_step(officer: Officer, wizard, step: str, form: dict) -> None:
    """Type each field the clerk must fill, moving with Tab from where the cursor is."""
    first = True
    for _ in range(40):
        todo = must_type(wizard, step, form)
        if not todo:
            return
        editor = todo[0]
        tabs = 0
        while officer.focus() is not editor.input and not editor.input.isAncestorOf(officer.focus()):
            assert not first or tabs == 0, f"the cursor is not on the first field of {step}"
            officer.tab(extra=tabs > 0)
            tabs += 1
            assert tabs < 12, f"Tab never reaches {editor.field.id}"
        first = False
        value, widget = form[editor.field.id], editor.input
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            prefix = choice_prefix(widget, index)
            if prefix is not None:
                officer.type_field(prefix, editor.field.id, True)
            else:  # the arrow keys down the closed list
                officer.arrows(index - widget.currentIndex(), editor.field.id)
            assert widget.currentData() == value, editor.field.id
        elif isinstance(widget, QCheckBox):
            officer.tick(editor.field.id, True)
        elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
            text = iso_to_display(value, editor.field.type == "datetime") if editor.field.type in (
                "date", "datetime") else str(value)
            officer.type_field(text, editor.field.id, True)
        else:
            raise AssertionError(f"no keyboard way to fill {editor.field.id} ({type(widget).__name__})")
    raise AssertionError(f"step {step} never filled")


def field_errors(wizard) -> dict[str, str]:
    return {fid: e.error.text() for fid, e in wizard.editors().items() if e.error.text()}


def usual_answers(service, form: dict) -> dict:
    """A valid dossier's answers, with each yes/no question left at its default (the common case: a
    registration for oneself, not by list), and what those defaults hide dropped."""
    answers = dict(form)
    for f in service.fields:
        if f.type == "boolean" and f.default is not None:
            answers[f.id] = f.default
    return {k: v for k, v in answers.items() if conditions_hold(service.field(k).when, answers)}


def test_card_can_temporary_residence_and_receipt_by_keyboard(qtbot, officer, virtual_card):
    window = officer
    service = window.kiosk.catalog.get(4)
    sample = sample_dossier(service, seed=21, today=date.today())
    sample["form"] = usual_answers(service, sample["form"])
    citizen = sample["chips"]["applicant"]
    with qtbot.waitActive(window):
        window.activateWindow()
    probe = StallProbe()
    probe.timer.start()
    clerk = Officer(qtbot, probe)
    page = window.card_page
    started = time.perf_counter()

    # The citizen's card laid on the reader brings the card page forward: no key to press.
    virtual_card(citizen=citizen, options=ChipOptions(dg2_size=15_000, card_access="pace"))
    clerk.wait_until(lambda: page.state == "key" and window.shell.stack.currentWidget() is page,
                     "the card seen on the reader")
    assert clerk.focus() is page.key_form.edit
    clerk.type_field(citizen.can, "the CAN")
    clerk.press(Qt.Key.Key_Return, "Enter: read the chip")
    read_started = time.perf_counter()
    clerk.wait_until(lambda: page.state == "result", "the chip read and verified")
    chip_seconds = time.perf_counter() - read_started
    assert page.result.verification.access == "PACE-CAN"
    assert clerk.focus() is page.use_button
    clerk.press(Qt.Key.Key_Return, "Enter: use this citizen")
    dossiers = window.dossier_page
    clerk.wait_until(lambda: window.shell.stack.currentWidget() is dossiers, "the dossier page")
    assert clerk.focus() is dossiers.picker.search
    clerk.type_field("4", "the service's number")
    clerk.press(Qt.Key.Key_Return, "Enter: start service #4")
    clerk.wait_until(lambda: dossiers.wizard is not None, "the wizard")
    wizard = dossiers.wizard
    clerk.wait_until(lambda: any(not e.input.isEnabled() for e in wizard.editors().values()),
                     "the chip's data filled in")

    # An adult registering for themselves, read from the card: no persons to add, no guardian.
    shown = [wizard.current_step_id()]
    assert shown == ["identity"]
    for _ in range(len(wizard.steps)):
        step = wizard.current_step_id()
        if step == "review":
            break
        if step in wizard.form_steps:
            fill_step(clerk, wizard, step, sample["form"])
        if step == "documents":
            for number, doc in enumerate(d for d in wizard.documents.documents if d.required):
                box = wizard.documents.received[doc.id]
                while clerk.focus() is not box:
                    clerk.tab(extra=number == 0)
                clerk.tick(doc.id)
        index = wizard.stack.currentIndex()
        clerk.press(Qt.Key.Key_Return, f"Enter: on from {step}")
        clerk.wait_until(lambda i=index: wizard.stack.currentIndex() > i or wizard.message.text()
                         or field_errors(wizard), f"the {step} step checked")
        assert wizard.stack.currentIndex() > index, (step, wizard.message.text(), field_errors(wizard))
        shown.append(wizard.current_step_id())
    assert wizard.current_step_id() == "review" and clerk.focus() is wizard.submit_button
    assert "guardian" not in shown and "persons" not in shown
    clerk.press(Qt.Key.Key_Return, "Enter: submit")
    clerk.wait_until(lambda: dossiers.stack.currentWidget() is dossiers.done, "the dossier saved")
    code = dossiers.done.result.tracking_code
    assert clerk.focus() is dossiers.done.print_button
    clerk.press(Qt.Key.Key_Return, "Enter: print the receipt")
    clerk.wait_until(lambda: dossiers.done.print_status.text().startswith("Đã in phiếu hẹn"), "the receipt printed")
    machine_seconds = time.perf_counter() - started
    probe.timer.stop()

    printed = sorted(window.kiosk.settings.pdf_dir.glob("*.pdf"))
    assert printed and printed[-1].read_bytes().startswith(b"%PDF")
    stored = window.kiosk.dossiers.get(window.principal, code, full=True)
    assert stored["service_no"] == 4 and stored["status"] == "received"
    assert clerk.form_fields and all(stored["form"].get(k) == sample["form"][k] for k in clerk.form_fields)

    report = os.environ.get(REPORT_ENV)
    if report:
        Path(report).write_text(json.dumps({
            "acts": clerk.acts, "machine_seconds": machine_seconds, "chip_seconds": chip_seconds,
            "longest_stall_ms": probe.longest_ms, "stall_where": probe.where, "tracking_code": code,
            "pdf": str(printed[-1]),
        }, ensure_ascii=False), encoding="utf-8")
