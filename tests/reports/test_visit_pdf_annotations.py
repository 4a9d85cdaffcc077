"""The visit PDF with marked-up evidence (标注): the grid shows the marked-up copy, its
caption and the hash appendix give both hashes, the copy naming its original's row."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from sync_server.reports import exports
from tests.reports.kit import run
from tests.reports.pdf_text import strings
from tests.reports.signed_visit import photos
from tests.server.annotated import push_annotated_visit
from tests.server.world import World


def test_the_pdf_shows_the_marked_up_copy_and_lists_both_hashes(
    world: World, tmp_path: Path
) -> None:
    made = push_annotated_visit(world)
    out = tmp_path / "visit.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", made.visit_id, "pdf", out, photos(world))
    )
    assert result.missing_glyphs == []
    shown = strings(out)
    captions = [s for s in shown if s.startswith(("标注 ", "照片 "))]
    assert captions == [f"标注 1 · 原 {made.original_sha[:8]}… 标 {made.copy_sha[:8]}…"]
    appendix = shown[shown.index("附录:照片校验值") :]
    assert "Appendix: SHA-256 of every photo (2)" in appendix
    listed = [s for s in appendix if len(s) == 64]
    assert listed == [made.original_sha, made.copy_sha]  # the copy right after its original
    assert appendix[appendix.index(made.original_sha) - 2 : appendix.index(made.original_sha)] == [
        "1",
        "3.1 证据 Evidence",
    ]
    assert appendix[appendix.index(made.copy_sha) - 1] == "3.1 标注 Marked-up of No. 1"
    assert all(appendix[appendix.index(h) + 1] == "已上传" for h in listed)
    images = sum(len(page.images) for page in PdfReader(out).pages)
    assert images == 1  # one cell: the copy in its original's place, not a second photo
