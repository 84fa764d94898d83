<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="vi_VN">
<context>
    <name>ChangePasswordPage</name>
    <message>
        <location filename="../../kiosk/ui/login.py" line="180" />
        <source>Đổi mật khẩu dùng một lần</source>
        <translation>Change your one-time password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="181" />
        <source>Mật khẩu hiện tại</source>
        <translation>Current password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="182" />
        <source>Mật khẩu mới</source>
        <translation>New password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="183" />
        <source>Nhập lại mật khẩu mới</source>
        <translation>New password again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="184" />
        <source>Đổi mật khẩu</source>
        <translation>Change password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="199" />
        <source>Hai lần nhập mật khẩu mới không khớp.</source>
        <translation>The two new passwords do not match.</translation>
    </message>
</context>
<context>
    <name>Health</name>
    <message>
        <location filename="../../kiosk/ui/home.py" line="17" />
        <source>Đang kiểm tra…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="20" />
        <source>Đầu đọc thẻ sẵn sàng: %1</source>
        <translation>Card reader ready: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="21" />
        <source>Chưa thấy đầu đọc thẻ. Hãy cắm đầu đọc vào máy.</source>
        <translation>No card reader found. Plug the reader into this computer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="22" />
        <source>Dịch vụ thẻ thông minh (PC/SC) không chạy. Hãy khởi động lại máy hoặc báo quản trị.</source>
        <translation>The smart-card service (PC/SC) is not running. Restart the computer or call the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="25" />
        <source>Máy in sẵn sàng: %1</source>
        <translation>Printer ready: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="26" />
        <source>Không dùng được máy in. Kiểm tra máy in và cài đặt.</source>
        <translation>The printer cannot be used. Check the printer and the settings.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="29" />
        <source>Đã kết nối máy chủ trung tâm.</source>
        <translation>Connected to the central hub.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="30" />
        <source>Không kết nối được máy chủ trung tâm; kiosk vẫn làm việc và sẽ đồng bộ sau.</source>
        <translation>The central hub cannot be reached; the kiosk keeps working and will sync later.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="31" />
        <source>Chưa cấu hình máy chủ trung tâm; dữ liệu được lưu trên máy này.</source>
        <translation>No central hub configured; data is kept on this computer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="34" />
        <source>%1 bản ghi đang chờ đồng bộ.</source>
        <translation>%1 records waiting to sync.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="36" />
        <source>Không có bản ghi nào chờ đồng bộ.</source>
        <translation>Nothing waiting to sync.</translation>
    </message>
</context>
<context>
    <name>HealthStatusBar</name>
    <message>
        <location filename="../../kiosk/ui/home.py" line="123" />
        <source>Đầu đọc: sẵn sàng</source>
        <translation>Reader: ready</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="123" />
        <source>Đầu đọc: không có</source>
        <translation>Reader: none</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="124" />
        <source>Máy in: sẵn sàng</source>
        <translation>Printer: ready</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="124" />
        <source>Máy in: lỗi</source>
        <translation>Printer: error</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="126" />
        <source>Máy chủ: trực tuyến</source>
        <translation>Hub: online</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="127" />
        <source>Máy chủ: ngoại tuyến</source>
        <translation>Hub: offline</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="128" />
        <source>Máy chủ: chưa cấu hình</source>
        <translation>Hub: not configured</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="130" />
        <source>Chờ đồng bộ: %1</source>
        <translation>Waiting to sync: %1</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../kiosk/ui/home.py" line="81" />
        <source>Xin chào, %1</source>
        <translation>Hello, %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="83" />
        <source>Đầu đọc thẻ</source>
        <translation>Card reader</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="84" />
        <source>Máy in</source>
        <translation>Printer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="85" />
        <source>Máy chủ trung tâm</source>
        <translation>Central hub</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="86" />
        <source>Đồng bộ</source>
        <translation>Sync</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../../kiosk/ui/login.py" line="95" />
        <location filename="../../kiosk/ui/login.py" line="99" />
        <location filename="../../kiosk/ui/login.py" line="116" />
        <source>Đăng nhập</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="96" />
        <source>Kiosk tiếp nhận hồ sơ — Công an phường</source>
        <translation>Dossier reception kiosk — ward police</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="97" />
        <source>&amp;Tên đăng nhập</source>
        <translation>&amp;Username</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="98" />
        <source>&amp;Mật khẩu</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="99" />
        <source>Đang mở dữ liệu…</source>
        <translation>Opening data…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="116" />
        <source>Đang kiểm tra…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="134" />
        <source>Hãy nhập tên đăng nhập và mật khẩu.</source>
        <translation>Enter your username and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="109" />
        <source>Kiosk tiếp dân — Công an phường</source>
        <translation>Citizen reception kiosk — ward police</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="130" />
        <source>Chế độ trình diễn: đăng nhập bằng tài khoản 'canbo', mật khẩu 'canbo-demo'.</source>
        <translation>Demo mode: sign in as 'canbo' with the password 'canbo-demo'.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="137" />
        <source>Tài khoản quản trị ban đầu</source>
        <translation>Initial administrator account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="139" />
        <source>Đây là lần khởi động đầu tiên. Đã tạo tài khoản quản trị 'admin' với mật khẩu dùng một lần:

%1

Mật khẩu chỉ hiển thị lần này. Hãy ghi lại; khi đăng nhập bạn sẽ phải đổi mật khẩu.</source>
        <translation>This is the first start. An administrator account 'admin' was created with the one-time password:

%1

It is shown only this once. Write it down; you will have to change it when you sign in.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="156" />
        <source>Không mở được dữ liệu của kiosk.</source>
        <translation>The kiosk's data could not be opened.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="158" />
        <source>Không mở được dữ liệu của kiosk: %1</source>
        <translation>The kiosk's data could not be opened: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="159" />
        <source>Hãy báo quản trị viên. Kiosk không tạo dữ liệu mới đè lên dữ liệu cũ.</source>
        <translation>Call the administrator. The kiosk never creates new data over the old.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="192" />
        <source>Tài khoản tạm bị khóa do nhập sai mật khẩu nhiều lần. Thử lại sau %1 (giờ UTC).</source>
        <translation>The account is locked after too many wrong passwords. Try again after %1 (UTC).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="197" />
        <source>Tên đăng nhập hoặc mật khẩu không đúng.</source>
        <translation>Wrong username or password.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="199" />
        <source>Không đăng nhập được: %1</source>
        <translation>Could not sign in: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="207" />
        <source>Mật khẩu hiện tại không đúng.</source>
        <translation>The current password is wrong.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="229" />
        <source>Phiên làm việc đã kết thúc vì không có thao tác. Hãy đăng nhập lại.</source>
        <translation>The session ended after inactivity. Sign in again.</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="69" />
        <source>Trang chủ</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="97" />
        <source>cán bộ tiếp dân</source>
        <translation>counter officer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="98" />
        <source>chỉ huy</source>
        <translation>supervisor</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="99" />
        <source>quản trị</source>
        <translation>administrator</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="100" />
        <source>kiosk tự phục vụ</source>
        <translation>self-service kiosk</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="103" />
        <source>%1 — vai trò: %2</source>
        <translation>%1 — role: %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="104" />
        <source>Đăng xuất (Ctrl+L)</source>
        <translation>Log out (Ctrl+L)</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../kiosk/ui/main.py" line="30" />
        <source>Đã xảy ra lỗi</source>
        <translation>Something went wrong</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="32" />
        <source>Kiosk gặp lỗi không mong đợi. Dữ liệu đã lưu không bị mất. Chi tiết đã được ghi vào nhật ký.</source>
        <translation>The kiosk met an unexpected error. Saved data is not lost. The details are in the log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="34" />
        <source>Tiếp tục làm việc</source>
        <translation>Continue working</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="35" />
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
</context>
</TS>