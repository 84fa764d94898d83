"""The VNeID account page (cấp tài khoản định danh điện tử): card → person (and guardian) → portrait
→ phone and options → consent → review → submit. Every check is the account service's; refusals
come back as (field, reason) in plain Vietnamese.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.account_steps import AccountSteps
from kiosk.ui.i18n import current_language
from kiosk.ui.print_job import PrintTexts
from kiosk.ui.step_widgets import Retranslating, step_buttons
from kiosk.ui.worker import run_call

STEPS = ("person", "guardian", "portrait", "contacts", "consent", "review")


def _msg(issue) -> str:
    return issue.message_en if current_language() == "en" and issue.message_en else issue.message_vi


class AccountPage(AccountSteps, Retranslating, QWidget):
    """One request at a time; the cards come from the card page ("use this citizen")."""

    def __init__(self, kiosk, principal_fn, current_citizen, current_photo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountPage")
        self.current_photo = current_photo
        self.chip_photo_bytes: bytes | None = None
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.current_citizen = current_citizen
        self.citizen: dict | None = None
        self.guardian: dict | None = None
        self.check = None
        self.portrait: bytes | None = None
        self.consent_version: str | None = None
        self.submitted = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.step_label = QLabel(self)
        self.step_label.setObjectName("stepLabel")
        self.message = QLabel(self)
        self.message.setObjectName("wizardMessage")
        self.message.setWordWrap(True)
        self.stack = QStackedWidget(self)
        for w in (self.title, self.step_label, self.message):
            layout.addWidget(w)
        layout.addWidget(self.stack, 1)
        self.new_button, self.back_button, self.next_button, self.submit_button, buttons = step_buttons(
            self, "account", "New")
        layout.addLayout(buttons)
        self._build_person()
        self._build_guardian()
        self._build_portrait()
        self._build_contacts()
        self._build_consent()
        self._build_review()
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(self.next_step)
        self.submit_button.clicked.connect(self.submit)
        self.new_button.clicked.connect(self.reset)
        self.retranslate()
        self.reset()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Cấp tài khoản định danh điện tử"))
        self.new_button.setText(self.tr("Đề nghị mới"))
        self.back_button.setText(self.tr("Quay lại"))
        self.next_button.setText(self.tr("Tiếp tục"))
        self.submit_button.setText(self.tr("Gửi đề nghị"))
        self.take_citizen.setText(self.tr("Lấy thẻ vừa đọc (người đề nghị)"))
        self.level_label.setText(self.tr("Mức tài khoản"))
        self.level.setItemText(0, self.tr("Mức 2"))
        self.level.setItemText(1, self.tr("Mức 1"))
        self.guardian_hint.setText(self.tr(
            "Người dưới 14 tuổi cần cha, mẹ hoặc người giám hộ có mặt: đọc thẻ của họ ở trang Đọc thẻ (F2) rồi bấm nút dưới."))
        self.take_guardian.setText(self.tr("Lấy thẻ vừa đọc (cha, mẹ hoặc người giám hộ)"))
        self.relationship_label.setText(self.tr("Quan hệ với người đề nghị"))
        for i, text in enumerate((self.tr("Cha"), self.tr("Mẹ"), self.tr("Người giám hộ"))):
            self.relationship.setItemText(i, text)
        self.capture_portrait.setText(self.tr("Chụp ảnh bằng camera"))
        self.choose_portrait.setText(self.tr("Chọn tệp ảnh…"))
        self.phone_label.setText(self.tr("Số điện thoại di động (chính chủ)"))
        self.email_label.setText(self.tr("Thư điện tử (nếu có)"))
        self.fingerprint.setText(self.tr("Đã đối chiếu vân tay"))
        self.consent_holder.setText(self.tr("Người được cấp tài khoản đã đọc và đồng ý"))
        self.consent_guardian.setText(self.tr("Cha, mẹ hoặc người giám hộ đã đọc và đồng ý"))
        self.print_button.setText(self.tr("In giấy xác nhận"))
        self._show_step_label()

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def step(self) -> str:
        return STEPS[self.index]

    def _show_step_label(self) -> None:
        names = {
            "person": self.tr("Người đề nghị"), "guardian": self.tr("Cha, mẹ hoặc người giám hộ"),
            "portrait": self.tr("Ảnh chân dung"), "contacts": self.tr("Liên hệ và tích hợp"),
            "consent": self.tr("Đồng ý xử lý dữ liệu cá nhân"), "review": self.tr("Xem lại và gửi"),
        }
        self.step_label.setText(self.tr("Bước %1/%2: %3").replace("%1", str(self.index + 1)).replace(
            "%2", str(len(STEPS))).replace("%3", names[self.step()]))

    def go(self, index: int) -> None:
        if not 0 <= index < len(STEPS):
            return
        if STEPS[index] == "guardian" and self.check is not None and not self.check.needs_guardian:
            index += 1 if index > self.index else -1
        self.stack.setCurrentIndex(index)
        self.back_button.setEnabled(index > 0)
        self.next_button.setVisible(self.step() != "review")
        self.submit_button.setVisible(self.step() == "review" and self.submitted is None)
        self.message.clear()
        if self.step() == "consent":
            self._show_consent()
        elif self.step() == "review":
            self._review()
        self._show_step_label()

    def reset(self) -> None:
        """Forget everything about the last citizen (new request, logout)."""
        self.citizen = self.guardian = self.check = self.portrait = self.submitted = None
        self.chip_photo_bytes = None
        self.person_info.setText(self.tr("Chưa có thẻ: đọc thẻ ở trang Đọc thẻ (F2), bấm 'Dùng công dân này'."))
        self.guardian_info.clear()
        self.chip_photo.clear()
        self.live_photo.clear()
        self.face_result.clear()
        self.phone.clear()
        self.email.clear()
        for box in (*self.integrations.values(), self.fingerprint, self.consent_holder, self.consent_guardian):
            box.setChecked(False)
        self.result.clear()
        self.print_button.hide()
        self.go(0)

    def _principal(self):
        return self.principal_fn()

    def next_step(self) -> None:
        step = self.step()
        if step == "person":
            if self.check is None:
                self.message.setText(self.tr("Hãy lấy thẻ của người đề nghị trước."))
                return
            blocking = [i for i in self.check.issues if i.severity == "error"]
            if blocking:
                self.message.setText("\n".join(_msg(i) for i in blocking))
                return
            if self.level.currentData() not in self.check.levels:
                self.message.setText(self.tr("Người này chỉ được cấp mức %1.").replace(
                    "%1", ", ".join(str(x) for x in self.check.levels)))
                return
        elif step == "portrait":
            if self.level.currentData() == 2 and self.portrait is None:
                self.message.setText(self.tr("Tài khoản mức 2 cần ảnh chân dung chụp tại quầy."))
                return
        elif step == "guardian":
            if self.guardian is None:
                self.message.setText(self.tr("Cần thẻ của cha, mẹ hoặc người giám hộ có mặt."))
                return
            principal, citizen, guardian, rel = self._principal(), self.citizen, self.guardian, self.relationship.currentData()

            def checked(issues) -> None:
                errors = [i for i in issues if i.severity == "error"]
                self.message.setText("\n".join(_msg(i) for i in issues))
                if not errors:
                    self.go(self.index + 1)
                    if issues:
                        self.message.setText("⚠ " + "\n⚠ ".join(_msg(i) for i in issues))

            run_call(lambda: self.kiosk.accounts.check_guardian(principal, citizen, guardian, rel), on_result=checked,
                     on_error=self._error)
            return
        elif step == "contacts":
            principal, citizen, guardian = self._principal(), self.citizen, self.guardian
            phone, email = self.phone.text(), self.email.text() or None

            def checked(result) -> None:
                normalised, _mail, issues = result
                errors = [i for i in issues if i.severity == "error"]
                if errors:
                    self.message.setText("\n".join(_msg(i) for i in errors))
                    return
                if normalised:
                    self.phone.setText(normalised)
                self.go(self.index + 1)

            run_call(lambda: self.kiosk.accounts.check_contacts(principal, citizen, phone, email, guardian),
                     on_result=checked, on_error=self._error)
            return
        elif step == "consent":
            needed = self.check.consent_from if self.check else ("holder",)
            if ("holder" in needed and not self.consent_holder.isChecked()) or (
                    "guardian" in needed and not self.consent_guardian.isChecked()):
                self.message.setText(self.tr("Chưa ghi nhận đủ sự đồng ý của những người cần đồng ý."))
                return
        self.go(self.index + 1)

    def _take_citizen(self) -> None:
        citizen = self.current_citizen()
        if citizen is None:
            self.message.setText(self.tr("Chưa có thẻ vừa đọc: đọc thẻ ở trang Đọc thẻ (F2) trước."))
            return
        principal = self._principal()

        photo = self.current_photo()

        def checked(check) -> None:
            self.citizen, self.check, self.chip_photo_bytes = citizen, check, photo
            lines = [f"<b>{check.full_name}</b> — {check.id_number}"]
            if check.age is not None:
                lines.append(self.tr("%1 tuổi; được cấp mức: %2").replace("%1", str(check.age)).replace(
                    "%2", ", ".join(str(x) for x in check.levels)))
            if check.needs_guardian:
                lines.append(self.tr("Cần cha, mẹ hoặc người giám hộ có mặt."))
            lines += ["⚠ " + _msg(i) for i in check.issues]
            self.person_info.setText("<br>".join(lines))
            if self.level.currentData() not in check.levels and check.levels:
                self.level.setCurrentIndex(self.level.findData(max(check.levels)))
            self._show_chip_photo()

        run_call(lambda: self.kiosk.accounts.check_person(principal, citizen, self.level.currentData()),
                 on_result=checked, on_error=self._error)

    def _take_guardian(self) -> None:
        guardian = self.current_citizen()
        if guardian is None or (self.citizen and guardian["personal"].get("id_number") == self.citizen["personal"].get(
                "id_number")):
            self.message.setText(self.tr("Hãy đọc thẻ của cha, mẹ hoặc người giám hộ trước."))
            return
        self.guardian = guardian
        p = guardian["personal"]
        self.guardian_info.setText(f"<b>{p.get('full_name', '')}</b> — {p.get('id_number', '')}")

    def _show_chip_photo(self) -> None:
        photo = self.chip_photo_bytes
        pixmap = QPixmap()
        if photo and pixmap.loadFromData(photo):
            self.chip_photo.setPixmap(pixmap.scaled(self.chip_photo.size(), Qt.AspectRatioMode.KeepAspectRatio))
        else:
            self.chip_photo.setText(self.tr("Ảnh trên chip"))

    def _capture_portrait(self) -> None:
        """One still from the counter camera (the composition root's)."""
        from kiosk.devices.qt_camera import jpeg_bytes

        camera = self.kiosk.camera
        if not camera.available():
            self.face_result.setText(self.tr("Không thấy camera: chọn tệp ảnh chụp ở quầy."))
            return
        camera.grab(lambda image: self.use_portrait(jpeg_bytes(image)) or True)

    def _choose_portrait(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Ảnh chân dung"), "", "JPEG, PNG (*.jpg *.jpeg *.png)")
        if path:
            self.use_portrait(Path(path).read_bytes())

    def use_portrait(self, image: bytes) -> None:
        """A still from the counter camera (or a file): cropped to the face and compared with the chip."""
        principal, chip = self._principal(), self.chip_photo_bytes
        self.face_result.setText(self.tr("Đang so khớp khuôn mặt…"))

        def done(portrait) -> None:
            self.portrait = portrait.jpeg
            pixmap = QPixmap()
            if pixmap.loadFromData(portrait.jpeg):
                self.live_photo.setPixmap(pixmap.scaled(self.live_photo.size(), Qt.AspectRatioMode.KeepAspectRatio))
            match = portrait.match
            self.face_result.setText(match.message_en if current_language() == "en" else match.message_vi)

        run_call(lambda: self.kiosk.accounts.take_portrait(principal, image, chip), on_result=done, on_error=self._error)

    def _show_consent(self) -> None:
        language = current_language()

        def shown(text) -> None:
            self.consent_version = text.version
            self.consent_text.setPlainText(text.text)

        run_call(lambda: self.kiosk.accounts.consent_text(language), on_result=shown, on_error=self._error)
        needed = self.check.consent_from if self.check else ("holder",)
        self.consent_holder.setVisible("holder" in needed)
        self.consent_guardian.setVisible("guardian" in needed)

    def _request(self):
        from kiosk.services.accounts import AccountRequestInput

        needed = self.check.consent_from if self.check else ("holder",)
        consent = [role for role, box in (("holder", self.consent_holder), ("guardian", self.consent_guardian))
                   if role in needed and box.isChecked()]
        return AccountRequestInput(
            citizen=self.citizen, level=self.level.currentData(), phone=self.phone.text() or None,
            email=self.email.text() or None,
            integrations=[k for k, box in self.integrations.items() if box.isChecked()],
            guardian=self.guardian, relationship=self.relationship.currentData() if self.guardian else None,
            portrait=self.portrait, chip_photo=self.chip_photo_bytes,
            fingerprint_checked=self.fingerprint.isChecked(), consent_by=consent, consent_version=self.consent_version,
        )

    def _review(self) -> None:
        request, principal = self._request(), self._principal()

        def shown(issues) -> None:
            p = self.citizen["personal"] if self.citizen else {}
            lines = [
                self.tr("Người đề nghị: %1").replace("%1", p.get("full_name", "")),
                self.tr("Mức: %1").replace("%1", str(request.level)),
                self.tr("Điện thoại: %1").replace("%1", request.phone or "—"),
            ]
            if self.guardian:
                lines.append(self.tr("Người đại diện: %1").replace("%1", self.guardian["personal"].get("full_name", "")))
            lines += [("⛔ " if i.severity == "error" else "⚠ ") + _msg(i) for i in issues]
            self.review.setText("<br>".join(lines))
            self.submit_button.setEnabled(not any(i.severity == "error" for i in issues))

        run_call(lambda: self.kiosk.accounts.validate(principal, request), on_result=shown, on_error=self._error)

    def submit(self) -> None:
        request, principal = self._request(), self._principal()
        self.submit_button.setEnabled(False)

        def done(result) -> None:
            self.submitted = result
            self.submit_button.hide()
            self.result.setText(self.tr("Đã gửi đề nghị. Mã: %1").replace("%1", result.tracking_code))
            self.print_button.show()

        def failed(exc: Exception) -> None:
            self.submit_button.setEnabled(True)
            self._error(exc)

        run_call(lambda: self.kiosk.accounts.submit(principal, request), on_result=done, on_error=failed)

    def print_confirmation(self) -> None:
        """The confirmation with its signed QR on the chosen printer, as a recorded print job (see PrintRunner)."""
        self.printer.start(self._principal(), self.submitted.tracking_code, "account_confirmation", PrintTexts(
            busy=self.tr("Đang in giấy xác nhận…"),
            progress=self.tr("Đang in giấy xác nhận… %1 %"),
            done=self.tr("Đã in giấy xác nhận."),
            failed=self.tr("Chưa in được: %1 Bấm In giấy xác nhận để in lại."),
        ))

    def _error(self, exc: Exception) -> None:
        from kiosk.services.explain import explain

        self.message.setText(explain(exc).text(current_language(), sep="\n"))
