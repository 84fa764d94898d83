<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="vi_VN">
<context>
    <name>AccountPage</name>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="224"/>
        <source>Cấp tài khoản định danh điện tử</source>
        <translation>Electronic identification account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="225"/>
        <source>Đề nghị mới</source>
        <translation>New request</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="226"/>
        <source>Quay lại</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="227"/>
        <source>Tiếp tục</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="228"/>
        <source>Gửi đề nghị</source>
        <translation>Send the request</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="229"/>
        <source>Lấy thẻ vừa đọc (người đề nghị)</source>
        <translation>Take the card just read (applicant)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="230"/>
        <source>Mức tài khoản</source>
        <translation>Account level</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="231"/>
        <source>Mức 2</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="232"/>
        <source>Mức 1</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="234"/>
        <source>Người dưới 14 tuổi cần cha, mẹ hoặc người giám hộ có mặt: đọc thẻ của họ ở trang Đọc thẻ (F2) rồi bấm nút dưới.</source>
        <translation>Under 14 needs a parent or guardian present: read their card on the Read card page (F2), then press the button below.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="235"/>
        <source>Lấy thẻ vừa đọc (cha, mẹ hoặc người giám hộ)</source>
        <translation>Take the card just read (parent or guardian)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="236"/>
        <source>Quan hệ với người đề nghị</source>
        <translation>Relationship to the applicant</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="237"/>
        <source>Cha</source>
        <translation>Father</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="237"/>
        <source>Mẹ</source>
        <translation>Mother</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="237"/>
        <source>Người giám hộ</source>
        <translation>Guardian</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="239"/>
        <source>Chụp ảnh bằng camera</source>
        <translation>Take a photo with the camera</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="240"/>
        <source>Chọn tệp ảnh…</source>
        <translation>Choose a photo file…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="241"/>
        <source>Số điện thoại di động (chính chủ)</source>
        <translation>Mobile number (in the holder&apos;s own name)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="242"/>
        <source>Thư điện tử (nếu có)</source>
        <translation>E-mail (if any)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="243"/>
        <source>Đã đối chiếu vân tay</source>
        <translation>Fingerprints checked</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="244"/>
        <source>Người được cấp tài khoản đã đọc và đồng ý</source>
        <translation>The account holder has read and agrees</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="245"/>
        <source>Cha, mẹ hoặc người giám hộ đã đọc và đồng ý</source>
        <translation>The parent or guardian has read and agrees</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="246"/>
        <source>In giấy xác nhận</source>
        <translation>Print the confirmation</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="265"/>
        <source>Người đề nghị</source>
        <translation>Applicant</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="265"/>
        <source>Cha, mẹ hoặc người giám hộ</source>
        <translation>Parent or guardian</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="266"/>
        <location filename="../../kiosk/ui/account_page.py" line="441"/>
        <source>Ảnh chân dung</source>
        <translation>Portrait</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="266"/>
        <source>Liên hệ và tích hợp</source>
        <translation>Contacts and integrations</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="267"/>
        <source>Đồng ý xử lý dữ liệu cá nhân</source>
        <translation>Consent to personal data processing</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="267"/>
        <source>Xem lại và gửi</source>
        <translation>Review and send</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="269"/>
        <source>Bước %1/%2: %3</source>
        <translation>Step %1/%2: %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="292"/>
        <source>Chưa có thẻ: đọc thẻ ở trang Đọc thẻ (F2), bấm &apos;Dùng công dân này&apos;.</source>
        <translation>No card yet: read it on the Read card page (F2) and press &apos;Use this citizen&apos;.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="312"/>
        <source>Hãy lấy thẻ của người đề nghị trước.</source>
        <translation>Take the applicant&apos;s card first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="319"/>
        <source>Người này chỉ được cấp mức %1.</source>
        <translation>This person may only have level %1.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="324"/>
        <source>Tài khoản mức 2 cần ảnh chân dung chụp tại quầy.</source>
        <translation>A level 2 account needs a portrait taken at the counter.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="328"/>
        <source>Cần thẻ của cha, mẹ hoặc người giám hộ có mặt.</source>
        <translation>The card of a parent or guardian who is present is needed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="364"/>
        <source>Chưa ghi nhận đủ sự đồng ý của những người cần đồng ý.</source>
        <translation>Not everyone whose consent is needed has consented.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="373"/>
        <source>Chưa có thẻ vừa đọc: đọc thẻ ở trang Đọc thẻ (F2) trước.</source>
        <translation>No card read yet: read it on the Read card page (F2) first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="383"/>
        <source>%1 tuổi; được cấp mức: %2</source>
        <translation>%1 years old; levels allowed: %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="386"/>
        <source>Cần cha, mẹ hoặc người giám hộ có mặt.</source>
        <translation>A parent or guardian must be present.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="400"/>
        <source>Hãy đọc thẻ của cha, mẹ hoặc người giám hộ trước.</source>
        <translation>Read the parent&apos;s or guardian&apos;s card first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="412"/>
        <source>Ảnh trên chip</source>
        <translation>Photo on the chip</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="421"/>
        <source>Không thấy camera: chọn tệp ảnh chụp ở quầy.</source>
        <translation>No camera found: choose a photo taken at the counter.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="448"/>
        <source>Đang so khớp khuôn mặt…</source>
        <translation>Comparing the faces…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="493"/>
        <source>Người đề nghị: %1</source>
        <translation>Applicant: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="494"/>
        <source>Mức: %1</source>
        <translation>Level: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="495"/>
        <source>Điện thoại: %1</source>
        <translation>Phone: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="498"/>
        <source>Người đại diện: %1</source>
        <translation>Representative: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="512"/>
        <source>Đã gửi đề nghị. Mã: %1</source>
        <translation>Request sent. Code: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="524"/>
        <source>Đang in giấy xác nhận…</source>
        <translation>Printing the confirmation…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="525"/>
        <source>Đang in giấy xác nhận… %1 %</source>
        <translation>Printing the confirmation… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="526"/>
        <source>Đã in giấy xác nhận.</source>
        <translation>The confirmation was printed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/account_page.py" line="527"/>
        <source>Chưa in được: %1 Bấm In giấy xác nhận để in lại.</source>
        <translation>Not printed: %1 Press Print the confirmation to try again.</translation>
    </message>
</context>
<context>
    <name>CardError</name>
    <message>
        <location filename="../../kiosk/services/cards.py" line="35"/>
        <source>Chip từ chối khóa truy cập: kiểm tra lại số định danh, ngày sinh và ngày hết hạn (hoặc MRZ).</source>
        <extracomment>One Vietnamese sentence per chip error type, with what to do next.</extracomment>
        <translation>The chip refused the access key: check the ID number, birth date and expiry date (or the MRZ).</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="38"/>
        <source>Thẻ đã bị rút ra khi đang đọc. Đặt lại thẻ lên đầu đọc và giữ yên cho đến khi đọc xong.</source>
        <translation>The card was taken away during the read. Put it back on the reader and keep it still until the read ends.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="41"/>
        <source>Đầu đọc mất liên lạc với thẻ. Đặt lại thẻ ngay ngắn lên đầu đọc rồi thử lại.</source>
        <translation>The reader lost contact with the card. Put the card squarely on the reader and try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="44"/>
        <source>Kênh bảo mật với chip bị lỗi. Đặt lại thẻ rồi thử lại; nếu lặp lại, thẻ có thể bị giả mạo.</source>
        <translation>The secure channel with the chip failed. Put the card back and try again; if it happens again the card may be forged.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="47"/>
        <source>Thẻ này không phải thẻ căn cước có chip theo chuẩn ICAO, hoặc chưa được hỗ trợ.</source>
        <translation>This is not an ICAO chip identity card, or it is not supported yet.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="50"/>
        <source>Không dùng được đầu đọc thẻ: kiểm tra đầu đọc đã cắm và dịch vụ thẻ thông minh (PC/SC) đang chạy.</source>
        <translation>The card reader cannot be used: check that it is plugged in and that the smart-card service (PC/SC) is running.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="53"/>
        <source>Chưa có thẻ trên đầu đọc. Đặt thẻ căn cước lên đầu đọc.</source>
        <translation>There is no card on the reader. Put the identity card on the reader.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="54"/>
        <source>Chip thiếu dữ liệu bắt buộc (DG1). Thẻ có thể bị hỏng.</source>
        <translation>The chip lacks required data (DG1). The card may be damaged.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="55"/>
        <source>Dữ liệu trên chip không đúng cấu trúc. Thẻ có thể bị hỏng hoặc giả mạo.</source>
        <translation>The data on the chip is malformed. The card may be damaged or forged.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py" line="56"/>
        <source>Không đọc được chip. Đặt lại thẻ rồi thử lại.</source>
        <translation>The chip could not be read. Put the card back and try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py"/>
        <source>Chip từ chối số CAN: kiểm tra lại 6 số CAN in trên thẻ, hoặc nhập số định danh, ngày sinh và ngày hết hạn.</source>
        <translation>The chip refused the CAN: check the 6-digit CAN printed on the card, or type the ID number, birth date and expiry date.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py"/>
        <source>Chip không mở được bằng mã QR của thẻ: nhập 6 số CAN in trên thẻ, hoặc số định danh, ngày sinh và ngày hết hạn in trên thẻ.</source>
        <translation>The card's QR code did not open the chip: type the 6-digit CAN printed on the card, or the ID number, birth date and expiry date printed on it.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py"/>
        <source>Chip không mở được bằng số định danh: nhập thêm ngày sinh và ngày hết hạn, hoặc 6 số CAN in trên thẻ.</source>
        <translation>The ID number did not open the chip: add the birth date and expiry date, or type the 6-digit CAN printed on the card.</translation>
    </message>
    <message>
        <location filename="../../kiosk/services/cards.py"/>
        <source>Thẻ này không mở được bằng số CAN: nhập số định danh, ngày sinh và ngày hết hạn (hoặc MRZ).</source>
        <translation>This card does not open with a CAN: type the ID number, birth date and expiry date (or the MRZ).</translation>
    </message>
</context>
<context>
    <name>CardPage</name>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="411"/>
        <source>Đọc thẻ căn cước</source>
        <translation>Read the identity card</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="412"/>
        <source>Đọc thẻ</source>
        <translation>Read card</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="413"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="414"/>
        <source>Thử lại</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="415"/>
        <source>Dùng công dân này</source>
        <translation>Use this citizen</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="416"/>
        <source>Thẻ khác</source>
        <translation>Another card</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="417"/>
        <source>Điền khóa thẻ trình diễn</source>
        <translation>Fill in the demo card&apos;s key</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="447"/>
        <source>Dịch vụ thẻ thông minh (PC/SC) không chạy. Khởi động lại máy hoặc báo quản trị, rồi bấm Thử lại.</source>
        <translation>The smart-card service (PC/SC) is not running. Restart the computer or call the administrator, then press Try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="448"/>
        <source>Chưa thấy đầu đọc thẻ. Cắm đầu đọc vào máy, rồi bấm Thử lại.</source>
        <translation>No card reader found. Plug the reader in, then press Try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="449"/>
        <source>Đặt thẻ căn cước lên đầu đọc. Có thể nhập trước khóa mở chip bên dưới.</source>
        <translation>Put the identity card on the reader. You may type the chip&apos;s access key below first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="451"/>
        <source>Đang đọc chip — giữ yên thẻ trên đầu đọc.</source>
        <translation>Reading the chip — keep the card still on the reader.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="556"/>
        <source>Không đọc được thẻ do lỗi không mong đợi (%1). Thử lại; nếu lặp lại, báo quản trị.</source>
        <translation>The card could not be read because of an unexpected error (%1). Try again; if it happens again, call the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Đã có thẻ trên đầu đọc. Nhập khóa mở chip (số CAN 6 số in trên thẻ) hoặc quét mã QR, rồi Enter.</source>
        <translation>A card is on the reader. Type the chip key (the 6-digit CAN printed on the card) or scan the QR code, then Enter.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Đã nhận khóa. Đặt thẻ lên đầu đọc: chip sẽ được đọc ngay.</source>
        <translation>Key received. Put the card on the reader: the chip is read at once.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Khóa của thẻ đọc trước không mở được thẻ này. Nhập khóa của thẻ này.</source>
        <translation>The key of the previous card does not open this one. Type this card's key.</translation>
    </message>
</context>
<context>
    <name>KeyField</name>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Khóa mở chip</source>
        <translation>Chip key</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Số CAN 6 số — hoặc số định danh, ngày sinh, ngày hết hạn — hoặc MRZ — hoặc quét mã QR</source>
        <translation>6-digit CAN — or ID number, birth date, expiry date — or MRZ — or scan the QR code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Sẽ thử khóa đã mở thẻ này lần trước.</source>
        <translation>The key that opened this card last time will be tried.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Số CAN: mở chip bằng PACE.</source>
        <translation>CAN: opens the chip with PACE.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Số định danh: thử 6 số cuối làm số CAN (thêm ngày sinh và ngày hết hạn nếu thẻ từ chối).</source>
        <translation>ID number: its last 6 digits are tried as the CAN (add the birth date and expiry date if the card refuses).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Số định danh, ngày sinh và ngày hết hạn.</source>
        <translation>ID number, birth date and expiry date.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>MRZ (3 dòng ở mặt sau thẻ).</source>
        <translation>MRZ (the 3 lines on the back of the card).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>không thời hạn</source>
        <translation>no expiry</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py"/>
        <source>Mã QR của thẻ: số định danh %1, ngày sinh %2, hạn thẻ theo luật %3.</source>
        <translation>The card's QR code: ID number %1, birth date %2, expiry by law %3.</translation>
    </message>
</context>
<context>
    <name>ChangePasswordPage</name>
    <message>
        <location filename="../../kiosk/ui/login.py" line="180"/>
        <source>Đổi mật khẩu dùng một lần</source>
        <translation>Change your one-time password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="181"/>
        <source>Mật khẩu hiện tại</source>
        <translation>Current password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="182"/>
        <source>Mật khẩu mới</source>
        <translation>New password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="183"/>
        <source>Nhập lại mật khẩu mới</source>
        <translation>New password again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="184"/>
        <source>Đổi mật khẩu</source>
        <translation>Change password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="199"/>
        <source>Hai lần nhập mật khẩu mới không khớp.</source>
        <translation>The two new passwords do not match.</translation>
    </message>
</context>
<context>
    <name>DocumentsStep</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="268"/>
        <source>bản chính</source>
        <translation>original</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="268"/>
        <source>bản sao</source>
        <translation>copy</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="273"/>
        <source> — nếu có</source>
        <translation> — if any</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="280"/>
        <source>Quét / chọn tệp…</source>
        <translation>Scan / choose a file…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="292"/>
        <source>Chọn bản quét</source>
        <translation>Choose the scan</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="307"/>
        <source>%1 (cần bản quét)</source>
        <translation>%1 (scan required)</translation>
    </message>
</context>
<context>
    <name>DoneView</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="685"/>
        <source>Đã tiếp nhận hồ sơ</source>
        <translation>Dossier received</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="686"/>
        <source>In phiếu hẹn</source>
        <translation>Print the receipt</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="687"/>
        <source>Hồ sơ mới</source>
        <translation>New dossier</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="695"/>
        <source>Trạng thái: đã tiếp nhận</source>
        <translation>Status: received</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="697"/>
        <source>Ngày hẹn trả kết quả: %1</source>
        <translation>Appointment date: %1</translation>
    </message>
</context>
<context>
    <name>DossierListPage</name>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="259"/>
        <source>Hồ sơ đã nhận</source>
        <translation>Received dossiers</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="261"/>
        <source>Tìm theo mã hồ sơ, số định danh, họ tên hoặc địa chỉ (gõ có dấu hay không dấu đều được). Để trống rồi bấm Tìm để xem các hồ sơ mới nhất.</source>
        <translation>Search by dossier code, ID number, name or address (with or without Vietnamese accents). Leave it empty and press Search to see the latest dossiers.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="264"/>
        <source>Mã hồ sơ, số định danh, họ tên hoặc địa chỉ (không cần dấu)</source>
        <translation>Dossier code, ID number, name or address (accents optional)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="265"/>
        <source>Tìm</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="269"/>
        <source>Tất cả trạng thái</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="283"/>
        <location filename="../../kiosk/ui/dossier_list.py" line="522"/>
        <source>Mã hồ sơ</source>
        <translation>Dossier code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="283"/>
        <location filename="../../kiosk/ui/dossier_list.py" line="523"/>
        <source>Dịch vụ</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="283"/>
        <location filename="../../kiosk/ui/dossier_list.py" line="525"/>
        <source>Số định danh</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="277"/>
        <source>Mọi ngày</source>
        <translation>Any day</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="277"/>
        <source>Nhận hôm nay</source>
        <translation>Received today</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="278"/>
        <source>7 ngày gần đây</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="278"/>
        <source>30 ngày gần đây</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="283"/>
        <source>Họ tên</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="284"/>
        <location filename="../../kiosk/ui/dossier_list.py" line="527"/>
        <source>Tiếp nhận</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="284"/>
        <source>Ngày hẹn trả</source>
        <translation>Appointment</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="284"/>
        <location filename="../../kiosk/ui/dossier_list.py" line="526"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="338"/>
        <source>Tài khoản của bạn không được làm việc này.</source>
        <translation>Your account may not do this.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="342"/>
        <source>Không tìm thấy hồ sơ này (có thể đã bị xoá khỏi kiosk).</source>
        <translation>This dossier was not found (it may have been removed from the kiosk).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="344"/>
        <source>Chưa đăng nhập.</source>
        <translation>Not logged in.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="345"/>
        <source>Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên.</source>
        <translation>Unexpected error (%1). Try again or tell the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="359"/>
        <source>Đang tìm…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="391"/>
        <source>Không có hồ sơ nào khớp với nội dung tìm.</source>
        <translation>No dossier matches the search.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="393"/>
        <source>Hiện %1 hồ sơ mới nhất; gõ cụ thể hơn để thu hẹp.</source>
        <translation>Showing the %1 latest dossiers; type more to narrow the search.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_list.py" line="395"/>
        <source>Tìm thấy %1 hồ sơ, mới nhất ở trên.</source>
        <translation>Dossiers found: %1 (the latest first).</translation>
    </message>
</context>
<context>
    <name>StatusMoveBox</name>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="93"/>
        <source>Chuyển trạng thái</source>
        <translation>Change the status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="94"/>
        <source>Áp dụng</source>
        <translation>Apply</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="135"/>
        <source>Ghi chú (bắt buộc)</source>
        <translation>Note (required)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="135"/>
        <source>Ghi chú (không bắt buộc)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="137"/>
        <source>Ghi rõ giấy tờ hoặc nội dung công dân cần bổ sung.</source>
        <translation>State which documents or details the citizen must add.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="159"/>
        <source>Đang chuyển trạng thái…</source>
        <translation>Changing the status…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="112"/>
        <source>Không có bước chuyển nào bạn được làm từ trạng thái này.</source>
        <translation>There is no status change you may make from this status.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="139"/>
        <source>Ghi rõ lý do từ chối giải quyết.</source>
        <translation>State the reason for the rejection.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="174"/>
        <source>Đã chuyển hồ sơ sang &apos;%1&apos;.</source>
        <translation>The dossier is now &apos;%1&apos;.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_move.py" line="152"/>
        <source>Chuyển sang &apos;%1&apos; cần ghi rõ lý do hoặc nội dung cần bổ sung.</source>
        <translation>Moving to &apos;%1&apos; needs a note: the reason, or what must be added.</translation>
    </message>
</context>
<context>
    <name>DossierDetail</name>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="69"/>
        <source>Quá trình xử lý</source>
        <translation>Processing history</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="76"/>
        <source>máy chủ của trạm</source>
        <translation>the station&apos;s server</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="45"/>
        <source>Đang tải hồ sơ…</source>
        <translation>Loading the dossier…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="46"/>
        <source>Chọn một hồ sơ trong danh sách để xem chi tiết.</source>
        <translation>Choose a dossier in the list to see its details.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="55"/>
        <source>Mã hồ sơ</source>
        <translation>Dossier code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="56"/>
        <source>Dịch vụ</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="57"/>
        <source>Họ tên / tổ chức</source>
        <translation>Name / organisation</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="58"/>
        <source>Số định danh</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="59"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="60"/>
        <source>Tiếp nhận</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="63"/>
        <source>Ngày hẹn trả kết quả</source>
        <translation>Appointment date</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="64"/>
        <source>không có hạn giải quyết</source>
        <translation>no processing deadline</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="78"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="82"/>
        <source>%1 — %2: %3</source>
        <translation>%1 — %2: %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_detail.py" line="60"/>
        <source>%1, cán bộ %2</source>
        <translation>%1, by officer %2</translation>
    </message>
</context>
<context>
    <name>DossierPrints</name>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="51"/>
        <source>In lại phiếu hẹn</source>
        <translation>Reprint the receipt</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="82"/>
        <source>Đang in lại phiếu hẹn…</source>
        <translation>Reprinting the receipt…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="83"/>
        <source>Đang in lại phiếu hẹn… %1 %</source>
        <translation>Reprinting the receipt… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="84"/>
        <source>Đã in lại phiếu hẹn.</source>
        <translation>The receipt was reprinted.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="85"/>
        <source>Chưa in được: %1 Bấm In lại phiếu hẹn để thử lại.</source>
        <translation>Not printed: %1 Press Reprint the receipt to try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="93"/>
        <source>Đang in phiếu…</source>
        <translation>Printing the notice…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="94"/>
        <source>Đang in phiếu… %1 %</source>
        <translation>Printing the notice… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="95"/>
        <source>Đã in phiếu cho công dân.</source>
        <translation>The notice for the citizen is printed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="96"/>
        <source>Chưa in được phiếu: %1 Bấm nút in phiếu để thử lại.</source>
        <translation>The notice was not printed: %1 Press the print button to try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="74"/>
        <source>In phiếu yêu cầu bổ sung (%1)</source>
        <translation>Print the supplement request (%1)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/dossier_prints.py" line="74"/>
        <source>In phiếu từ chối (%1)</source>
        <translation>Print the refusal notice (%1)</translation>
    </message>
</context>
<context>
    <name>DossierPage</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="731"/>
        <source>Đang in phiếu hẹn…</source>
        <translation>Printing the receipt…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="733"/>
        <source>Đã in phiếu hẹn.</source>
        <translation>The receipt was printed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="734"/>
        <source>Chưa in được: %1 Hồ sơ đã được lưu; bấm In phiếu hẹn để in lại.</source>
        <translation>Not printed: %1 The dossier is saved; press Print the receipt to try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="732"/>
        <source>Đang in phiếu hẹn… %1 %</source>
        <translation>Printing the receipt… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="808"/>
        <source>Hồ sơ chưa nộp</source>
        <translation>Dossier not submitted</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="809"/>
        <source>Hồ sơ này chưa được nộp. Giữ lại làm bản nháp?</source>
        <translation>This dossier has not been submitted. Keep it as a draft?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="810"/>
        <source>Giữ bản nháp</source>
        <translation>Keep the draft</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="811"/>
        <source>Bỏ hồ sơ</source>
        <translation>Drop the dossier</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="812"/>
        <source>Ở lại</source>
        <translation>Stay</translation>
    </message>
</context>
<context>
    <name>DossierWizard</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="430"/>
        <source>Bỏ, làm lại từ đầu</source>
        <translation>Drop it, start again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="433"/>
        <source>Lấy số thứ tự</source>
        <translation>Take a queue number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="350"/>
        <source>Người tham gia</source>
        <translation>People involved</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="357"/>
        <source>Giấy tờ</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="362"/>
        <source>Lệ phí và ngày hẹn</source>
        <translation>Fee and appointment</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="371"/>
        <source>Xem lại và nộp</source>
        <translation>Review and submit</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="391"/>
        <source>Hủy hồ sơ</source>
        <translation>Cancel the dossier</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="392"/>
        <source>Quay lại</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="393"/>
        <source>Tiếp tục</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="394"/>
        <source>Nộp hồ sơ</source>
        <translation>Submit</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="461"/>
        <source>từ chip của %1</source>
        <translation>from the chip of the %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="473"/>
        <source>Bước %1/%2: %3</source>
        <translation>Step %1/%2: %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="506"/>
        <source>Còn thiếu: %1</source>
        <translation>Still missing: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="538"/>
        <source>Lệ phí</source>
        <translation>Fee</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="538"/>
        <source>Tổng</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="541"/>
        <source>do tỉnh/cơ quan quy định</source>
        <translation>set by the province or agency</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="544"/>
        <source>Được miễn lệ phí.</source>
        <translation>Exempt from the fee.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="545"/>
        <source>chưa xác định được (có khoản do tỉnh quy định)</source>
        <translation>not known yet (a part is set by the province)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="551"/>
        <source>Thời hạn giải quyết: %1 ngày làm việc</source>
        <translation>Processing time: %1 working days</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="553"/>
        <source>Ngày hẹn trả kết quả (nếu nộp bây giờ): %1</source>
        <translation>Appointment date (if submitted now): %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="561"/>
        <source>từ chip</source>
        <translation>from the chip</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="579"/>
        <source>Có</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="579"/>
        <source>Không</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="584"/>
        <source>Bản quét đính kèm: %1</source>
        <translation>Scans attached: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="607"/>
        <source>Đang lưu hồ sơ…</source>
        <translation>Saving the dossier…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="639"/>
        <source>Phiên làm việc đã hết; bản nháp đã được giữ. Hãy đăng nhập lại.</source>
        <translation>The session has ended; the draft is kept. Sign in again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="643"/>
        <source>Lỗi không mong đợi (%1); hồ sơ chưa được lưu.</source>
        <translation>Unexpected error (%1); the dossier was not saved.</translation>
    </message>
</context>
<context>
    <name>Health</name>
    <message>
        <source>vừa xong</source>
        <translation>just now</translation>
    </message>
    <message>
        <source>%1 phút trước</source>
        <translation>%1 minutes ago</translation>
    </message>
    <message>
        <source>%1 giờ trước</source>
        <translation>%1 hours ago</translation>
    </message>
    <message>
        <source>%1 ngày trước</source>
        <translation>%1 days ago</translation>
    </message>
    <message>
        <source>Sao lưu KHÔNG thực hiện được (%1): %2</source>
        <translation>The backup FAILED (%1): %2</translation>
    </message>
    <message>
        <source>Chưa có bản sao lưu nào (thư mục sao lưu: %1).</source>
        <translation>No backup yet (backup folder: %1).</translation>
    </message>
    <message>
        <source>Sao lưu gần nhất: %1 (%2).</source>
        <translation>Last backup: %1 (%2).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="26"/>
        <source>Đang kiểm tra…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="29"/>
        <source>Đầu đọc thẻ sẵn sàng: %1</source>
        <translation>Card reader ready: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="30"/>
        <source>Chưa thấy đầu đọc thẻ. Hãy cắm đầu đọc vào máy.</source>
        <translation>No card reader found. Plug the reader into this computer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="31"/>
        <source>Dịch vụ thẻ thông minh (PC/SC) không chạy. Hãy khởi động lại máy hoặc báo quản trị.</source>
        <translation>The smart-card service (PC/SC) is not running. Restart the computer or call the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="34"/>
        <source>Máy in sẵn sàng: %1</source>
        <translation>Printer ready: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="35"/>
        <source>Không dùng được máy in. Kiểm tra máy in và cài đặt.</source>
        <translation>The printer cannot be used. Check the printer and the settings.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="38"/>
        <source>Đã kết nối máy chủ trung tâm.</source>
        <translation>Connected to the central hub.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="39"/>
        <source>Không kết nối được máy chủ trung tâm; kiosk vẫn làm việc và sẽ đồng bộ sau.</source>
        <translation>The central hub cannot be reached; the kiosk keeps working and will sync later.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="40"/>
        <source>Chưa cấu hình máy chủ trung tâm; dữ liệu được lưu trên máy này.</source>
        <translation>No central hub configured; data is kept on this computer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="43"/>
        <source>%1 bản ghi đang chờ đồng bộ.</source>
        <translation>%1 records waiting to sync.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="45"/>
        <source>Không có bản ghi nào chờ đồng bộ.</source>
        <translation>Nothing waiting to sync.</translation>
    </message>
</context>
<context>
    <name>HealthStatusBar</name>
    <message>
        <location filename="../../kiosk/ui/home.py" line="189"/>
        <source>Đầu đọc: sẵn sàng</source>
        <translation>Reader: ready</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="189"/>
        <source>Đầu đọc: không có</source>
        <translation>Reader: none</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="190"/>
        <source>Máy in: sẵn sàng</source>
        <translation>Printer: ready</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="190"/>
        <source>Máy in: lỗi</source>
        <translation>Printer: error</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="192"/>
        <source>Máy chủ: trực tuyến</source>
        <translation>Hub: online</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="193"/>
        <source>Máy chủ: ngoại tuyến</source>
        <translation>Hub: offline</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="194"/>
        <source>Máy chủ: chưa cấu hình</source>
        <translation>Hub: not configured</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="196"/>
        <source>Chờ đồng bộ: %1</source>
        <translation>Waiting to sync: %1</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Dữ liệu vừa được khôi phục từ bản sao lưu: quản trị viên phải đăng ký lại kiosk với máy chủ (kiosk enrol --rejoin) trước khi đồng bộ và nhận hồ sơ mới.</source>
        <translation>The data was just restored from a backup: the administrator must re-enrol this kiosk with the hub (kiosk enrol --rejoin) before it syncs and takes new dossiers.</translation>
    </message>
    <message>
        <source>Sao lưu</source>
        <translation>Backup</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="114"/>
        <source>Kiosk chưa đăng ký với máy chủ trung tâm; quản trị viên chạy &apos;kiosk enrol&apos;.</source>
        <translation>This kiosk is not enrolled with the central hub; the administrator runs &apos;kiosk enrol&apos;.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="116"/>
        <source>ĐỒNG BỘ ĐÃ DỪNG để bảo vệ dữ liệu (%1). Báo quản trị viên ngay.</source>
        <translation>SYNC STOPPED to protect the data (%1). Call the administrator now.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="177"/>
        <source>CẢNH BÁO: kiosk nói chuyện với máy chủ đồng bộ qua http:// KHÔNG MÃ HÓA (chỉ dùng trong phòng thử nghiệm, không dùng với dữ liệu thật).</source>
        <translation>WARNING: this kiosk talks to its sync hub over UNENCRYPTED http:// (for a lab only, never with real data).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="120"/>
        <source>Máy chủ báo nhật ký kiểm toán của kiosk không khớp (%1): báo quản trị viên.</source>
        <translation>The hub reports that this kiosk&apos;s audit log does not match (%1): tell the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="123"/>
        <source>Đồng bộ thành công lần cuối: %1</source>
        <translation>Last successful sync: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="125"/>
        <source>Chưa đồng bộ lần nào.</source>
        <translation>Never synced yet.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="127"/>
        <source>Lần thử gần nhất chưa được: %1</source>
        <translation>The last attempt failed: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="140"/>
        <source>Xin chào, %1</source>
        <translation>Hello, %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="141"/>
        <source>Đồng bộ ngay</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="142"/>
        <source>Chọn máy in…</source>
        <translation>Choose printer…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="149"/>
        <source>Đầu đọc thẻ</source>
        <translation>Card reader</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="150"/>
        <source>Máy in</source>
        <translation>Printer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="151"/>
        <source>Máy chủ trung tâm</source>
        <translation>Central hub</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/home.py" line="152"/>
        <source>Đồng bộ</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>CẦN XỬ LÝ (%1):</source>
        <translation>TO DO (%1):</translation>
    </message>
    <message>
        <source>In lại phiếu hẹn mã mới %1</source>
        <translation>Print the new receipt %1</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../../kiosk/ui/login.py" line="95"/>
        <location filename="../../kiosk/ui/login.py" line="99"/>
        <location filename="../../kiosk/ui/login.py" line="116"/>
        <source>Đăng nhập</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="96"/>
        <source>Kiosk tiếp nhận hồ sơ — Công an phường</source>
        <translation>Dossier reception kiosk — ward police</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="97"/>
        <source>&amp;Tên đăng nhập</source>
        <translation>&amp;Username</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="98"/>
        <source>&amp;Mật khẩu</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="99"/>
        <source>Đang mở dữ liệu…</source>
        <translation>Opening data…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="116"/>
        <source>Đang kiểm tra…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/login.py" line="134"/>
        <source>Hãy nhập tên đăng nhập và mật khẩu.</source>
        <translation>Enter your username and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="121"/>
        <source>Kiosk tiếp dân — Công an phường</source>
        <translation>Citizen reception kiosk — ward police</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="160"/>
        <source>Chế độ trình diễn: đăng nhập bằng tài khoản &apos;canbo&apos;, mật khẩu &apos;TiepDan@2025&apos;.</source>
        <translation>Demo mode: sign in as &apos;canbo&apos; with the password &apos;TiepDan@2025&apos;.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="167"/>
        <source>Tài khoản quản trị ban đầu</source>
        <translation>Initial administrator account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="169"/>
        <source>Đây là lần khởi động đầu tiên. Đã tạo tài khoản quản trị &apos;admin&apos; với mật khẩu dùng một lần:

%1

Mật khẩu chỉ hiển thị lần này. Hãy ghi lại; khi đăng nhập bạn sẽ phải đổi mật khẩu.</source>
        <translation>This is the first start. An administrator account &apos;admin&apos; was created with the one-time password:

%1

It is shown only this once. Write it down; you will have to change it when you sign in.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="186"/>
        <source>Không mở được dữ liệu của kiosk.</source>
        <translation>The kiosk&apos;s data could not be opened.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="188"/>
        <source>Không mở được dữ liệu của kiosk: %1</source>
        <translation>The kiosk&apos;s data could not be opened: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="189"/>
        <source>Hãy báo quản trị viên. Kiosk không tạo dữ liệu mới đè lên dữ liệu cũ.</source>
        <translation>Call the administrator. The kiosk never creates new data over the old.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="221"/>
        <source>Đọc thẻ (F2)</source>
        <translation>Read card (F2)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="226"/>
        <source>Tiếp nhận hồ sơ (F3)</source>
        <translation>Receive a dossier (F3)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="230"/>
        <source>Tra cứu hồ sơ (F4)</source>
        <translation>Check a dossier (F4)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="235"/>
        <source>Tài khoản định danh (F5)</source>
        <translation>Identity account (F5)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="239"/>
        <source>Hồ sơ đã nhận (F6)</source>
        <translation>Received dossiers (F6)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="243"/>
        <source>Nhân sự (F7)</source>
        <translation>Staff (F7)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="297"/>
        <source>Tài khoản tạm bị khóa do nhập sai mật khẩu nhiều lần. Thử lại sau %1 (giờ UTC).</source>
        <translation>The account is locked after too many wrong passwords. Try again after %1 (UTC).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="302"/>
        <source>Tên đăng nhập hoặc mật khẩu không đúng.</source>
        <translation>Wrong username or password.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="304"/>
        <source>Không đăng nhập được: %1</source>
        <translation>Could not sign in: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="312"/>
        <source>Mật khẩu hiện tại không đúng.</source>
        <translation>The current password is wrong.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/mainwindow.py" line="357"/>
        <source>Phiên làm việc đã kết thúc vì không có thao tác. Hãy đăng nhập lại.</source>
        <translation>The session ended after inactivity. Sign in again.</translation>
    </message>
    <message>
        <source>Đang in lại phiếu hẹn mã mới…</source>
        <translation>Printing the receipt with the new code…</translation>
    </message>
    <message>
        <source>Đang in lại phiếu hẹn mã mới… %1 %</source>
        <translation>Printing the receipt with the new code… %1 %</translation>
    </message>
    <message>
        <source>Đã in lại phiếu hẹn mã mới; hãy đưa cho công dân và thu lại phiếu cũ.</source>
        <translation>The receipt with the new code is printed; give it to the citizen and take back the old one.</translation>
    </message>
    <message>
        <source>Chưa in được: %1 Bấm nút in lại để thử lại.</source>
        <translation>Not printed: %1 Press the print button to try again.</translation>
    </message>
</context>
<context>
    <name>PersonsStep</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="176"/>
        <source>Đọc thẻ của từng người ở trang Đọc thẻ (F2), bấm &apos;Dùng công dân này&apos;, rồi quay lại đây và bấm &apos;Lấy thẻ vừa đọc&apos;. Người không có thẻ: nhập tay ở các bước sau.</source>
        <translation>Read each person&apos;s card on the Read card page (F2), press &apos;Use this citizen&apos;, then come back here and press &apos;Take the card just read&apos;. People without a card: type their data in the next steps.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="180"/>
        <source>Lấy thẻ vừa đọc</source>
        <translation>Take the card just read</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="181"/>
        <source>Bỏ</source>
        <translation>Remove</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="192"/>
        <source>Chưa có thẻ vừa đọc: hãy đọc thẻ ở trang Đọc thẻ (F2) trước.</source>
        <translation>No card read yet: read it on the Read card page (F2) first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="202"/>
        <source>Thẻ này đã được dùng cho người khác trong hồ sơ.</source>
        <translation>This card is already used for another person of the dossier.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="217"/>
        <source>chưa có — nhập tay ở các bước sau</source>
        <translation>none — type the data in the next steps</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="217"/>
        <source>chưa đọc thẻ</source>
        <translation>card not read yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="220"/>
        <source>%1, số định danh %2 (từ chip)</source>
        <translation>%1, ID number %2 (from the chip)</translation>
    </message>
</context>
<context>
    <name>PrinterDialog</name>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="220"/>
        <source>Chọn thư mục lưu phiếu PDF</source>
        <translation>Choose the folder for PDF receipts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="229"/>
        <source>Đang lưu…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="264"/>
        <source>Thư mục PDF: %1</source>
        <translation>PDF folder: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="266"/>
        <source>Máy in của hệ điều hành: %1</source>
        <translation>System printer: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="266"/>
        <source>máy in mặc định</source>
        <translation>the default printer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="267"/>
        <source>Máy in nhiệt ESC/POS: %1</source>
        <translation>ESC/POS thermal printer: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="278"/>
        <location filename="../../kiosk/ui/printer_dialog.py" line="307"/>
        <source>Tài khoản của bạn không được phép chọn máy in. Hãy nhờ chỉ huy hoặc quản trị viên.</source>
        <translation>Your account may not choose the printer. Ask a supervisor or the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="279"/>
        <source>Không lưu được lựa chọn máy in: %1</source>
        <translation>The printer choice could not be saved: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="282"/>
        <source>Quản trị viên đã khóa lựa chọn máy in trên máy này (tệp %1). Kiosk vẫn in ra máy in đang dùng; muốn đổi, hãy báo quản trị viên.</source>
        <translation>The administrator has locked the printer choice on this computer (file %1). The kiosk keeps printing to the printer in use; to change it, ask the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="300"/>
        <location filename="../../kiosk/ui/printer_dialog.py" line="301"/>
        <source>Chọn máy in</source>
        <translation>Choose printer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="303"/>
        <source>Đang in ra: %1</source>
        <translation>Printing to: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="310"/>
        <source>Lưu ý: biến môi trường KIOSK_PRINTER_KIND/KIOSK_PRINTER_TARGET đang đặt máy in. Lựa chọn ở đây dùng ngay, nhưng lần khởi động sau kiosk lại theo biến môi trường.</source>
        <translation>Note: the environment variables KIOSK_PRINTER_KIND/KIOSK_PRINTER_TARGET set the printer. A choice made here applies at once, but at the next start the kiosk follows the environment variables again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="318"/>
        <source>Loại máy in:</source>
        <translation>Kind of printer:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="319"/>
        <source>Thư mục PDF: lưu mỗi phiếu thành một tệp PDF</source>
        <translation>PDF folder: each receipt is saved as a PDF file</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="320"/>
        <source>Máy in của hệ điều hành (máy in văn phòng, khổ A4/A5)</source>
        <translation>System printer (an office printer, A4/A5 paper)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="321"/>
        <source>Máy in nhiệt ESC/POS (cuộn giấy 80 mm) qua USB, cổng nối tiếp hoặc mạng</source>
        <translation>ESC/POS thermal printer (80 mm roll) over USB, serial port or network</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="323"/>
        <source>Thư mục lưu phiếu:</source>
        <translation>Folder for receipts:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="324"/>
        <source>Chọn thư mục…</source>
        <translation>Choose folder…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="325"/>
        <source>Thư mục chưa có sẽ được tạo khi in phiếu đầu tiên.</source>
        <translation>A folder that does not exist yet is created when the first receipt is printed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="328"/>
        <source>Chọn một máy in đã cài trên máy tính này:</source>
        <translation>Choose a printer installed on this computer:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="332"/>
        <source>%1 (mặc định)</source>
        <translation>%1 (default)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="334"/>
        <source>Máy tính này chưa cài máy in nào. Hãy cài máy in trong hệ điều hành (hoặc nhờ quản trị viên), rồi mở lại hộp thoại này.</source>
        <translation>No printer is installed on this computer. Install one in the operating system (or ask the administrator), then open this dialog again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="336"/>
        <source>Địa chỉ máy in:</source>
        <translation>Printer address:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="338"/>
        <source>Máy in mạng: tcp://192.168.1.50:9100
Máy in USB: usb://04b8:0e15 (mã hãng:mã máy, hệ 16)
Cổng nối tiếp: serial:///dev/ttyUSB0?baudrate=19200</source>
        <translation>Network printer: tcp://192.168.1.50:9100
USB printer: usb://04b8:0e15 (vendor:product id, hexadecimal)
Serial port: serial:///dev/ttyUSB0?baudrate=19200</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="341"/>
        <source>Lưu</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/printer_dialog.py" line="342"/>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>ResultView</name>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="256"/>
        <source>Họ, chữ đệm và tên</source>
        <translation>Full name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="257"/>
        <source>Số định danh cá nhân</source>
        <translation>Personal ID number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="258"/>
        <source>Ngày sinh</source>
        <translation>Date of birth</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="259"/>
        <source>Giới tính</source>
        <translation>Sex</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="260"/>
        <source>Quốc tịch</source>
        <translation>Nationality</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="261"/>
        <source>Dân tộc</source>
        <translation>Ethnicity</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="262"/>
        <source>Tôn giáo</source>
        <translation>Religion</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="263"/>
        <source>Quê quán</source>
        <translation>Place of origin</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="264"/>
        <source>Nơi thường trú</source>
        <translation>Permanent residence</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="265"/>
        <source>Đặc điểm nhân dạng</source>
        <translation>Identifying features</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="266"/>
        <source>Ngày cấp</source>
        <translation>Date of issue</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="267"/>
        <source>Có giá trị đến</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="268"/>
        <source>Họ tên cha</source>
        <translation>Father&apos;s name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="269"/>
        <source>Họ tên mẹ</source>
        <translation>Mother&apos;s name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="270"/>
        <source>Họ tên vợ/chồng</source>
        <translation>Spouse&apos;s name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="271"/>
        <source>Số CMND cũ</source>
        <translation>Old ID card number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="290"/>
        <source>Không hiển thị được ảnh</source>
        <translation>The photo cannot be shown</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="305"/>
        <source>(không có trên chip)</source>
        <translation>(not on the chip)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/card_page.py" line="319"/>
        <source>Lưu ý: dữ liệu MRZ và dữ liệu cá nhân trên chip không khớp (%1).</source>
        <translation>Note: the MRZ and the personal data on the chip do not match (%1).</translation>
    </message>
</context>
<context>
    <name>RoleLabels</name>
    <message>
        <location filename="../../kiosk/ui/role_labels.py" line="18"/>
        <source>Cán bộ tiếp dân</source>
        <translation>Counter officer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/role_labels.py" line="19"/>
        <source>Chỉ huy (lãnh đạo, giám sát)</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/role_labels.py" line="20"/>
        <source>Quản trị viên</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/role_labels.py" line="21"/>
        <source>Kiosk tự phục vụ</source>
        <translation>Self-service kiosk</translation>
    </message>
</context>
<context>
    <name>SelfServiceShell</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="84"/>
        <source>⟵ Về màn hình chính</source>
        <translation>⟵ Back to the start</translation>
    </message>
</context>
<context>
    <name>ServicePicker</name>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="99"/>
        <source>Chọn dịch vụ công</source>
        <translation>Choose a public service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="100"/>
        <source>Tìm theo tên hoặc số (ví dụ: tam tru, 4)</source>
        <translation>Search by name or number (e.g. tam tru, 4)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/wizard.py" line="101"/>
        <source>Bản nháp của bạn (Enter để tiếp tục)</source>
        <translation>Your drafts (Enter to continue)</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="70"/>
        <source>Trang chủ</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="114"/>
        <source>cán bộ tiếp dân</source>
        <translation>counter officer</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="115"/>
        <source>chỉ huy</source>
        <translation>supervisor</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="116"/>
        <source>quản trị</source>
        <translation>administrator</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="117"/>
        <source>kiosk tự phục vụ</source>
        <translation>self-service kiosk</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="120"/>
        <source>%1 — vai trò: %2</source>
        <translation>%1 — role: %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/shell.py" line="121"/>
        <source>Đăng xuất (Ctrl+L)</source>
        <translation>Log out (Ctrl+L)</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="294"/>
        <source>Nhân sự</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="296"/>
        <location filename="../../kiosk/ui/staff_page.py" line="304"/>
        <source>Tên đăng nhập</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="296"/>
        <location filename="../../kiosk/ui/staff_page.py" line="305"/>
        <source>Họ và tên</source>
        <translation>Full name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="296"/>
        <location filename="../../kiosk/ui/staff_page.py" line="306"/>
        <source>Vai trò</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="296"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="297"/>
        <source>Đăng nhập lần cuối</source>
        <translation>Last login</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="387"/>
        <source>Tài khoản của bạn không được quản lý nhân sự. Việc này do quản trị viên làm.</source>
        <translation>Your account may not manage staff. An administrator does this.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="389"/>
        <source>Không tìm thấy tài khoản này (có thể đã bị xoá khỏi kiosk).</source>
        <translation>This account was not found (it may have been removed from the kiosk).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="391"/>
        <source>Phiên làm việc đã kết thúc. Hãy đăng nhập lại.</source>
        <translation>Your session has ended. Please log in again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="392"/>
        <source>Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên.</source>
        <translation>Unexpected error (%1). Try again or tell the administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="414"/>
        <source>Thêm cán bộ, khóa hoặc mở khóa tài khoản, cấp lại mật khẩu dùng một lần. Mỗi thay đổi được ghi vào nhật ký của kiosk.</source>
        <translation>Add staff, lock or unlock accounts, issue one-time passwords. Every change is recorded in the kiosk&apos;s audit log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="417"/>
        <source>Bạn chỉ được xem danh sách nhân sự. Thêm người, khóa tài khoản hay cấp lại mật khẩu do quản trị viên làm.</source>
        <translation>You may only view the staff list. Adding people, locking accounts and issuing new passwords are done by an administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="420"/>
        <source>Tài khoản của bạn không được xem danh sách nhân sự. Việc này do quản trị viên hoặc chỉ huy làm.</source>
        <translation>Your account may not view the staff list. An administrator or a supervisor does this.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="440"/>
        <source>Đang tải danh sách…</source>
        <translation>Loading the list…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_page.py" line="497"/>
        <source>chưa đăng nhập</source>
        <translation>never logged in</translation>
    </message>
</context>
<context>
    <name>StaffActions</name>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="197"/>
        <source>Đây là tài khoản bạn đang dùng: bạn không tự khóa được. Nếu cần khóa, hãy nhờ một quản trị viên khác.</source>
        <translation>This is the account you are using: you cannot lock it yourself. If it must be locked, ask another administrator.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="132"/>
        <source>Người được chọn</source>
        <translation>Selected person</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="133"/>
        <source>Cấp lại mật khẩu</source>
        <translation>Issue a new password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="134"/>
        <location filename="../../kiosk/ui/staff_actions.py" line="246"/>
        <source>Mở khóa đăng nhập</source>
        <translation>Unlock login</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="135"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="136"/>
        <source>Đã ghi lại, ẩn mật khẩu</source>
        <translation>Noted, hide the password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="367"/>
        <source>Mật khẩu chỉ hiển thị lần này. Hãy đọc hoặc đưa riêng cho người đó; khi đăng nhập họ sẽ phải đổi sang mật khẩu của riêng mình. Mật khẩu cũ không còn dùng được.</source>
        <translation>The password is shown only this once. Read it out or hand it to the person privately; at login they will have to change it to a password of their own. The old password no longer works.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="166"/>
        <source>Chọn một người trong danh sách để khóa, mở khóa tài khoản hoặc cấp lại mật khẩu.</source>
        <translation>Select a person in the list to lock or unlock their account or issue a new password.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="168"/>
        <location filename="../../kiosk/ui/staff_actions.py" line="241"/>
        <location filename="../../kiosk/ui/staff_actions.py" line="173"/>
        <source>Khóa tài khoản</source>
        <translation>Lock account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="189"/>
        <source>Đang dùng</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="189"/>
        <source>Đã khóa</source>
        <translation>Locked</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="191"/>
        <source>tạm khóa vì nhập sai mật khẩu nhiều lần</source>
        <translation>temporarily locked after repeated wrong passwords</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="193"/>
        <source>chờ đổi mật khẩu</source>
        <translation>must change password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="240"/>
        <source>Khóa tài khoản %1 (%2)? Người này sẽ không đăng nhập được nữa; phiên đang mở của họ kết thúc ngay. Có thể mở khóa lại sau.</source>
        <translation>Lock the account of %1 (%2)? This person will no longer be able to log in; their open session ends now. It can be unlocked later.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="242"/>
        <source>Mở khóa tài khoản %1 (%2)? Người này sẽ đăng nhập lại được bằng mật khẩu của họ.</source>
        <translation>Unlock the account of %1 (%2)? This person will be able to log in again with their password.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="243"/>
        <location filename="../../kiosk/ui/staff_actions.py" line="173"/>
        <source>Mở khóa</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="244"/>
        <source>Mở khóa đăng nhập cho %1 (%2) ngay? Tài khoản đang tạm khóa vì nhập sai mật khẩu nhiều lần; nếu lại sai nhiều lần, lần khóa sau bắt đầu lại từ 5 phút.</source>
        <translation>Unlock login for %1 (%2) now? The account is locked for a while after repeated wrong passwords; if it happens again, the next lock starts at 5 minutes again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="247"/>
        <source>Cấp mật khẩu dùng một lần mới cho %1 (%2)? Mật khẩu hiện tại của họ sẽ không dùng được nữa; khi đăng nhập họ phải đổi sang mật khẩu của riêng mình.</source>
        <translation>Issue a new one-time password for %1 (%2)? Their current password will stop working; at their next login they must change it to a password of their own.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="249"/>
        <source>Cấp mật khẩu mới</source>
        <translation>Issue new password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="290"/>
        <source>Đang mở khóa tài khoản…</source>
        <translation>Unlocking the account…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="294"/>
        <source>Đang khóa tài khoản…</source>
        <translation>Locking the account…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="303"/>
        <source>Đang mở khóa đăng nhập…</source>
        <translation>Unlocking login…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="352"/>
        <source>Đang tạo mật khẩu mới…</source>
        <translation>Creating a new password…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="291"/>
        <source>Đã mở khóa tài khoản %1: người này đăng nhập lại được.</source>
        <translation>Account %1 unlocked: this person can log in again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="295"/>
        <source>Đã khóa tài khoản %1: người này không đăng nhập được nữa, phiên đang mở của họ đã kết thúc.</source>
        <translation>Account %1 locked: this person can no longer log in, and their open session has ended.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="304"/>
        <source>Đã mở khóa đăng nhập cho %1: người này đăng nhập được ngay.</source>
        <translation>Login unlocked for %1: this person can log in at once.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="364"/>
        <source>Mật khẩu dùng một lần mới của %1 (%2):</source>
        <translation>New one-time password for %1 (%2):</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_actions.py" line="170"/>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2) · %3 · %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; (%2) · %3 · %4</translation>
    </message>
</context>
<context>
    <name>StaffAddForm</name>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="127"/>
        <location filename="../../kiosk/ui/staff_form.py" line="139"/>
        <source>Thêm người</source>
        <translation>Add person</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="128"/>
        <source>Tên đăng nhập</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="129"/>
        <source>Họ và tên</source>
        <translation>Full name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="130"/>
        <source>Vai trò</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="131"/>
        <source>Mật khẩu</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="132"/>
        <source>Nhập lại mật khẩu</source>
        <translation>Password again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="133"/>
        <source>vd. nguyenvana</source>
        <translation>e.g. nguyenvana</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="134"/>
        <source>Chữ thường không dấu, chữ số và . _ -</source>
        <translation>Lowercase letters without accents, digits and . _ -</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="135"/>
        <source>vd. Nguyễn Văn A</source>
        <translation>e.g. Nguyễn Văn A</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="181"/>
        <source>Hai lần nhập mật khẩu không khớp.</source>
        <translation>The two passwords do not match.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="194"/>
        <source>Đang thêm…</source>
        <translation>Adding…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="136"/>
        <source>Ít nhất %1 ký tự, trộn hai loại ký tự; không dùng mật khẩu phổ biến, tên đăng nhập hay tên trạm. Báo riêng cho người đó.</source>
        <translation>At least %1 characters mixing two kinds of character; not a common password, the username or the station's name. Tell it to the person privately.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_form.py" line="211"/>
        <source>Đã thêm %1 (%2), vai trò %3. Người này đăng nhập được ngay bằng mật khẩu vừa đặt.</source>
        <translation>Added %1 (%2) as %3. This person can log in now with the password just set.</translation>
    </message>
</context>
<context>
    <name>StatusCheckPage</name>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="75"/>
        <source>Tra cứu hồ sơ</source>
        <translation>Check a dossier</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="76"/>
        <source>Đưa mã QR trên phiếu hẹn vào máy quét, hoặc nhập mã hồ sơ rồi bấm Tra cứu.</source>
        <translation>Hold the receipt&apos;s QR code to the scanner, or type the dossier code and press Check.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="77"/>
        <source>Mã QR hoặc mã hồ sơ</source>
        <translation>QR code or dossier code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="78"/>
        <source>Tra cứu</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="79"/>
        <source>Quét bằng camera</source>
        <translation>Scan with the camera</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="102"/>
        <source>Không tra cứu được lúc này (%1). Hỏi cán bộ tại quầy.</source>
        <translation>The check cannot be done now (%1). Ask at the counter.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="114"/>
        <source>Mã hồ sơ</source>
        <translation>Dossier code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="114"/>
        <source>Dịch vụ</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="115"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="115"/>
        <source>Ngày hẹn trả kết quả</source>
        <translation>Appointment date</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="136"/>
        <source>Trạng thái lấy từ máy chủ của trạm vừa xong.</source>
        <translation>Status just fetched from the station&apos;s hub.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="140"/>
        <source>Kiosk đang mất kết nối máy chủ: trạng thái theo dữ liệu lưu tại kiosk.</source>
        <translation>This kiosk cannot reach the hub: the status is the one stored on this kiosk.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="156"/>
        <source>Không thấy camera. Dùng máy quét mã QR hoặc nhập mã hồ sơ.</source>
        <translation>No camera found. Use the QR scanner or type the dossier code.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_check.py" line="187"/>
        <source>Camera chưa đọc được mã QR. Giữ phiếu hẹn gần camera hơn rồi thử lại.</source>
        <translation>The camera could not read the QR code. Hold the receipt closer and try again.</translation>
    </message>
</context>
<context>
    <name>Welcome</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="82"/>
        <source>Xin chào! Bạn cần làm gì hôm nay?</source>
        <translation>Hello! What do you need today?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="83"/>
        <source>Tìm hiểu thủ tục</source>
        <translation>Learn about a procedure</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="84"/>
        <source>Lấy số thứ tự</source>
        <translation>Take a queue number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="85"/>
        <source>Tra cứu hồ sơ</source>
        <translation>Check a dossier</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="86"/>
        <source>Đánh giá dịch vụ</source>
        <translation>Rate our service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="50"/>
        <source>Xin chào! Kiosk tự phục vụ của Công an phường</source>
        <translation>Welcome! The ward police self-service kiosk</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="51"/>
        <source>Tra cứu hồ sơ bằng phiếu hẹn</source>
        <translation>Check a dossier with its receipt</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../kiosk/ui/main.py" line="30"/>
        <source>Đã xảy ra lỗi</source>
        <translation>Something went wrong</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="32"/>
        <source>Kiosk gặp lỗi không mong đợi. Dữ liệu đã lưu không bị mất. Chi tiết đã được ghi vào nhật ký.</source>
        <translation>The kiosk met an unexpected error. Saved data is not lost. The details are in the log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="34"/>
        <source>Tiếp tục làm việc</source>
        <translation>Continue working</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main.py" line="35"/>
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>ServiceInfo</name>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>chưa xác nhận — cán bộ kiểm tra</source>
        <translation>unconfirmed — officer to check</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>do tỉnh/cơ quan quy định</source>
        <translation>set by the province or body</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Được miễn lệ phí</source>
        <translation>Exempt from the fee</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>căn cứ</source>
        <translation>under</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Giấy tờ cần xem</source>
        <translation>Evidence to see</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>chưa có mã</source>
        <translation>no code yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Mã thủ tục</source>
        <translation>Procedure code</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Nơi tiếp nhận</source>
        <translation>Received at</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Tờ khai</source>
        <translation>Form</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Phiếu tiếp nhận</source>
        <translation>Receipt form</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Lệ phí</source>
        <translation>Fee</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Không thu</source>
        <translation>No fee</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>trực tuyến</source>
        <translation>online</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Đối tượng được miễn:</source>
        <translation>Exempt categories:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>trong ngày</source>
        <translation>same day</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>giải quyết ngay</source>
        <translation>at once</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>theo lịch năm</source>
        <translation>by the year's calendar</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>ngay khi nộp tiền</source>
        <translation>on payment</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>%1 ngày làm việc</source>
        <translation>%1 working days</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>%1 ngày khi đủ điều kiện</source>
        <translation>%1 days when the condition holds</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Thời hạn giải quyết</source>
        <translation>Processing time</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/service_info.py" line="1"/>
        <source>Người đại diện</source>
        <translation>Representative</translation>
    </message>
</context>
<context>
    <name>ServiceChooser</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="153"/>
        <source>⟵ Các nhóm khác</source>
        <translation>⟵ Other groups</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="149"/>
        <source>Chọn nhóm việc bạn cần</source>
        <translation>Choose what your matter is about</translation>
    </message>
</context>
<context>
    <name>GuidePage</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="209"/>
        <source>⟵ Dịch vụ khác</source>
        <translation>⟵ Other services</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="210"/>
        <source>In danh sách giấy tờ</source>
        <translation>Print the checklist</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="211"/>
        <source>Lấy số cho dịch vụ này</source>
        <translation>Take a number for this service</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="230"/>
        <source>Để làm gì</source>
        <translation>What it is for</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="231"/>
        <source>Ai được yêu cầu</source>
        <translation>Who may ask</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="232"/>
        <source>Giấy tờ cần mang</source>
        <translation>Documents to bring</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="233"/>
        <source>Lệ phí (nộp trực tiếp / trực tuyến)</source>
        <translation>Fees (in person / online)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="234"/>
        <source>Thời hạn giải quyết</source>
        <translation>Processing time</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="236"/>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="248"/>
        <source>Đang in danh sách giấy tờ…</source>
        <translation>Printing the checklist…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="248"/>
        <source>Đang in… %1 %</source>
        <translation>Printing… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="249"/>
        <source>Đã in. Mời bạn lấy phiếu ở khe máy in.</source>
        <translation>Printed. Please take the slip from the printer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="250"/>
        <source>Chưa in được: %1</source>
        <translation>Could not print: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="239"/>
        <source>Một số thông tin chưa được xác nhận; hãy hỏi lại cán bộ tại quầy.</source>
        <translation>Some details are not confirmed yet; please ask at the counter.</translation>
    </message>
</context>
<context>
    <name>CardStep</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="320"/>
        <source>Điền sẵn tờ khai từ thẻ căn cước của bạn?</source>
        <translation>Fill in your form from your identity card?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="327"/>
        <source>Đồng ý, đọc thẻ</source>
        <translation>I agree, read my card</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="328"/>
        <source>Không, tôi tự điền</source>
        <translation>No, I will type it myself</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="329"/>
        <source>Lấy số ngay, không điền tờ khai</source>
        <translation>Just a number, no form</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="330"/>
        <source>Đặt thẻ căn cước lên đầu đọc và để nguyên thẻ ở đó đến khi nhận phiếu. Nhập 6 số in trên thẻ (số truy cập thẻ — CAN) rồi bấm Đọc thẻ.</source>
        <translation>Lay your identity card on the reader and leave it there until you have your ticket. Enter the 6 digits printed on the card (the card access number, CAN) and press Read card.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="366"/>
        <source>Chưa thấy thẻ trên đầu đọc.</source>
        <translation>No card on the reader yet.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="367"/>
        <source>Đã có thẻ trên đầu đọc.</source>
        <translation>The card is on the reader.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="368"/>
        <source>Đang đọc thẻ, giữ yên thẻ…</source>
        <translation>Reading the card, keep it still…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="369"/>
        <source>Số truy cập thẻ (CAN) gồm đúng 6 chữ số in trên thẻ.</source>
        <translation>The card access number (CAN) is the 6 digits printed on the card.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="370"/>
        <source>Thẻ không nhận số vừa nhập. Kiểm tra lại 6 số in trên thẻ rồi thử lại.</source>
        <translation>The card did not accept that number. Check the 6 digits printed on the card and try again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="371"/>
        <source>Không đọc được thẻ: %1</source>
        <translation>The card could not be read: %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="375"/>
        <source>Chưa đọc được thẻ. Đặt lại thẻ lên đầu đọc rồi bấm Đọc thẻ, hoặc hỏi cán bộ.</source>
        <translation>The card was not read. Lay it on the reader again and tap Read card, or ask an officer.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="308"/>
        <source>Đọc thẻ</source>
        <translation>Read card</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="321"/>
        <source>Nếu bạn đồng ý, kiosk đọc chip thẻ căn cước của bạn (họ tên, số định danh, ngày sinh, nơi cư trú và các thông tin khác trên chip) chỉ để điền sẵn tờ khai của dịch vụ bạn chọn; cán bộ tiếp nhận dùng tờ khai này khi gọi số của bạn. Ảnh chân dung không được lưu. Thông tin bị xóa khỏi màn hình khi bạn rút thẻ hoặc sau %1 giây không thao tác, và bị xóa khỏi kiosk cuối ngày nếu chưa được gọi số (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15).</source>
        <translation>If you agree, the kiosk reads the chip of your identity card (name, personal ID number, date of birth, residence and the other data on the chip) only to fill in the form of the service you chose; the officer uses this form when your number is called. Your portrait is not kept. The data leave the screen when you take your card away or after %1 seconds without a touch, and leave the kiosk at the end of the day if your number was not called (Personal Data Protection Law No. 91/2025/QH15).</translation>
    </message>
</context>
<context>
    <name>TicketView</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="445"/>
        <source>Số thứ tự của bạn</source>
        <translation>Your queue number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="446"/>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="465"/>
        <source>Hãy lấy phiếu ở khe máy in và lấy lại thẻ căn cước của bạn.</source>
        <translation>Take your ticket from the printer and take back your identity card.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="464"/>
        <source>Bạn là người tiếp theo của nhóm quầy này.</source>
        <translation>You are next for this group of counters.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="459"/>
        <source>Quầy phục vụ nhóm %1</source>
        <translation>Counters of group %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="461"/>
        <source>Có %1 người chờ trước bạn; thời gian chờ dự kiến khoảng %2 phút.</source>
        <translation>%1 people are ahead of you; the estimated wait is about %2 minutes.</translation>
    </message>
</context>
<context>
    <name>TakeNumberPage</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="526"/>
        <source>Thẻ không qua được kiểm tra của kiosk nên không dùng để điền sẵn; bạn vẫn có thể tự điền tờ khai.</source>
        <translation>The card did not pass the kiosk's checks, so it fills nothing in; you can still type the form yourself.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="567"/>
        <source>Đang in phiếu…</source>
        <translation>Printing the ticket…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="567"/>
        <source>Đang in phiếu… %1 %</source>
        <translation>Printing the ticket… %1 %</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="568"/>
        <source>Đã in phiếu.</source>
        <translation>Ticket printed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="568"/>
        <source>Chưa in được phiếu: %1 Hãy báo cán bộ trong sảnh.</source>
        <translation>The ticket could not be printed: %1 Please tell a staff member in the hall.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="534"/>
        <source>Đã đọc thẻ của %1. %2</source>
        <translation>Card of %1 read. %2</translation>
    </message>
</context>
<context>
    <name>CodePad</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="633"/>
        <source>Nhập 10 số cuối của mã hồ sơ in trên phiếu hẹn (ngày nhận và số thứ tự), ví dụ 261125 0001.</source>
        <translation>Enter the last 10 digits of the dossier code printed on your receipt (the day and the number), e.g. 261125 0001.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="626"/>
        <source>Tra cứu</source>
        <translation>Check</translation>
    </message>
</context>
<context>
    <name>StatusPage</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="681"/>
        <source>Đánh giá dịch vụ cho hồ sơ này</source>
        <translation>Rate the service for this dossier</translation>
    </message>
</context>
<context>
    <name>RatingPage</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="753"/>
        <source>Rất hài lòng</source>
        <translation>Very satisfied</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="754"/>
        <source>Hài lòng</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="755"/>
        <source>Không hài lòng</source>
        <translation>Not satisfied</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="756"/>
        <source>Lý do (không bắt buộc):</source>
        <translation>Reason (optional):</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="757"/>
        <source>Gửi đánh giá</source>
        <translation>Send the rating</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="783"/>
        <source>Cảm ơn bạn đã đánh giá!</source>
        <translation>Thank you for your rating!</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="752"/>
        <source>Bạn đánh giá thế nào về việc giải quyết hồ sơ %1?</source>
        <translation>How would you rate the handling of dossier %1?</translation>
    </message>
</context>
<context>
    <name>ExitPage</name>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="841"/>
        <source>Dành cho cán bộ: nhập mã PIN quản trị để thoát chế độ kiosk.</source>
        <translation>Staff only: enter the administrator's PIN to leave the kiosk mode.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="835"/>
        <source>Thoát</source>
        <translation>Leave</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="857"/>
        <source>Mã PIN không đúng.</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/selfservice.py" line="863"/>
        <source>Nhập sai quá nhiều lần; thử lại sau %1 (giờ UTC).</source>
        <translation>Too many wrong PINs; try again after %1 (UTC).</translation>
    </message>
</context>
<context>
    <name>TouchKeyboard</name>
    <message>
        <location filename="../../kiosk/ui/touch_input.py" line="136"/>
        <source>dấu cách</source>
        <translation>space</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/touch_input.py" line="137"/>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/touch_input.py" line="138"/>
        <source>Gõ Telex: bật</source>
        <translation>Telex typing: on</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/touch_input.py" line="138"/>
        <source>Gõ Telex: tắt</source>
        <translation>Telex typing: off</translation>
    </message>
</context>
<context>
    <name>NumPad</name>
    <message>
        <location filename="../../kiosk/ui/touch_input.py" line="242"/>
        <source>Đồng ý</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>HallDisplay</name>
    <message>
        <location filename="../../kiosk/ui/hall_display.py" line="159"/>
        <source>MỜI CÔNG DÂN CÓ SỐ — NOW SERVING</source>
        <translation>NOW SERVING — MỜI CÔNG DÂN CÓ SỐ</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/hall_display.py" line="165"/>
        <source>Chưa gọi số nào</source>
        <translation>No number called yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/hall_display.py" line="173"/>
        <source>Bảng số tạm thời không cập nhật được. Khi được gọi, mời công dân mang phiếu đến quầy.</source>
        <translation>The board cannot update for now. When called, please bring your ticket to the counter.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/hall_display.py" line="171"/>
        <source>Nhóm %1: %2 người chờ</source>
        <translation>Group %1: %2 waiting</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="96"/>
        <source>Gọi số tiếp theo (F8)</source>
        <translation>Call the next number (F8)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="97"/>
        <source>Gọi lại</source>
        <translation>Call again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="98"/>
        <source>Bỏ qua</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="99"/>
        <source>Công dân vắng mặt</source>
        <translation>Citizen absent</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="100"/>
        <source>Quét mã QR trên phiếu:</source>
        <translation>Scan the ticket's QR code:</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="101"/>
        <source>khi máy chủ không kết nối, quét phiếu của công dân</source>
        <translation>when the hub is unreachable, scan the citizen's ticket</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="163"/>
        <source>Không có ai chờ.</source>
        <translation>No one is waiting.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="147"/>
        <source>Đang tải hàng chờ…</source>
        <translation>Loading the queue…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="165"/>
        <source>Máy chủ của trạm không kết nối: hàng chờ chỉ gồm phiếu của kiosk này; hãy quét mã QR trên phiếu của công dân.</source>
        <translation>The station's hub is unreachable: the queue shows only this kiosk's tickets; scan the QR code on the citizen's ticket.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="174"/>
        <source>Quầy chưa gọi số nào.</source>
        <translation>This counter has called no number yet.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="95"/>
        <source>Hàng chờ — %1</source>
        <translation>Queue — %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="161"/>
        <source>, lâu nhất %1 phút</source>
        <translation>, longest %1 min</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="188"/>
        <source>Không còn ai chờ ở các nhóm của quầy này.</source>
        <translation>No one is waiting in this counter's groups.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="205"/>
        <source>Mời số %1 đến %2.</source>
        <translation>Number %1, please come to %2.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="217"/>
        <source>Đã gọi lại số %1.</source>
        <translation>Number %1 called again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="220"/>
        <source>Số %1 được đưa về cuối hàng chờ.</source>
        <translation>Number %1 was put back at the end of the line.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="221"/>
        <source>Số %1: công dân vắng mặt.</source>
        <translation>Number %1: citizen absent.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="158"/>
        <source>%1 (%2): %3 người chờ</source>
        <translation>%1 (%2): %3 waiting</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="178"/>
        <source>Đang phục vụ số %1 — dịch vụ %2. %3 (gọi %4 lần)</source>
        <translation>Serving number %1 — service %2. %3 (called %4 times)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="0"/>
        <source>Phiếu %1: tờ khai công dân điền ở sảnh; chip đã đọc ở kiosk sảnh — %2</source>
        <translation>Ticket %1: form filled in by the citizen in the hall; chip read at the hall kiosk — %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="0"/>
        <source>Phiếu %1: tờ khai công dân tự điền ở sảnh, không đọc thẻ.</source>
        <translation>Ticket %1: form typed by the citizen in the hall, no card read.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/queue_panel.py" line="0"/>
        <source>Phiếu %1: công dân chưa điền tờ khai.</source>
        <translation>Ticket %1: the citizen filled in no form.</translation>
    </message>
</context>
</TS>
