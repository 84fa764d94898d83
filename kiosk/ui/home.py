"""The home page (trang chủ) and the status bar: reader, printer, hub, records waiting to sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.messages import set_state

if TYPE_CHECKING:
    from kiosk.services.health import Health


ROWS = ("reader", "printer", "hub", "pending", "backup")


def age_text(iso: str, now: datetime | None = None) -> str:
    """How long ago a stored UTC time was, in the words a counter officer uses."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    minutes = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds() // 60))
    if minutes < 1:
        return QCoreApplication.translate("Health", "vừa xong")
    if minutes < 60:
        return QCoreApplication.translate("Health", "%1 phút trước").replace("%1", str(minutes))
    if minutes < 48 * 60:
        return QCoreApplication.translate("Health", "%1 giờ trước").replace("%1", str(minutes // 60))
    return QCoreApplication.translate("Health", "%1 ngày trước").replace("%1", str(minutes // (24 * 60)))


def describe_backup(health: Health, now: datetime | None = None) -> tuple[str, str]:
    """The last backup's age: green within a day (and a bit), amber after, red from three days or a failure."""
    last, error = health.backup_last, health.backup_error
    if error and (not last or error["at"] > last["at"]):
        return "error", QCoreApplication.translate(
            "Health", "Sao lưu KHÔNG thực hiện được (%1): %2").replace("%1", age_text(error["at"], now)).replace(
            "%2", error.get("message", ""))
    if not last:
        return "warn", QCoreApplication.translate(
            "Health", "Chưa có bản sao lưu nào (thư mục sao lưu: %1).").replace("%1", health.backup_folder)
    age = (now or datetime.now(UTC)) - datetime.fromisoformat(last["at"].replace("Z", "+00:00"))
    text = QCoreApplication.translate("Health", "Sao lưu gần nhất: %1 (%2).").replace(
        "%1", age_text(last["at"], now)).replace("%2", last.get("path", ""))
    if age < timedelta(hours=26):
        return "ok", text
    return ("warn" if age < timedelta(days=3) else "error"), text


def describe(health: Health | None) -> dict[str, tuple[str, str]]:
    """(state key, sentence) for each line; the state key drives the colour."""
    if health is None:
        checking = QCoreApplication.translate("Health", "Đang kiểm tra…")
        return {k: ("unknown", checking) for k in ROWS}
    reader = {
        "ready": ("ok", QCoreApplication.translate("Health", "Đầu đọc thẻ sẵn sàng: %1").replace("%1", health.reader_detail)),
        "no_reader": ("warn", QCoreApplication.translate("Health", "Chưa thấy đầu đọc thẻ. Hãy cắm đầu đọc vào máy.")),
        "no_service": ("error", QCoreApplication.translate("Health", "Dịch vụ thẻ thông minh (PC/SC) không chạy. Hãy khởi động lại máy hoặc báo quản trị.")),
    }[health.reader]
    printer = {
        "ready": ("ok", QCoreApplication.translate("Health", "Máy in sẵn sàng: %1").replace("%1", health.printer_detail)),
        "unavailable": ("error", QCoreApplication.translate("Health", "Không dùng được máy in. Kiểm tra máy in và cài đặt.")),
    }[health.printer]
    hub = {
        "online": ("ok", QCoreApplication.translate("Health", "Đã kết nối máy chủ trung tâm.")),
        "offline": ("warn", QCoreApplication.translate("Health", "Không kết nối được máy chủ trung tâm; kiosk vẫn làm việc và sẽ đồng bộ sau.")),
        "not_configured": ("warn", QCoreApplication.translate("Health", "Chưa cấu hình máy chủ trung tâm; dữ liệu được lưu trên máy này.")),
    }[health.hub]
    if health.pending:
        pending = ("warn", QCoreApplication.translate("Health", "%1 bản ghi đang chờ đồng bộ.").replace("%1", str(health.pending)))
    else:
        pending = ("ok", QCoreApplication.translate("Health", "Không có bản ghi nào chờ đồng bộ."))
    return {"reader": reader, "printer": printer, "hub": hub, "pending": pending, "backup": describe_backup(health)}


def _local_time(iso: str) -> str:
    """A stored UTC time as the counter's local clock shows it."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%H:%M %d/%m/%Y")


class HomePage(QWidget):
    """Who is logged in, the state of each device in plain words, and what the sync left for an officer to do."""

    #: The officer asks to print again the receipt of a record the hub gave a new code: (code, document).
    reprint_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("homePage")
        self._health: Health | None = None
        self._name = ""
        layout = QVBoxLayout(self)
        self.greeting = QLabel(self)
        self.greeting.setObjectName("homeGreeting")
        layout.addWidget(self.greeting)
        frame = QFrame(self)
        frame.setObjectName("healthPanel")
        grid = QGridLayout(frame)
        self.titles: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(ROWS):
            title = QLabel(frame)
            title.setObjectName(f"title_{key}")
            value = QLabel(frame)
            value.setObjectName(f"health_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.titles[key], self.values[key] = title, value
        self.printer_button = QPushButton(frame)  # opens the printer dialog (the main window wires it)
        self.printer_button.setObjectName("choosePrinter")
        grid.addWidget(self.printer_button, list(self.values).index("printer"), 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        layout.addWidget(frame)
        sync_row = QHBoxLayout()
        self.sync_detail = QLabel(self)
        self.sync_detail.setObjectName("syncDetail")
        self.sync_detail.setWordWrap(True)
        self.sync_button = QPushButton(self)
        self.sync_button.setObjectName("syncNow")
        sync_row.addWidget(self.sync_detail, 1)
        sync_row.addWidget(self.sync_button)
        layout.addLayout(sync_row)
        # Alarms of the sync: a receipt to print again under the hub's new code, an op the hub refused.
        self.alarms = QLabel(self)
        self.alarms.setObjectName("syncAlarms")
        self.alarms.setWordWrap(True)
        self.alarms.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.alarms)
        reprint_row = QHBoxLayout()
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("reprintRecoded")
        self.reprint_button.clicked.connect(self._reprint_clicked)
        self.reprint_status = QLabel(self)
        self.reprint_status.setObjectName("reprintRecodedStatus")
        self.reprint_status.setWordWrap(True)
        reprint_row.addWidget(self.reprint_button)
        reprint_row.addWidget(self.reprint_status, 1)
        layout.addLayout(reprint_row)
        layout.addStretch(1)
        self._sync = None
        self.retranslate()

    def set_sync_state(self, state) -> None:
        self._sync = state
        self.retranslate()

    def _reprints(self) -> list[dict]:
        return [a for a in (self._sync.alarms if self._sync is not None else []) if a["kind"] == "reprint"]

    def _reprint_clicked(self) -> None:
        pending = self._reprints()
        if pending:
            first = pending[0]
            self.reprint_requested.emit(first["tracking_code"],
                                        "account_confirmation" if first["record_kind"] == "account" else "receipt")

    def _alarm_text(self) -> str:
        from kiosk.ui.i18n import current_language

        alarms = self._sync.alarms if self._sync is not None else []
        if not alarms:
            return ""
        key = "message_en" if current_language() == "en" else "message_vi"
        head = self.tr("CẦN XỬ LÝ (%1):").replace("%1", str(len(alarms)))
        return "\n".join([head, *(f"• {a[key]}" for a in alarms)])

    def _sync_text(self) -> tuple[str, str]:
        st = self._sync
        if st is None:
            return "unknown", ""
        if not st.enrolled:
            return "warn", self.tr("Kiosk chưa đăng ký với máy chủ trung tâm; quản trị viên chạy 'kiosk enrol'.")
        if st.halted and st.halted_reason == "restored":
            return "error", self.tr("Dữ liệu vừa được khôi phục từ bản sao lưu: quản trị viên phải đăng ký lại kiosk với "
                                    "máy chủ (kiosk enrol --rejoin) trước khi đồng bộ và nhận hồ sơ mới.")
        if st.halted:
            return "error", self.tr("ĐỒNG BỘ ĐÃ DỪNG để bảo vệ dữ liệu (%1). Báo quản trị viên ngay.").replace(
                "%1", st.halted_detail or st.halted_reason or "")
        parts = []
        if st.audit_alarm:
            parts.append(self.tr("Máy chủ báo nhật ký kiểm toán của kiosk không khớp (%1): báo quản trị viên.").replace(
                "%1", st.audit_alarm))
        if st.last_success_at:
            parts.append(self.tr("Đồng bộ thành công lần cuối: %1").replace("%1", _local_time(st.last_success_at)))
        else:
            parts.append(self.tr("Chưa đồng bộ lần nào."))
        if st.consecutive_failures and st.last_error_message:
            parts.append(self.tr("Lần thử gần nhất chưa được: %1").replace("%1", st.last_error_message))
            return "warn", " ".join(parts)
        return ("error" if st.audit_alarm else "warn" if st.alarms else "ok"), " ".join(parts)

    def set_user(self, full_name: str) -> None:
        self._name = full_name
        self.retranslate()

    def set_health(self, health: Health | None) -> None:
        self._health = health
        self.retranslate()

    def retranslate(self) -> None:
        self.greeting.setText(self.tr("Xin chào, %1").replace("%1", self._name) if self._name else "")
        self.sync_button.setText(self.tr("Đồng bộ ngay"))
        self.printer_button.setText(self.tr("Chọn máy in…"))
        state, text = self._sync_text()
        self.sync_detail.setText(text)
        set_state(self.sync_detail, state)
        alarm_text = self._alarm_text()
        self.alarms.setText(alarm_text)
        self.alarms.setVisible(bool(alarm_text))
        set_state(self.alarms, "error" if alarm_text else "")
        pending = self._reprints()
        if pending:
            self.reprint_button.setText(self.tr("In lại phiếu hẹn mã mới %1").replace("%1", pending[0]["tracking_code"]))
        self.reprint_button.setVisible(bool(pending))
        self.reprint_status.setVisible(bool(pending) or bool(self.reprint_status.text()))
        names = {
            "reader": self.tr("Đầu đọc thẻ"),
            "printer": self.tr("Máy in"),
            "hub": self.tr("Máy chủ trung tâm"),
            "pending": self.tr("Đồng bộ"),
            "backup": self.tr("Sao lưu"),
        }
        for key, (state, text) in describe(self._health).items():
            self.titles[key].setText(names[key])
            self.values[key].setText(text)
            set_state(self.values[key], state)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class HealthStatusBar(QStatusBar):
    """The same four states, short, always visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._health: Health | None = None
        self.labels = {key: QLabel(self) for key in ("reader", "printer", "hub", "pending")}
        for key, label in self.labels.items():
            label.setObjectName(f"status_{key}")
            self.addPermanentWidget(label)
        self.retranslate()

    def set_health(self, health: Health | None) -> None:
        self._health = health
        self.retranslate()

    def retranslate(self) -> None:
        h = self._health
        if h is None:
            texts = {k: "…" for k in self.labels}
        else:
            texts = {
                "reader": self.tr("Đầu đọc: sẵn sàng") if h.reader == "ready" else self.tr("Đầu đọc: không có"),
                "printer": self.tr("Máy in: sẵn sàng") if h.printer == "ready" else self.tr("Máy in: lỗi"),
                "hub": {
                    "online": self.tr("Máy chủ: trực tuyến"),
                    "offline": self.tr("Máy chủ: ngoại tuyến"),
                    "not_configured": self.tr("Máy chủ: chưa cấu hình"),
                }[h.hub],
                "pending": self.tr("Chờ đồng bộ: %1").replace("%1", str(h.pending)),
            }
        for key, label in self.labels.items():
            label.setText(texts[key])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
