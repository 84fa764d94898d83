"""The status-check screen (tra cứu hồ sơ), for staff and for citizens at a self-service kiosk.

A keyboard-wedge scanner types the QR text followed by Enter into the focused field; a camera frame
is decoded with zxing-cpp; a tracking code can be typed. The answer shows status, appointment date
and what to bring, in the language chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.services.explain import explain
from kiosk.ui.fields import iso_to_display
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.worker import run_call


def decode_qr_image(image: QImage) -> str | None:
    """The text of the first QR code in a camera frame or image (zxing-cpp), or None."""
    import zxingcpp
    from PIL import Image

    frame = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = frame.width(), frame.height(), frame.bytesPerLine()
    picture = Image.frombuffer("L", (width, height), bytes(frame.constBits()), "raw", "L", stride, 1)
    results = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)
    return results[0].text if results else None


class StatusCheckPage(QWidget):
    """Scan or type; the answer in plain words."""

    answered = Signal(object)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusCheckPage")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.answer = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        self.input = QLineEdit(self)
        self.input.setObjectName("statusInput")
        self.input.setClearButtonEnabled(True)
        self.check_button = QPushButton(self)
        self.check_button.setObjectName("statusCheckButton")
        self.check_button.setDefault(True)
        self.camera_button = QPushButton(self)
        self.camera_button.setObjectName("cameraButton")
        row.addWidget(self.input, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.camera_button)
        layout.addLayout(row)
        self.result = QLabel(self)
        self.result.setObjectName("statusResult")
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result, 1)
        self.input.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.camera_button.clicked.connect(self.scan_with_camera)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Tra cứu hồ sơ"))
        self.hint.setText(self.tr("Đưa mã QR trên phiếu hẹn vào máy quét, hoặc nhập mã hồ sơ rồi bấm Tra cứu."))
        self.input.setPlaceholderText(self.tr("Mã QR hoặc mã hồ sơ"))
        self.check_button.setText(self.tr("Tra cứu"))
        self.camera_button.setText(self.tr("Quét bằng camera"))
        if self.answer is not None:
            self.show_answer(self.answer)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def check(self) -> None:
        text = self.input.text()
        principal = self.principal_fn()
        self.check_button.setEnabled(False)

        def done(answer) -> None:
            self.check_button.setEnabled(True)
            self.input.clear()
            self.show_answer(answer)
            self.answered.emit(answer)

        def failed(exc: Exception) -> None:
            self.check_button.setEnabled(True)
            set_state(self.result, "error")
            self.result.setText(explain(exc).text(current_language(),
                                                  self.tr("Không tra cứu được lúc này (%1). Hỏi cán bộ tại quầy.")))

        run_call(lambda: self.kiosk.status_check.check(principal, text), on_result=done, on_error=failed)

    def show_answer(self, answer) -> None:
        self.answer = answer
        en = current_language() == "en"
        if not answer.found:
            set_state(self.result, "error")
            self.result.setText(answer.message_en if en else answer.message_vi)
        else:
            code_label, service_label = self.tr("Mã hồ sơ"), self.tr("Dịch vụ")
            status_label, date_label = self.tr("Trạng thái"), self.tr("Ngày hẹn trả kết quả")
            lines = [
                f"<b>{code_label}:</b> {answer.tracking_code}",
                f"<b>{service_label}:</b> {answer.service_en if en else answer.service_vi}",
                f"<b>{status_label}:</b> {answer.status_en if en else answer.status_vi}",
            ]
            if answer.appointment_date:
                lines.append(f"<b>{date_label}:</b> {iso_to_display(answer.appointment_date)}")
            lines.append("")
            lines.append(answer.next_en if en else answer.next_vi)
            origin = self._origin(answer)
            if origin:
                lines += ["", f"<i>{origin}</i>"]
            set_state(self.result, "ok")
            self.result.setText("<br>".join(lines))

    def _origin(self, answer) -> str:
        """Where the status shown comes from, when the citizen should know it may not be the latest."""
        if answer.source == "hub":
            return self.tr("Trạng thái lấy từ máy chủ của trạm vừa xong.")
        if answer.source == "receipt":
            return answer.message_en if current_language() == "en" else answer.message_vi
        if answer.hub == "offline":
            return self.tr("Kiosk đang mất kết nối máy chủ: trạng thái theo dữ liệu lưu tại kiosk.")
        return ""

    def clear(self) -> None:
        """Forget the last answer (self-service idle wipe, logout)."""
        self.answer = None
        self.input.clear()
        self.result.clear()

    def scan_with_camera(self) -> None:
        """Grab frames from the counter camera (the composition root's) until one holds a QR code."""
        camera = self.kiosk.camera
        if not camera.available():
            set_state(self.result, "error")
            self.result.setText(self.tr("Không thấy camera. Dùng máy quét mã QR hoặc nhập mã hồ sơ."))
            return
        camera.grab(self.use_frame, frames=60, on_none=self._no_code_seen)

    def use_frame(self, image: QImage) -> bool:
        """Look for a receipt's QR code in one camera frame; when there is one, check it at once."""
        text = decode_qr_image(image)
        if not text:
            return False
        self.input.setText(text)
        self.check()
        return True

    def _no_code_seen(self) -> None:
        set_state(self.result, "error")
        self.result.setText(self.tr("Camera chưa đọc được mã QR. Giữ phiếu hẹn gần camera hơn rồi thử lại."))
