"""The administrator's staff page (Nhân sự): a person added through the form logs in with the typed password;
the service's Vietnamese refusals next to the fields; lock, unlock and a one-time password that replaces the old
one; never the administrator's own account; a supervisor reads, a self-service kiosk is refused; every change
audited; nothing left on screen after reset()."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from qt_typing import type_text

from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.services.errors import AccountLocked, InvalidCredentials, InvalidInput, SessionExpired
from kiosk.ui import i18n
from kiosk.ui.staff_page import COLUMNS, StaffPage

ADMIN_PASSWORD = "quantri-moi-2026"


@pytest.fixture
def kiosk(window):
    return window.kiosk


@pytest.fixture
def admin(kiosk) -> Principal:
    """The first administrator, logged in through the service with its one-time password changed."""
    first = kiosk.staff.login("admin", kiosk.first_admin_password)
    assert first.must_change_password
    kiosk.staff.change_own_password(first.principal, kiosk.first_admin_password, ADMIN_PASSWORD)
    return first.principal


def open_page(qtbot, kiosk, principal) -> StaffPage:
    page = StaffPage(kiosk, lambda: principal)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.show()  # opening the page reads the list
    return page


@pytest.fixture
def page(qtbot, kiosk, admin) -> StaffPage:
    return open_page(qtbot, kiosk, admin)


def fill_form(qtbot, page: StaffPage, username: str, full_name: str, password: str, again: str | None = None,
              role: str | None = None) -> None:
    form = page.add_form
    for edit in (form.username_edit, form.full_name_edit, form.password_edit, form.again_edit):
        edit.clear()
    qtbot.keyClicks(page.add_form.username_edit, username)
    type_text(qtbot, page.add_form.full_name_edit, full_name)
    if role is not None:
        page.add_form.role_combo.setCurrentIndex(page.add_form.role_combo.findData(role))
    qtbot.keyClicks(page.add_form.password_edit, password)
    qtbot.keyClicks(page.add_form.again_edit, password if again is None else again)


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(qtbot, page: StaffPage, username: str) -> None:
    """Click the person's row, as the administrator would."""
    row = page.row_of(username)
    assert row >= 0, [p.username for p in page.people]
    rect = page.table.visualItemRect(page.table.item(row, COLUMNS.index("full_name")))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected == username and page.table.currentRow() == row


def usernames(kiosk, admin) -> list[str]:
    return [p.username for p in kiosk.staff.list(admin)]


def staff_audit(kiosk, admin, username: str) -> list[tuple[str, str]]:
    """(actor, action) of the staff changes made to `username`, oldest first."""
    entries = audit.recent(kiosk.db, admin, limit=1000)
    return [(e["actor"], e["action"]) for e in reversed(entries)
            if e["target_kind"] == "staff" and e["target_id"] == username and e["action"].startswith("staff.")]


def add_through_service(kiosk, admin, page, qtbot, username: str, full_name: str, password: str,
                        role: str = "officer") -> None:
    kiosk.staff.add(admin, username, full_name, role, password)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()


def confirm(qtbot, page: StaffPage, signal) -> list:
    assert page.actions.confirm_frame.isVisible()
    with qtbot.waitSignal(signal, timeout=10_000) as blocker:
        click(qtbot, page.actions.confirm_button)
    return blocker.args


def test_an_officer_added_through_the_form_is_listed_with_the_role_and_logs_in(qtbot, page, kiosk, admin) -> None:
    assert page.access == "manage" and page.add_form.isVisible()
    assert page.add_form.role_combo.currentData() == "officer"  # the least power by default
    fill_form(qtbot, page, "ntlan", "Nguyễn Thị Lan", "matkhau-lan-01")
    with qtbot.waitSignal(page.staff_added, timeout=10_000) as blocker:
        click(qtbot, page.add_form.add_button)
    assert blocker.args[0].username == "ntlan"

    lan = next(p for p in kiosk.staff.list(admin) if p.username == "ntlan")
    assert (lan.full_name, lan.role, lan.active, lan.must_change_password) == ("Nguyễn Thị Lan", "officer", True, False)
    qtbot.waitUntil(lambda: page.selected == "ntlan", timeout=10_000)  # the new row, selected
    assert page.table.currentRow() == page.row_of("ntlan")
    assert page.cell("ntlan", "full_name") == "Nguyễn Thị Lan"
    assert page.cell("ntlan", "role") == "Cán bộ tiếp dân"
    assert page.cell("ntlan", "status") == "Đang dùng"
    assert page.cell("ntlan", "last_login") == "chưa đăng nhập"
    assert page.cell("admin", "role") == "Quản trị viên"
    form = page.add_form
    assert all(e.text() == "" for e in (form.username_edit, form.full_name_edit, form.password_edit, form.again_edit))
    assert "Đã thêm Nguyễn Thị Lan (ntlan)" in page.add_form.message.text()
    assert "Nguyễn Thị Lan" in page.actions.selected_label.text()

    result = kiosk.staff.login("ntlan", "matkhau-lan-01")
    assert result.principal.role is Role.OFFICER and not result.must_change_password
    assert staff_audit(kiosk, admin, "ntlan") == [("admin", "staff.added")]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    assert page.cell("ntlan", "last_login") not in ("", "chưa đăng nhập")  # dd/mm/yyyy hh:mm
    assert page.selected == "ntlan"  # a refresh keeps the selection


def test_a_supervisor_is_added_with_the_role_chosen(qtbot, page, kiosk, admin) -> None:
    fill_form(qtbot, page, "lvhung", "Lê Văn Hùng", "chihuy-hung-01", role="supervisor")
    with qtbot.waitSignal(page.staff_added, timeout=10_000):
        click(qtbot, page.add_form.add_button)
    qtbot.waitUntil(lambda: page.selected == "lvhung", timeout=10_000)
    assert next(p for p in kiosk.staff.list(admin) if p.username == "lvhung").role == "supervisor"
    assert page.cell("lvhung", "role") == "Chỉ huy (lãnh đạo, giám sát)"
    assert page.add_form.role_combo.currentData() == "officer"  # the cleared form starts again at the least power


def test_bad_input_gets_the_services_vietnamese_sentence_and_adds_nobody(qtbot, page, kiosk, admin) -> None:
    before = usernames(kiosk, admin)
    rows = page.table.rowCount()
    cases = [  # (field, username, full name, password, again)
        ("username", "Nguyen Van", "Nguyễn Văn Nam", "matkhau-nam-01", None),
        ("full_name", "nvnam", "", "matkhau-nam-01", None),
        ("password", "nvnam", "Nguyễn Văn Nam", "ngan", None),
        ("username", "canbo", "Cán bộ trùng tên", "matkhau-nam-01", None),  # the demo officer has it
    ]
    for field, username, full_name, password, again in cases:
        with pytest.raises(InvalidInput) as refused:  # what the service says to the same input (it writes nothing)
            kiosk.staff.add(admin, username, full_name, "officer", password)
        expected = dict(refused.value.errors)[field]
        fill_form(qtbot, page, username, full_name, password, again)
        with qtbot.waitSignal(page.add_refused, timeout=10_000):
            click(qtbot, page.add_form.add_button)
        assert page.add_form.field_error(field) == expected
        assert page.add_form.errors[field].isVisible() and page.add_form.errors[field].text() == expected
        assert page.add_form.username_edit.text() == username  # kept, to be corrected
    assert "đã có" in page.add_form.field_error("username")
    assert page.add_form.field_error("password") == ""  # the earlier error went with the next try

    fill_form(qtbot, page, "nvnam", "Nguyễn Văn Nam", "matkhau-nam-01", again="matkhau-nam-02")
    with qtbot.waitSignal(page.add_refused, timeout=10_000):
        click(qtbot, page.add_form.add_button)
    assert page.add_form.field_error("password_again") == "Hai lần nhập mật khẩu không khớp."

    QThreadPool.globalInstance().waitForDone(10_000)
    assert usernames(kiosk, admin) == before
    assert page.table.rowCount() == rows
    assert not any(e["action"] == "staff.added" and e["target_id"] in ("nvnam", "nguyen van")
                   for e in audit.recent(kiosk.db, admin, limit=1000))


def test_a_locked_account_cannot_log_in_until_it_is_unlocked(qtbot, page, kiosk, admin) -> None:
    add_through_service(kiosk, admin, page, qtbot, "tvbinh", "Trần Văn Bình", "matkhau-binh-01")
    open_session = kiosk.staff.login("tvbinh", "matkhau-binh-01").principal
    select(qtbot, page, "tvbinh")
    assert page.actions.toggle_button.text() == "Khóa tài khoản"

    click(qtbot, page.actions.toggle_button)  # asked first …
    assert page.actions.confirm_frame.isVisible() and "Trần Văn Bình" in page.actions.confirm_label.text()
    click(qtbot, page.actions.cancel_button)  # … and nothing happens on Hủy
    assert not page.actions.confirm_frame.isVisible()
    assert next(p for p in kiosk.staff.list(admin) if p.username == "tvbinh").active

    click(qtbot, page.actions.toggle_button)
    assert confirm(qtbot, page, page.account_changed) == ["tvbinh", False]
    qtbot.waitUntil(lambda: page.cell("tvbinh", "status") == "Đã khóa", timeout=10_000)
    assert "Đã khóa tài khoản tvbinh" in page.actions.message.text()
    assert page.selected == "tvbinh" and page.actions.toggle_button.text() == "Mở khóa"
    with pytest.raises(InvalidCredentials):
        kiosk.staff.login("tvbinh", "matkhau-binh-01")
    with pytest.raises(SessionExpired):
        kiosk.staff.check(open_session)  # the session open at the counter ended with the lock

    click(qtbot, page.actions.toggle_button)
    assert "Mở khóa tài khoản Trần Văn Bình" in page.actions.confirm_label.text()
    assert confirm(qtbot, page, page.account_changed) == ["tvbinh", True]
    qtbot.waitUntil(lambda: page.cell("tvbinh", "status") == "Đang dùng", timeout=10_000)
    assert kiosk.staff.login("tvbinh", "matkhau-binh-01").principal.username == "tvbinh"
    assert staff_audit(kiosk, admin, "tvbinh") == [
        ("admin", "staff.added"), ("admin", "staff.deactivated"), ("admin", "staff.activated")]


def test_a_new_one_time_password_is_shown_once_and_replaces_the_old_one(qtbot, page, kiosk, admin) -> None:
    add_through_service(kiosk, admin, page, qtbot, "ptmai", "Phạm Thị Mai", "matkhau-mai-01")
    select(qtbot, page, "ptmai")
    click(qtbot, page.actions.reset_button)
    assert "Phạm Thị Mai" in page.actions.confirm_label.text() and not page.actions.password_frame.isVisible()
    assert confirm(qtbot, page, page.password_issued) == ["ptmai"]

    password = page.actions.shown_password()
    assert len(password) >= 8 and page.actions.password_frame.isVisible()
    assert page.actions.password_value.text() == password
    assert "chỉ hiển thị lần này" in page.actions.password_note.text()
    assert "Phạm Thị Mai (ptmai)" in page.actions.password_title.text()
    qtbot.waitUntil(lambda: "chờ đổi mật khẩu" in page.cell("ptmai", "status"), timeout=10_000)
    assert page.actions.shown_password() == password  # the refresh after it keeps it on screen

    with pytest.raises(InvalidCredentials):
        kiosk.staff.login("ptmai", "matkhau-mai-01")
    result = kiosk.staff.login("ptmai", password)
    assert result.must_change_password and result.principal.role is Role.OFFICER
    assert staff_audit(kiosk, admin, "ptmai") == [("admin", "staff.added"), ("admin", "staff.password_reset")]
    assert all(password not in str(e["detail"]) for e in audit.recent(kiosk.db, admin, limit=1000))

    click(qtbot, page.actions.hide_password_button)
    assert page.actions.shown_password() == "" and page.actions.password_value.text() == ""
    assert not page.actions.password_frame.isVisible()


def test_the_administrator_cannot_lock_their_own_account(qtbot, page, kiosk, admin) -> None:
    select(qtbot, page, "admin")
    assert not page.actions.toggle_button.isEnabled()
    assert page.actions.self_note.isVisible() and "tài khoản bạn đang dùng" in page.actions.self_note.text()
    with qtbot.waitSignal(page.action_refused, timeout=1_000) as blocker:
        page.actions.ask_toggle()  # even when asked directly (a shortcut, a future button)
    assert "không tự khóa được" in blocker.args[0] and page.actions.self_note.text() == blocker.args[0]
    assert not page.actions.confirm_frame.isVisible()
    QThreadPool.globalInstance().waitForDone(10_000)
    assert next(p for p in kiosk.staff.list(admin) if p.username == "admin").active
    assert ("admin", "staff.deactivated") not in staff_audit(kiosk, admin, "admin")
    kiosk.staff.check(admin)  # the session still open
    select(qtbot, page, "canbo")  # another person: the button is back
    assert page.actions.toggle_button.isEnabled() and not page.actions.self_note.isVisible()


def test_a_supervisor_reads_the_list_and_changes_nothing(qtbot, kiosk, admin) -> None:
    kiosk.staff.add(admin, "dqtuan", "Đỗ Quang Tuấn", "supervisor", "chihuy-tuan-01")
    supervisor = kiosk.staff.login("dqtuan", "chihuy-tuan-01").principal
    page = open_page(qtbot, kiosk, supervisor)
    assert page.access == "read"
    assert page.table.isVisible() and page.row_of("dqtuan") >= 0 and page.row_of("admin") >= 0
    assert page.cell("dqtuan", "role") == "Chỉ huy (lãnh đạo, giám sát)"
    assert "chỉ được xem" in page.notice.text() and page.notice.isVisible()
    assert not page.add_form.isVisible()
    assert not page.actions.toggle_button.isVisible() and not page.actions.reset_button.isVisible()
    before = usernames(kiosk, admin)
    page.submit_add()  # nothing to press, and nothing happens if asked
    QThreadPool.globalInstance().waitForDone(10_000)
    assert usernames(kiosk, admin) == before


def test_a_principal_without_the_list_permission_is_refused(qtbot, kiosk) -> None:
    page = open_page(qtbot, kiosk, Principal("selfservice:test", Role.SELFSERVICE))
    assert page.access == "none"
    assert "không được xem danh sách nhân sự" in page.notice.text() and page.notice.isVisible()
    assert not page.table.isVisible() and page.table.rowCount() == 0 and page.people == []
    assert not page.add_form.isVisible() and not page.actions.isVisible()


def test_reset_leaves_nothing_on_screen_and_drops_late_answers(qtbot, page, kiosk, admin) -> None:
    add_through_service(kiosk, admin, page, qtbot, "hnlinh", "Hoàng Ngọc Linh", "matkhau-linh-01")
    select(qtbot, page, "hnlinh")
    click(qtbot, page.actions.reset_button)
    confirm(qtbot, page, page.password_issued)
    password = page.actions.shown_password()
    click(qtbot, page.actions.toggle_button)  # a confirmation left open
    fill_form(qtbot, page, "dangdo", "Đang dở", "matkhau-do-01", again="khac")
    click(qtbot, page.add_form.add_button)  # a field error on screen
    assert page.add_form.field_error("password_again")

    page.refresh()  # an answer still on its way …
    page.reset()
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.sendPostedEvents()  # the answer's queued signal is delivered … and dropped
    assert page.table.rowCount() == 0 and page.people == [] and page.selected is None
    assert not page.table.isVisible() and not page.bottom.isVisible()
    assert page.actions.shown_password() == "" and page.actions.password_value.text() == ""
    assert not page.actions.password_frame.isVisible()
    assert not page.actions.confirm_frame.isVisible() and page.add_form.field_error("password_again") == ""
    form = page.add_form
    assert all(e.text() == "" for e in (form.username_edit, form.full_name_edit, form.password_edit, form.again_edit))
    texts = [page.notice, page.list_message, page.actions.message, page.add_form.message, page.actions.self_note,
             *page.add_form.errors.values()]
    assert all(label.text() == "" or not label.isVisible() for label in texts)
    assert not any(password in w.text() for w in page.findChildren(type(page.actions.password_value)))

    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()  # the next login opens it again
    assert page.row_of("hnlinh") >= 0 and page.selected is None


def test_english(qtbot, page, kiosk, admin, english_qm) -> None:
    """The page follows a language change through Qt Linguist, the role names included."""
    select(qtbot, page, "canbo")
    click(qtbot, page.actions.reset_button)
    confirm(qtbot, page, page.password_issued)
    try:
        assert i18n.set_language("en")
        qtbot.waitUntil(lambda: page.title.text() == "Staff", timeout=5_000)
        headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
        assert headers == ["Username", "Full name", "Role", "Status", "Last login"]
        assert page.cell("admin", "role") == "Administrator" and page.cell("canbo", "role") == "Counter officer"
        assert [page.add_form.role_combo.itemText(i) for i in range(page.add_form.role_combo.count())] == [
            "Counter officer", "Supervisor", "Administrator", "Self-service kiosk"]
        assert "shown only this once" in page.actions.password_note.text()
        assert page.actions.reset_button.text() == "Issue a new password"
    finally:
        i18n.set_language("vi")
    qtbot.waitUntil(lambda: page.title.text() == "Nhân sự", timeout=5_000)
    assert page.cell("admin", "role") == "Quản trị viên"


def test_a_refusal_is_said_in_the_windows_language(qtbot, page, english_qm) -> None:
    """The service's refusal next to a field follows the language, there and back."""
    fill_form(qtbot, page, "nvnam", "", "matkhau-nam-01")
    try:
        assert i18n.set_language("en")
        qtbot.waitUntil(lambda: page.title.text() == "Staff", timeout=5_000)
        with qtbot.waitSignal(page.add_refused, timeout=10_000) as blocker:
            click(qtbot, page.add_form.add_button)
        assert blocker.args[0] == [("full_name", "Cần nhập họ và tên.")]  # the signal keeps the Vietnamese pairs
        assert page.add_form.field_error("full_name") == "The full name is required."
        assert page.add_form.errors["full_name"].text() == "The full name is required."
    finally:
        i18n.set_language("vi")
    qtbot.waitUntil(lambda: page.add_form.errors["full_name"].text() == "Cần nhập họ và tên.", timeout=5_000)
    assert page.add_form.field_error("full_name") == "Cần nhập họ và tên."


def test_the_staff_page_is_in_the_menu_only_for_who_may_list_staff(qtbot, officer) -> None:
    entry = next(e for e in officer.shell.entries if e.key == "staff")
    assert entry.item.isHidden()  # the demo officer
    officer.shell.show_page("staff")  # F7 and the menu lead nowhere
    assert officer.shell.stack.currentWidget() is not officer.staff_page


def test_an_account_locked_by_failed_logins_is_unlocked_at_once_from_the_page(qtbot, page, kiosk, admin,
                                                                              tmp_path) -> None:
    # Issue 15, finding 7: the lock after failed logins doubles each time; an administrator can end it.
    add_through_service(kiosk, admin, page, qtbot, "ltha", "Lê Thị Hà", "matkhau-ha-2026")
    for _ in range(5):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            kiosk.staff.login("ltha", "sai-mat-khau")
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh(select="ltha")
    select(qtbot, page, "ltha")
    assert "tạm khóa vì nhập sai mật khẩu" in page.cell("ltha", "status")
    assert page.actions.unlock_button.text() == "Mở khóa đăng nhập"
    click(qtbot, page.actions.unlock_button)
    assert "Lê Thị Hà" in page.actions.confirm_label.text() and "5 phút" in page.actions.confirm_label.text()
    page.resize(1100, 760)  # the size it has in the window
    page.grab().save(str(tmp_path / "staff-unlock.png"))
    assert confirm(qtbot, page, page.account_changed) == ["ltha", True]
    qtbot.waitUntil(lambda: page.cell("ltha", "status") == "Đang dùng", timeout=10_000)
    assert "Đã mở khóa đăng nhập cho ltha" in page.actions.message.text()
    assert not page.actions.unlock_button.isVisible()
    assert kiosk.staff.login("ltha", "matkhau-ha-2026").principal.username == "ltha"
    assert staff_audit(kiosk, admin, "ltha") == [("admin", "staff.added"), ("admin", "staff.unlocked")]

    select(qtbot, page, "admin")  # nobody locked: no unlock button
    assert not page.actions.unlock_button.isVisible()
