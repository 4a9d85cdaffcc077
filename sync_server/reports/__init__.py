"""Exports: 明细测评表 (one visit), 汇总表 (a period's averages) and 质检日报 (one day's
findings) as xlsx, and one visit as PDF. Each export is checked against the reader's scope
and leaves an AuditLog row (results are confidential, 001:L174). No web or CLI imports:
the `mingcha export` commands (sync_server/cli/export.py) are a thin shell around this."""
