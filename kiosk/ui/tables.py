"""The read-only record tables of the staff pages (dossiers, staff): one way to look and behave."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget


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


def fill_row(table: QTableWidget, row: int, columns: Sequence[str], values: dict[str, str],
             record_id: Any) -> Iterator[tuple[str, QTableWidgetItem]]:
    """Write `values` (by column key) into `row`, each cell carrying `record_id` (Qt.UserRole); yields each
    column's key and item for what a page adds (a tooltip, a colour). A cell's item is made on first use."""
    for column, key in enumerate(columns):
        item = table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            table.setItem(row, column, item)
        item.setText(values[key])
        item.setData(Qt.ItemDataRole.UserRole, record_id)
        yield key, item
