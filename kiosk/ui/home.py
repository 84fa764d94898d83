"""The home page (trang chủ) and the status bar: reader, printer, hub, records waiting to sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QStatusBar, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from kiosk.services.health import Health


def describe(health: Health | None) -> dict[str, tuple[str, str]]:
    """(state key, sentence) for each line; the state key drives the colour."""
    if health is None:
        checking = QCoreApplication.translate("Health", "Đang kiểm tra…")
        return {k: ("unknown", checking) for k in ("reader", "printer", "hub", "pending")}
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
    return {"reader": reader, "printer": printer, "hub": hub, "pending": pending}


class HomePage(QWidget):
    """Who is logged in, and the state of each device in plain words."""

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
        for row, key in enumerate(("reader", "printer", "hub", "pending")):
            title = QLabel(frame)
            title.setObjectName(f"title_{key}")
            value = QLabel(frame)
            value.setObjectName(f"health_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.titles[key], self.values[key] = title, value
        grid.setColumnStretch(1, 1)
        layout.addWidget(frame)
        layout.addStretch(1)
        self.retranslate()

    def set_user(self, full_name: str) -> None:
        self._name = full_name
        self.retranslate()

    def set_health(self, health: Health | None) -> None:
        self._health = health
        self.retranslate()

    def retranslate(self) -> None:
        self.greeting.setText(self.tr("Xin chào, %1").replace("%1", self._name) if self._name else "")
        names = {
            "reader": self.tr("Đầu đọc thẻ"),
            "printer": self.tr("Máy in"),
            "hub": self.tr("Máy chủ trung tâm"),
            "pending": self.tr("Đồng bộ"),
        }
        for key, (state, text) in describe(self._health).items():
            self.titles[key].setText(names[key])
            self.values[key].setText(text)
            self.values[key].setProperty("state", state)
            self.values[key].style().unpolish(self.values[key])
            self.values[key].style().polish(self.values[key])

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
