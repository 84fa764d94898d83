"""The read-only record tables of the staff pages (dossiers, staff): one way to look and behave."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget


def record_table(parent: QWidget, object_name: str, columns: int) -> QTableWidget:
    """A table of records: a whole row is selected, one at a time; nothing is edited in place; Tab
    leaves the table (arrow keys move inside it); long text wraps rather than ending in an ellipsis."""
    table = QTableWidget(0, columns, parent)
    table.setObjectName(object_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # wrapped rows grow
    table.horizontalHeader().setHighlightSections(False)
    return table
