"""The counter's queue panel on the home page: the line per group, "Gọi số tiếp theo" (F8), recall, skip,
citizen absent, and the ticket's QR code read at the counter when the station's hub is down.

Calling a ticket opens the dossier wizard at its service with the citizen's draft and the verdict of
the chip read in the hall (the main window wires that); receiving the dossier closes the ticket.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.worker import run_call

REFRESH_MS = 10_000


def _minutes_since(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.rstrip("Z")).replace(tzinfo=UTC)
    except ValueError:
        return None
    return max(0, int((datetime.now(UTC) - moment).total_seconds() // 60))


class QueuePanel(QFrame):
    """Waiting tickets per service group with their waiting time, and the ticket this counter serves."""

    opened = Signal(object)  # a CalledTicket: open the wizard with its draft

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.current = None
        self.summary = None
        self._message = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("queueTitle")
        layout.addWidget(self.title)
        self.lines = QLabel(self)
        self.lines.setObjectName("queueLines")
        self.lines.setWordWrap(True)
        layout.addWidget(self.lines)
        self.ticket = QLabel(self)
        self.ticket.setObjectName("queueCurrent")
        self.ticket.setWordWrap(True)
        layout.addWidget(self.ticket)
        row = QHBoxLayout()
        self.call_button = QPushButton(self)
        self.call_button.setObjectName("queueCallNext")
        self.recall_button = QPushButton(self)
        self.recall_button.setObjectName("queueRecall")
        self.skip_button = QPushButton(self)
        self.skip_button.setObjectName("queueSkip")
        self.absent_button = QPushButton(self)
        self.absent_button.setObjectName("queueAbsent")
        for b in (self.call_button, self.recall_button, self.skip_button, self.absent_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        scan_row = QHBoxLayout()
        self.scan_label = QLabel(self)
        self.scan = QLineEdit(self)
        self.scan.setObjectName("queueScan")
        scan_row.addWidget(self.scan_label)
        scan_row.addWidget(self.scan, 1)
        layout.addLayout(scan_row)
        self.message = QLabel(self)
        self.message.setObjectName("queueMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.call_button.clicked.connect(self.call_next)
        self.recall_button.clicked.connect(lambda: self.act("recall"))
        self.skip_button.clicked.connect(lambda: self.act("skip"))
        self.absent_button.clicked.connect(lambda: self.act("absent"))
        self.scan.returnPressed.connect(lambda: self.scan_ticket(self.scan.text()))
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()
        self._buttons()

    def retranslate(self) -> None:
        counter = self.kiosk.settings.counter_name
        self.title.setText(self.tr("Hàng chờ — %1").replace("%1", counter))
        self.call_button.setText(self.tr("Gọi số tiếp theo (F8)"))
        self.recall_button.setText(self.tr("Gọi lại"))
        self.skip_button.setText(self.tr("Bỏ qua"))
        self.absent_button.setText(self.tr("Công dân vắng mặt"))
        self.scan_label.setText(self.tr("Quét mã QR trên phiếu:"))
        self.scan.setPlaceholderText(self.tr("khi máy chủ không kết nối, quét phiếu của công dân"))
        self._show_summary()
        self._show_current()
        if self._message is not None:
            self.say(*self._message)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        self.refresh()
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def say(self, text_fn, state: str = "") -> None:
        self._message = (text_fn, state)
        self.message.setText(text_fn() if text_fn else "")
        set_state(self.message, state)

    def _buttons(self) -> None:
        serving = self.current is not None
        self.recall_button.setEnabled(serving)
        self.skip_button.setEnabled(serving)
        self.absent_button.setEnabled(serving)

    def refresh(self) -> None:
        principal = self.principal_fn()
        if principal is None:
            return
        run_call(lambda: self.kiosk.queue.summary(principal), on_result=self._summary, on_error=lambda _e: None)

    def _summary(self, summary) -> None:
        self.summary = summary
        self._show_summary()

    def _show_summary(self) -> None:
        s = self.summary
        if s is None:
            self.lines.setText(self.tr("Đang tải hàng chờ…"))
            return
        en = current_language() == "en"
        parts = []
        for letter, g in sorted(s["groups"].items()):
            try:
                group = self.kiosk.guide.group(letter)
                name = group.name_en if en else group.name_vi
            except KeyError:
                name = letter
            waited = _minutes_since(g.get("oldest"))
            text = self.tr("%1 (%2): %3 người chờ").replace("%1", letter).replace("%2", name).replace(
                "%3", str(g.get("waiting", 0)))
            if g.get("waiting") and waited is not None:
                text += self.tr(", lâu nhất %1 phút").replace("%1", str(waited))
            parts.append(text)
        lines = "\n".join(parts) or self.tr("Không có ai chờ.")
        if s.get("source") == "offline":
            lines += "\n" + self.tr("Máy chủ của trạm không kết nối: hàng chờ chỉ gồm phiếu của kiosk này; "
                                    "hãy quét mã QR trên phiếu của công dân.")
        self.lines.setText(lines)

    def _show_current(self) -> None:
        c = self.current
        if c is None:
            self.ticket.setText(self.tr("Quầy chưa gọi số nào."))
            return
        service = self.kiosk.catalog.get(c.service_no)
        name = service.name_en if current_language() == "en" else service.name_vi
        self.ticket.setText(self.tr("Đang phục vụ số %1 — dịch vụ %2. %3 (gọi %4 lần)").replace("%1", c.number)
                            .replace("%2", str(c.service_no)).replace("%3", name).replace("%4", str(c.calls)))

    def call_next(self) -> None:
        principal = self.principal_fn()
        self.call_button.setEnabled(False)

        def done(called) -> None:
            self.call_button.setEnabled(True)
            if called is None:
                self.say(lambda: self.tr("Không còn ai chờ ở các nhóm của quầy này."))
                return
            self._serve(called)

        run_call(lambda: self.kiosk.queue.call(principal), on_result=done, on_error=self._failed)

    def scan_ticket(self, text: str) -> None:
        if not text.strip():
            return
        principal = self.principal_fn()
        self.scan.clear()
        run_call(lambda: self.kiosk.queue.scan(principal, text), on_result=self._serve, on_error=self._failed)

    def _serve(self, called) -> None:
        self.current = called
        self._show_current()
        self._buttons()
        self.say(lambda: self.tr("Mời số %1 đến %2.").replace("%1", called.number).replace("%2", called.counter), "ok")
        self.opened.emit(called)
        self.refresh()

    def act(self, action: str) -> None:
        if self.current is None:
            return
        principal, ticket = self.principal_fn(), self.current

        def done(result) -> None:
            if action == "recall":
                self.current = type(ticket)(**{**ticket.__dict__, "calls": result["calls"]})
                self.say(lambda: self.tr("Đã gọi lại số %1.").replace("%1", ticket.number), "ok")
            else:
                self.current = None
                texts = {"skip": lambda: self.tr("Số %1 được đưa về cuối hàng chờ.").replace("%1", ticket.number),
                         "absent": lambda: self.tr("Số %1: công dân vắng mặt.").replace("%1", ticket.number)}
                self.say(texts[action])
            self._show_current()
            self._buttons()
            self.refresh()

        run_call(lambda: self.kiosk.queue.act(principal, ticket.ticket_id, action), on_result=done,
                 on_error=self._failed)

    def received(self, result) -> None:
        """The wizard saved the dossier of the ticket being served: the ticket is closed with its code."""
        if self.current is None:
            return
        principal, ticket = self.principal_fn(), self.current
        self.current = None
        self._show_current()
        self._buttons()
        run_call(lambda: self.kiosk.queue.mark_received(principal, ticket.ticket_id, result.tracking_code),
                 on_result=lambda _r: self.refresh(), on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        from kiosk.services.explain import explain

        self.call_button.setEnabled(True)
        text = explain(exc).text(current_language())
        self.say(lambda: text, "error")

    def reset(self) -> None:
        """Logout: the next officer starts with no ticket on screen (the ticket stays called at the hub)."""
        self.current = None
        self._message = None
        self.message.clear()
        self.scan.clear()
        self._show_current()
        self._buttons()


def origin_text(panel: QueuePanel, called) -> tuple[str, str]:
    """The line above the wizard: which ticket, and what the hall's chip read said."""
    from kiosk.domain import chip_verdict

    if called.citizen:
        verdict = called.chip_verdict if called.chip_verdict in chip_verdict.HEADLINES else chip_verdict.FAILED
        sentence = chip_verdict.headline(verdict, current_language())
        text = panel.tr("Phiếu %1: tờ khai công dân điền ở sảnh; chip đã đọc ở kiosk sảnh — %2").replace(
            "%1", called.number).replace("%2", sentence)
        return text, {"chain_verified": "ok", "signature_valid_untrusted": "warn", "unverifiable": "warn"}.get(
            verdict, "error")
    if called.form:
        return panel.tr("Phiếu %1: tờ khai công dân tự điền ở sảnh, không đọc thẻ.").replace("%1", called.number), "warn"
    return panel.tr("Phiếu %1: công dân chưa điền tờ khai.").replace("%1", called.number), ""

