"""One visit as PDF (fpdf2), in the bundled CJK subset font assets/fonts/NotoSansSC-Subset.otf:
header, score and grade, every failed item with its evidence photos (bytes from the
PhotoStore), the site's acknowledgement, and the sha256 of every photo of the visit.

The subset holds GB2312, punctuation and every character of the shipped templates
(assets/fonts/make_subset.py); characters outside it (a rare name in a note) print as the
empty .notdef box and are returned by `write_visit_pdf`, so the caller can say so.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from fieldcore.headline import is_per_subject, per_subject_lines
from sync_server.photos.store import PhotoStore
from sync_server.reports.access import local
from sync_server.reports.data import Progress, VisitReport, no_progress, visit_header
from sync_server.tables import Photo

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Subset.otf"
FAMILY = "noto-sc"
PHOTO_WIDTH = 80  # mm


class _Doc(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, fname=str(FONT))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_font(FAMILY, size=10)
        self.printed: set[str] = set()

    def line_(self, text: str, size: float = 10, height: float = 6) -> None:
        self.printed.update(text)
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def missing(self) -> list[str]:
        font = self.fonts[FAMILY]
        assert isinstance(font, TTFFont)  # FAMILY is the bundled TrueType font (add_font)
        cmap = font.cmap
        return sorted(c for c in self.printed if not c.isspace() and ord(c) not in cmap)


def write_visit_pdf(
    report: VisitReport, photos: PhotoStore, out: Path, progress: Progress = no_progress
) -> list[str]:
    """Write the PDF; returns the characters the font lacks (empty when all were covered)."""
    doc = _Doc()
    doc.add_page()
    doc.line_(f"检查报告 {report.template.title}", size=16, height=9)
    for label, value in visit_header(report):
        doc.line_(f"{label}: {'' if value is None else value}")
    score = report.score
    doc.ln(2)
    if is_per_subject(score):  # each post's result, the pooled figure for reference only
        for line in per_subject_lines(score):
            doc.line_(line, size=13, height=8)
    else:
        doc.line_(
            f"得分 {score.get('total')} / {score.get('max')}   百分制 {score.get('percent')}   "
            f"等级 {score.get('grade') or '—'}",
            size=13,
            height=8,
        )
    failed = [
        row
        for cat in score.get("categories", [])
        for row in report.item_rows(cat)
        if row.result == "不合格"
    ]
    doc.ln(2)
    doc.line_(f"不合格条目 Failed items ({len(failed)})", size=13, height=8)
    for done, row in enumerate(failed, 1):
        doc.line_(f"{row.code} {row.text}", size=11)
        doc.line_(f"  {row.category} · {row.rule} · 扣 {row.deducted} 分 · 对象 {row.subject}")
        if row.note:
            doc.line_(f"  备注: {row.note}")
        for photo in row.photos:
            _photo(doc, photos, photo)
        progress(done, len(failed) + 1)
    doc.ln(2)
    doc.line_("现场确认 Acknowledgement", size=13, height=8)
    v = report.visit
    if v.ack_refused:
        doc.line_(f"被检查方拒绝签字 Refused to sign ({v.ack_name}, {local(v.ack_at)})")
    elif v.ack_name or v.ack_signature_sha256:
        doc.line_(f"确认人 {v.ack_name}  时间 {local(v.ack_at)}")
        if v.ack_signature_sha256:
            doc.line_(f"签名 sha256: {v.ack_signature_sha256}", size=8)
    else:
        doc.line_("无现场确认 (暗访或未签)" if v.mode == "covert" else "无现场确认")
    doc.ln(2)
    doc.line_(f"照片 sha256 ({len(report.photos)})", size=13, height=8)
    for photo in report.photos:
        state = "" if _printable(photos, photo) else "  (未上传 missing)"
        doc.line_(f"{photo.sha256}{state}", size=8, height=5)
    doc.output(str(out))
    progress(len(failed) + 1, len(failed) + 1)
    return doc.missing()


def _printable(photos: PhotoStore, photo: Photo) -> bool:
    """Only bytes the photo's author uploaded: a row that only names a hash stored by
    someone else prints as missing (PROTOCOL.md, Photos)."""
    return photo.blob_present and photos.exists(photo.sha256)


def _photo(doc: _Doc, photos: PhotoStore, photo: Photo) -> None:
    sha256 = photo.sha256
    if not _printable(photos, photo):
        doc.line_(f"  照片未上传 photo not uploaded: {sha256[:12]}…", size=8)
        return
    data = photos.path(sha256).read_bytes()
    doc.image(BytesIO(data), w=PHOTO_WIDTH)
    doc.line_(f"  sha256 {sha256}", size=7, height=4)
