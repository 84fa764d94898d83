"""A staff role's name as people at the counter say it: one table for every screen that names a role.

The words are those the app already uses ("Hãy nhờ chỉ huy hoặc quản trị viên"); Qt Linguist gives the
English (context "RoleLabels").
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kiosk.domain.roles import Role


def role_label(role: Role | str) -> str:
    """The role in the window's language; an unknown value is shown as it is stored."""
    value = role.value if isinstance(role, Role) else str(role)
    labels = {
        Role.OFFICER.value: QCoreApplication.translate("RoleLabels", "Cán bộ tiếp dân"),
        Role.SUPERVISOR.value: QCoreApplication.translate("RoleLabels", "Chỉ huy (lãnh đạo, giám sát)"),
        Role.ADMIN.value: QCoreApplication.translate("RoleLabels", "Quản trị viên"),
        Role.SELFSERVICE.value: QCoreApplication.translate("RoleLabels", "Kiosk tự phục vụ"),
    }
    return labels.get(value, value)
