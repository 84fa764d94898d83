"""Why sync stops: the refusals no retry can fix, and the sentence staff read for each outcome."""

from __future__ import annotations

from typing import Any

# Refusals that no retry can fix: an operator must look (a cloned or restored kiosk, a foreign key).
HALTING = frozenset({"conflict", "cloned_kiosk", "epoch_mismatch", "bad_signature", "unknown_kiosk",
                     "hub_behind_purged", "kiosk_retired", "restored", "hub_answer_forged", "hub_key_changed",
                     "hub_key_unproven", "hub_key_unpinned"})


MESSAGES_VI = {
    "ok": "Đồng bộ xong.",
    "offline": "Không kết nối được máy chủ đồng bộ; dữ liệu vẫn an toàn trên kiosk và sẽ được gửi lại sau.",
    "not_enrolled": "Kiosk chưa đăng ký với máy chủ đồng bộ (kiosk enrol --hub URL --code MÃ).",
    "halted": "Đồng bộ đã DỪNG vì máy chủ từ chối dữ liệu của kiosk; cần quản trị viên kiểm tra.",
    "refused": "Máy chủ đồng bộ từ chối yêu cầu.",
    "cancelled": "Đã hủy đồng bộ.",
    "conflict": "Máy chủ giữ nội dung KHÁC cho cùng số thứ tự (kiosk bị khôi phục hoặc sao chép?). Đồng bộ đã dừng.",
    "cloned_kiosk": "Máy chủ thấy một bản sao của kiosk này (cùng mã, khác cơ sở dữ liệu). Đồng bộ đã dừng.",
    "epoch_mismatch": "Kỷ nguyên của kiosk không khớp với máy chủ. Đồng bộ đã dừng.",
    "bad_signature": "Máy chủ không nhận khóa ký của kiosk này. Đồng bộ đã dừng.",
    "unknown_kiosk": "Máy chủ không biết kiosk này (đăng ký lại). Đồng bộ đã dừng.",
    "hub_behind_purged": "Máy chủ thiếu dữ liệu mà kiosk đã xóa sau khi được xác nhận. Đồng bộ đã dừng.",
    "kiosk_retired": "Máy chủ đã cho kiosk này thôi sử dụng; không nhận dữ liệu của kiosk nữa. Đồng bộ đã dừng.",
    "hub_answer_forged": "Một câu trả lời KHÔNG mang chữ ký của máy chủ đã đăng ký (có thể bị sửa trên đường truyền); "
                         "kiosk không dùng nó và đã dừng đồng bộ. Báo quản trị viên kiểm tra mạng và máy chủ.",
    "hub_key_changed": "Máy chủ trả lời bằng một khóa khác khóa kiosk đã ghim. Đồng bộ đã dừng; báo quản trị viên.",
    "hub_key_unproven": "Máy chủ không chứng minh được khóa của mình. Đồng bộ đã dừng; báo quản trị viên.",
    "hub_key_unpinned": "Kiosk chưa ghim khóa của máy chủ và kết nối không có TLS để tin khóa lần đầu: xin mã đăng ký "
                        "lại (kiosk-hub enrol-code --rejoin) rồi chạy kiosk enrol --rejoin --code …. Đồng bộ đã dừng.",
    "insecure_transport": "Máy chủ đồng bộ ở máy khác phải dùng https://; kiosk không gửi dữ liệu qua http:// "
                          "(đổi địa chỉ: kiosk sync --hub https://…; phòng thử nghiệm: thêm --insecure-http).",
    "tls_untrusted": "Chứng chỉ TLS của máy chủ đồng bộ không được tin cậy (cài đặt hub_ca_file); kiosk không gửi dữ "
                     "liệu.",
    "bad_ca_file": "Không đọc được tệp chứng chỉ CA của cài đặt hub_ca_file.",
    "attention": "Dữ liệu đã gửi lên máy chủ, nhưng CÓ VIỆC CẦN XỬ LÝ (xem cảnh báo): {alarms}",
    "restored": "Dữ liệu của kiosk vừa được khôi phục từ bản sao lưu: cần đăng ký lại với máy chủ "
                "(kiosk enrol --rejoin, mã do máy chủ cấp: kiosk-hub enrol-code --rejoin) trước khi đồng bộ.",
}


class _Halt(Exception):
    def __init__(self, reason: str, detail: dict[str, Any]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class _Cancelled(Exception):
    pass
