"""The six steps of the account page as widgets: person, guardian, portrait, contacts, consent, review.

Each builder adds its page to the page's stack and keeps its widgets on the page; the texts are set by the
page's `retranslate` (Qt finds them under the page's own context), the behaviour by the page's slots."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import current_language
from kiosk.ui.print_job import PrintRunner


def _photo_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setFixedSize(180, 240)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("border: 1px solid #999; background: white;")
    return label


class AccountSteps:
    """Builders of the account page's steps (a part of `AccountPage`, which owns the stack and the slots)."""

    def _build_person(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        self.take_citizen = QPushButton(page)
        self.take_citizen.setObjectName("takeCitizen")
        self.person_info = QLabel(page)
        self.person_info.setObjectName("personInfo")
        self.person_info.setWordWrap(True)
        self.level = QComboBox(page)
        self.level.setObjectName("accountLevel")
        self.level.addItem("", 2)
        self.level.addItem("", 1)
        self.level_label = QLabel(page)
        form.addRow(self.take_citizen)
        form.addRow(self.person_info)
        form.addRow(self.level_label, self.level)
        self.take_citizen.clicked.connect(self._take_citizen)
        self.stack.addWidget(page)

    def _build_guardian(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        self.guardian_hint = QLabel(page)
        self.guardian_hint.setWordWrap(True)
        self.take_guardian = QPushButton(page)
        self.take_guardian.setObjectName("takeGuardian")
        self.guardian_info = QLabel(page)
        self.guardian_info.setObjectName("guardianInfo")
        self.guardian_info.setWordWrap(True)
        self.relationship = QComboBox(page)
        self.relationship.setObjectName("relationship")
        for value in ("father", "mother", "guardian"):
            self.relationship.addItem("", value)
        self.relationship_label = QLabel(page)
        form.addRow(self.guardian_hint)
        form.addRow(self.take_guardian)
        form.addRow(self.guardian_info)
        form.addRow(self.relationship_label, self.relationship)
        self.take_guardian.clicked.connect(self._take_guardian)
        self.stack.addWidget(page)

    def _build_portrait(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        row = QHBoxLayout()
        self.chip_photo = _photo_label(page, "chipPhoto")
        self.live_photo = _photo_label(page, "livePhoto")
        row.addWidget(self.chip_photo)
        row.addWidget(self.live_photo)
        row.addStretch(1)
        box.addLayout(row)
        self.capture_portrait = QPushButton(page)
        self.capture_portrait.setObjectName("capturePortrait")
        self.choose_portrait = QPushButton(page)
        self.choose_portrait.setObjectName("choosePortrait")
        self.face_result = QLabel(page)
        self.face_result.setObjectName("faceResult")
        self.face_result.setWordWrap(True)
        shoot = QHBoxLayout()
        shoot.addWidget(self.capture_portrait)
        shoot.addWidget(self.choose_portrait)
        shoot.addStretch(1)
        box.addLayout(shoot)
        box.addWidget(self.face_result)
        box.addStretch(1)
        self.choose_portrait.clicked.connect(self._choose_portrait)
        self.capture_portrait.clicked.connect(self._capture_portrait)
        self.stack.addWidget(page)

    def _build_contacts(self) -> None:
        from kiosk.domain.account import INTEGRATIONS

        page = QWidget(self)
        form = QFormLayout(page)
        self.phone = QLineEdit(page)
        self.phone.setObjectName("accountPhone")
        self.phone.setPlaceholderText("09xx xxx xxx")
        self.email = QLineEdit(page)
        self.email.setObjectName("accountEmail")
        self.phone_label, self.email_label = QLabel(page), QLabel(page)
        form.addRow(self.phone_label, self.phone)
        form.addRow(self.email_label, self.email)
        self.integrations: dict[str, QCheckBox] = {}
        for key, (vi, en) in INTEGRATIONS.items():
            box = QCheckBox(en if current_language() == "en" else vi, page)
            box.setObjectName(f"integrate_{key}")
            form.addRow(box)
            self.integrations[key] = box
        self.fingerprint = QCheckBox(page)
        self.fingerprint.setObjectName("fingerprintChecked")
        form.addRow(self.fingerprint)
        self.stack.addWidget(page)

    def _build_consent(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.consent_text = QPlainTextEdit(page)
        self.consent_text.setObjectName("consentText")
        self.consent_text.setReadOnly(True)
        box.addWidget(self.consent_text, 1)
        self.consent_holder = QCheckBox(page)
        self.consent_holder.setObjectName("consentHolder")
        self.consent_guardian = QCheckBox(page)
        self.consent_guardian.setObjectName("consentGuardian")
        box.addWidget(self.consent_holder)
        box.addWidget(self.consent_guardian)
        self.stack.addWidget(page)

    def _build_review(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.review = QLabel(page)
        self.review.setObjectName("accountReview")
        self.review.setWordWrap(True)
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.result = QLabel(page)
        self.result.setObjectName("accountResult")
        self.result.setWordWrap(True)
        self.print_button = QPushButton(page)
        self.print_button.setObjectName("accountPrint")
        self.print_button.hide()
        self.print_button.clicked.connect(self.print_confirmation)
        self.printer = PrintRunner(self.kiosk, self.print_button, self.result)
        box.addWidget(self.review, 1)
        box.addWidget(self.result)
        box.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.stack.addWidget(page)
