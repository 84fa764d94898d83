"""What a card read shows: the portrait, the personal data from the chip, and the verdict in plain words.

The verdict's sentences come from the one table of `kiosk.domain.chip_verdict`; its colour is the page's
style for "ok", "warn" or "error".
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.domain import chip_verdict
from kiosk.services.cards import key_mismatch_sentence, overall_verdict, verdict_reasons
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state

if TYPE_CHECKING:
    from kiosk.devices.icao.document import ChipReadResult


def display_date(text: str) -> str:
    """An ISO date as the card prints it (dd/mm/yyyy); anything else as it is."""
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


class ResultView(QWidget):
    """Portrait, personal data, and the verdict in plain words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        self.photo = QLabel(self)
        self.photo.setObjectName("cardPhoto")
        self.photo.setFixedSize(240, 320)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setFrameShape(QFrame.Shape.Box)
        layout.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        self.verdict = QLabel(self)
        self.verdict.setObjectName("cardVerdict")
        self.verdict.setWordWrap(True)
        right.addWidget(self.verdict)
        self.grid = QGridLayout()
        right.addLayout(self.grid)
        right.addStretch(1)
        layout.addLayout(right, 1)
        self.values: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self._result: ChipReadResult | None = None

    FIELDS = (
        "full_name", "id_number", "birth_date", "sex", "nationality", "ethnicity", "religion",
        "place_of_origin", "place_of_residence", "identifying_features", "issue_date", "expiry_date",
        "father_name", "mother_name", "spouse_name", "old_id_number",
    )

    def field_names(self) -> dict[str, str]:
        return {
            "full_name": self.tr("Họ, chữ đệm và tên"),
            "id_number": self.tr("Số định danh cá nhân"),
            "birth_date": self.tr("Ngày sinh"),
            "sex": self.tr("Giới tính"),
            "nationality": self.tr("Quốc tịch"),
            "ethnicity": self.tr("Dân tộc"),
            "religion": self.tr("Tôn giáo"),
            "place_of_origin": self.tr("Quê quán"),
            "place_of_residence": self.tr("Nơi thường trú"),
            "identifying_features": self.tr("Đặc điểm nhân dạng"),
            "issue_date": self.tr("Ngày cấp"),
            "expiry_date": self.tr("Có giá trị đến"),
            "father_name": self.tr("Họ tên cha"),
            "mother_name": self.tr("Họ tên mẹ"),
            "spouse_name": self.tr("Họ tên vợ/chồng"),
            "old_id_number": self.tr("Số CMND cũ"),
        }

    def show_result(self, result: ChipReadResult | None) -> None:
        self._result = result
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.values.clear()
        self.labels.clear()
        if result is None:
            self.photo.clear()
            self.verdict.clear()
            return
        pixmap = QPixmap()
        if result.photo and pixmap.loadFromData(result.photo):
            self.photo.setPixmap(pixmap.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.setText(self.tr("Không hiển thị được ảnh"))
        names = self.field_names()
        for row, key in enumerate(self.FIELDS):
            label = QLabel(names[key], self)
            label.setObjectName(f"label_{key}")
            value = QLabel(self)
            value.setObjectName(f"value_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text = result.personal.get(key)
            if key == "id_number" and not text:
                text = result.mrz.id_number
            if text:
                value.setText(display_date(text) if key.endswith("_date") else text)
            else:
                value.setText(self.tr("(không có trên chip)"))
                value.setProperty("state", "warn")
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, row, 1)
            self.labels[key], self.values[key] = label, value
        self.grid.setColumnStretch(1, 1)
        self._show_verdict(result)

    def _show_verdict(self, result: ChipReadResult) -> None:
        # Green when the chain is verified, red when a check got a wrong answer, amber (with what
        # could not be checked) otherwise: the sentences come from the one table of chip_verdict.
        verdict = overall_verdict(result)
        language = current_language()
        lines = [chip_verdict.headline(verdict, language)]
        lines += ["• " + chip_verdict.sentence(code, language) for code in verdict_reasons(result)]
        if result.key_mismatch:
            lines.append("⚠ " + key_mismatch_sentence(result.key_mismatch, language))
        if result.verification.consistency:
            lines.append(self.tr("Lưu ý: dữ liệu MRZ và dữ liệu cá nhân trên chip không khớp (%1).").replace(
                "%1", ", ".join(result.verification.consistency)))
        self.verdict.setText("\n".join(lines))
        set_state(self.verdict, {chip_verdict.CHAIN_VERIFIED: "ok", chip_verdict.FAILED: "error"}.get(verdict, "warn"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._result is not None:
            self.show_result(self._result)
        super().changeEvent(event)
