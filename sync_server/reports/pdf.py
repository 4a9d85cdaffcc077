"""One visit as a PDF form, in the manner of the regulations' own forms (明细测评表):

1. the organisation, the template's title and its document control (文件编号, 版次,
   生效日期, 批准), then the visit's facts in a table;
2. the score per category (分类 / 满分 / 扣分 / 得分) and, for a template that scores each
   subject on its own, per post, with the pooled figure labelled 合计(仅供参考);
3. each failed item with its rule, note, responsible person and its photos in a grid,
   each captioned with its hash, its source (camera or gallery) and the phone's warnings
   (taken outside the visit's window, far from the site: fieldcore/evidence.py);
4. the site's acknowledgement with the signature image;
5. an appendix with the sha256 of every photo of the visit.

Values the organisation chose (`assumed`) print as 自定 with their note. Chinese first,
English beneath or beside. Rows come from visit_sheet.py and sheet_photos.py, drawing from
pdf_layout.py; photo bytes from the PhotoStore, and only those the photo's author uploaded.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image

from fieldcore.headline import is_per_subject, outcome_line, pooled_line
from sync_server.photos.store import PhotoStore
from sync_server.reports import sheet_photos
from sync_server.reports import visit_sheet as sheet
from sync_server.reports.access import local
from sync_server.reports.data import Progress, VisitReport, no_progress
from sync_server.reports.pdf_layout import (
    CAPTION_H,
    FLAG_H,
    GRID_COLUMNS,
    THUMB_H,
    WIDTH,
    _Form,
)
from sync_server.tables import Photo

THUMB_PX = 900  # about 400 dpi in a 57 mm grid cell


def write_visit_pdf(
    report: VisitReport, photos: PhotoStore, out: Path, progress: Progress = no_progress
) -> list[str]:
    """Write the PDF; returns the characters the font lacks (empty when all were covered)."""
    t = report.template
    doc = _Form(f"{t.document.code} {t.document.revision} · {t.title}")
    try:
        return _write(doc, report, photos, out, progress)
    except BaseException:  # e.g. the photo store failed half way: no output() will close
        doc.close_fonts()  # the font file, so close it here rather than at some GC
        raise


def _write(
    doc: _Form, report: VisitReport, photos: PhotoStore, out: Path, progress: Progress
) -> list[str]:
    doc.add_page()
    _title_block(doc, report)
    _scores(doc, report)
    failed = sheet.failed_items(report)
    # room for the heading and the first item with a row of photos: no lone heading
    room = _room(failed[0]) + 12 if failed else 30
    doc.section("不合格项", f"Failed items ({len(failed)})", need=room)
    if not failed:
        doc.line_("无 None")
    for done, item in enumerate(failed, 1):
        _failed_item(doc, photos, item)
        progress(done, len(failed) + 1)
    _acknowledgement(doc, report, photos)
    _hash_appendix(doc, report, photos)
    doc.output(str(out))
    progress(len(failed) + 1, len(failed) + 1)
    return doc.missing()


def _title_block(doc: _Form, report: VisitReport) -> None:
    t = report.template
    doc.centred(sheet.organisation(report), size=11, height=6)
    doc.centred(t.title, size=16, height=8)
    doc.centred(f"检查报告  Inspection report{'  ·  ' + t.title_en if t.title_en else ''}",
                size=8.5, height=5, grey=True)  # fmt: skip
    doc.ln(2)
    doc.pairs_table(sheet.document_control(report))
    doc.ln(2)
    doc.pairs_table(sheet.visit_facts(report), wide=("编号 Visit ID",))


def _scores(doc: _Form, report: VisitReport) -> None:
    doc.section("评分汇总", "Score by category")
    rows = [*sheet.category_rows(report), sheet.total_row(report)]
    doc.grid_table(
        ["分类 Category", "满分 Max", "扣分 Deducted", "得分 Score", "备注 Notes"],
        [[r.label, r.max, r.deducted, r.score, r.notes] for r in rows],
        widths=[62, 20, 22, 20, 56],
        numeric=(1, 2, 3),
        shaded_last=True,
    )
    if is_per_subject(report.score):
        doc.section("岗位得分", "Score by post (each post passes on its own)")
        doc.grid_table(
            ["岗位 Post", "满分 Max", "得分 Score", "百分制 Percent", "等级 Grade", "结果 Result"],
            [[s.title, s.max, s.score, s.percent, s.grade, s.verdict]
             for s in sheet.subject_rows(report)],
            widths=[46, 22, 22, 26, 28, 36],
            numeric=(1, 2, 3),
        )  # fmt: skip
        doc.ln(1)
        doc.line_(outcome_line(report.score), size=10)
        doc.line_(pooled_line(report.score) + "  (非规定结果 not the regulation's result)",
                  size=8.5, grey=True)  # fmt: skip
    doc.section("评定结果", "Result", need=25)
    doc.pairs_table(sheet.result_facts(report), per_row=2)
    notes = sheet.assumed_notes(report)
    if notes:
        doc.ln(1)
        doc.line_("自定:本组织自定的数值,非原规定所给 (assumed: the organisation's own values)",
                  size=8, grey=True)  # fmt: skip
        for line in notes:
            doc.line_(f"· {line}", size=8, height=4.5, grey=True)


def _failed_item(doc: _Form, photos: PhotoStore, item: sheet.FailedItem) -> None:
    doc.section(f"{item.code}  {item.text}", item.category, need=_room(item), size=10.5)
    doc.pairs_table(
        [
            ("扣分标准 Rule", item.rule),
            ("扣分 Deducted", item.deducted),
            ("责任人 Responsible", item.responsible),
            ("数量/数值 Count", item.amount),
            ("备注 Note", item.note),
        ]
    )
    doc.ln(1.5)
    cells = []
    for number, cell in enumerate(item.photos, 1):
        shown = cell.shown
        data = _bytes(photos, shown)
        thumb = _thumbnail(data) if data else None
        caption = f"照片 {number} · {shown.sha256[:12]}…"
        if cell.annotated:  # the copy is shown; both hashes, the original's first
            caption = f"标注 {number} · 原 {cell.original.sha256[:8]}… 标 {shown.sha256[:8]}…"
        cells.append((thumb, caption, cell.flags))
    if cells:
        doc.photo_grid(cells)
    else:
        doc.line_("无照片 No photo", size=8, grey=True)


def _room(item: sheet.FailedItem) -> float:
    """mm an item needs on its page: heading and table, and its first row of photos."""
    flags = max((len(c.flags) for c in item.photos[:GRID_COLUMNS]), default=0)
    return 45 + (THUMB_H + CAPTION_H + FLAG_H * flags + 4 if item.photos else 0)


def _acknowledgement(doc: _Form, report: VisitReport, photos: PhotoStore) -> None:
    v = report.visit
    doc.section("现场确认", "Acknowledgement by the site", need=45)
    if v.mode == "covert" and not (v.ack_name or v.ack_refused):
        doc.line_("暗访,不作现场确认 Covert visit: no acknowledgement")
        return
    if not (v.ack_name or v.ack_refused or v.ack_signature_sha256):
        doc.line_("无现场确认 No acknowledgement")
        return
    state = "拒绝签字 Refused to sign" if v.ack_refused else "已签字确认 Signed"
    doc.pairs_table(
        [
            ("确认人 Name", v.ack_name or "—"),
            ("时间 Time", local(v.ack_at) or "—"),
            ("确认 Acknowledged", state),
            ("签名校验 Sig. hash", (v.ack_signature_sha256 or "—")[:16]),
        ]
    )
    signed = sheet_photos.signature(report)
    if signed is not None or v.ack_signature_sha256:
        doc.ln(1.5)
        doc.line_("签名 Signature", size=8, grey=True)
        doc.signature_box(_bytes(photos, signed) if signed else None)


def _hash_appendix(doc: _Form, report: VisitReport, photos: PhotoStore) -> None:
    doc.add_page()
    doc.section("附录:照片校验值", f"Appendix: SHA-256 of every photo ({len(report.photos)})")
    doc.line_("每张照片的 sha256 与服务器所存字节一致,可据此核对原件。"
              "The sha256 of each photo's stored bytes, to check any copy against.",
              size=8, grey=True)  # fmt: skip
    doc.ln(1)
    listed = sheet_photos.appendix_photos(report)
    numbers = {p.id: i for i, p in enumerate(listed, 1)}
    rows = [
        [str(i), sheet_photos.photo_use(report, p, numbers), p.sha256,
         "已上传" if _printable(photos, p) else "未上传 missing"]
        for i, p in enumerate(listed, 1)
    ]  # fmt: skip
    if rows:
        doc.grid_table(["序号 No.", "用途 Use", "SHA-256", "状态 State"], rows,
                       widths=[12, 38, WIDTH - 12 - 38 - 24, 24], size=7.5)  # fmt: skip
    else:
        doc.line_("无照片 No photos")


def _printable(photos: PhotoStore, photo: Photo) -> bool:
    """Only bytes the photo's author uploaded: a row that only names a hash stored by
    someone else prints as missing (PROTOCOL.md, Photos)."""
    return photo.blob_present and photos.exists(photo.sha256)


def _thumbnail(data: bytes) -> bytes:
    """A grid-sized JPEG copy (long side ≤ THUMB_PX): a visit's phone photos are megabytes
    each, and the originals stay in the store, checkable by the hash appendix."""
    with Image.open(BytesIO(data)) as image:
        if max(image.size) <= THUMB_PX:
            return data
        image.thumbnail((THUMB_PX, THUMB_PX))
        out = BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=82)
        return out.getvalue()


def _bytes(photos: PhotoStore, photo: Photo) -> bytes | None:
    return photos.read(photo.sha256) if photo.blob_present else None
