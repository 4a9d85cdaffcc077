"""Checklist templates as Excel workbooks: organisations keep their checklists as tables
(项目 / 分值 / 扣分标准); this is the way in and out.

`read_workbook(data, source)` reads an .xlsx into a validated Template or raises
TemplateError with every problem at its sheet, row and column; `write_workbook(template)`
writes one that reads back as the same template. The layout: assets/checklists/XLSX.md.
"""

from __future__ import annotations

from sync_server.templates.workbook_read import read_workbook
from sync_server.templates.workbook_write import write_workbook

__all__ = ["read_workbook", "write_workbook"]
