"""Login → home → logout, lockout messages, inactivity, live language switch."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.services.staff import DEMO_PASSWORD, DEMO_USERNAME


def type_login(qtbot, window, username, password):
    window.login.username.clear()
    qtbot.keyClicks(window.login.username, username)
    window.login.password.clear()
    qtbot.keyClicks(window.login.password, password)
    qtbot.mouseClick(window.login.button, Qt.MouseButton.LeftButton)


def test_login_reaches_the_home_screen_with_device_states(qtbot, window):
    assert window.pages.currentWidget() is window.login
    assert window.login.title.text() == "Đăng nhập"
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        type_login(qtbot, window, DEMO_USERNAME, DEMO_PASSWORD)
    assert window.pages.currentWidget() is window.shell
    assert "Cán bộ trình diễn" in window.shell.home.greeting.text()
    qtbot.waitUntil(lambda: window.shell.home._health is not None, timeout=10_000)
    printer = window.shell.home.values["printer"].text()
    assert printer.startswith("Máy in sẵn sàng")
    assert "Chưa cấu hình máy chủ" in window.shell.home.values["hub"].text()
    assert window.status.labels["pending"].text() == "Chờ đồng bộ: 0"


def test_wrong_password_says_so_and_stays_on_login(qtbot, window):
    type_login(qtbot, window, DEMO_USERNAME, "khong-dung")
    qtbot.waitUntil(lambda: window.login.message.text() != "", timeout=10_000)
    assert window.login.message.text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert window.pages.currentWidget() is window.login


def test_five_failures_show_the_lock_message(qtbot, window):
    for _ in range(5):
        window.login.message.clear()
        type_login(qtbot, window, DEMO_USERNAME, "khong-dung")
        qtbot.waitUntil(lambda: window.login.message.text() != "", timeout=10_000)
        qtbot.waitUntil(lambda: window.login.button.isEnabled(), timeout=10_000)
    assert "tạm bị khóa" in window.login.message.text()


def test_logout_button_returns_to_login(qtbot, window):
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        type_login(qtbot, window, DEMO_USERNAME, DEMO_PASSWORD)
    qtbot.mouseClick(window.shell.logout_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.login
    assert window.principal is None


def test_inactivity_logs_out(qtbot, window):
    window.idle.timer.setInterval(300)
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        type_login(qtbot, window, DEMO_USERNAME, DEMO_PASSWORD)
    window.idle.timer.setInterval(300)
    window.idle.timer.start()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login, timeout=5_000)
    assert "không có thao tác" in window.login.message.text()


def test_first_admin_must_change_the_one_time_password(qtbot, window):
    password = window.kiosk.first_admin_password
    assert password
    type_login(qtbot, window, "admin", password)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.change_password, timeout=10_000)
    page = window.change_password
    qtbot.keyClicks(page.old, password)
    qtbot.keyClicks(page.new, "mat-khau-moi-1")
    qtbot.keyClicks(page.again, "mat-khau-moi-1")
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.shell


def test_language_switches_live_to_english_and_back(qtbot, window):
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        type_login(qtbot, window, DEMO_USERNAME, DEMO_PASSWORD)
    window.shell.language.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.shell.logout_button.text() == "Log out (Ctrl+L)", timeout=5_000)
    assert window.login.title.text() == "Sign in"
    assert window.shell.home.titles["printer"].text() == "Printer"
    window.shell.language.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.shell.logout_button.text() == "Đăng xuất (Ctrl+L)", timeout=5_000)


def test_keyboard_only_login(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.login.username, timeout=5_000)
    qtbot.keyClicks(QApplication.focusWidget(), DEMO_USERNAME)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.login.password
    qtbot.keyClicks(QApplication.focusWidget(), DEMO_PASSWORD)
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    # Shortcuts are matched on the window-system path, so the key goes to the QWindow.
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.login
