"""Layout helpers of the visit PDF (fpdf2): an A4 form in the bundled CJK subset font
assets/fonts/NotoSansSC-Subset.otf, with a title block, bordered label/value tables,
column tables, a photo grid and a page footer. No data gathering here (visit_sheet.py).

The subset holds GB2312, punctuation and every character of the shipped templates
(assets/fonts/make_subset.py); characters outside it print as the empty .notdef box.
Every text goes through `_Form.seen` so `missing()` can name them for the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace, TTFFont

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Subset.otf"
FAMILY = "noto-sc"
WIDTH = 180.0  # mm between the 15 mm margins of A4
LABEL_FILL = (236, 239, 243)
HEAD_FILL = (214, 221, 230)
GREY = (90, 90, 90)
# Photo grid: three thumbnails a row, each fitted into a 4:3 box with a caption below.
GRID_COLUMNS = 3
GRID_GAP = 4.0
THUMB_H = 42.0
CAPTION_H = 4.0
FLAG_H = 3.2  # a flag's line under the caption (source, warnings)
WARN = (176, 60, 0)


class _Form(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, fname=str(FONT))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_font(FAMILY, size=10)
        self.footer_text = footer_text
        self.printed: set[str] = set()
        self.alias_nb_pages()

    def close_fonts(self) -> None:
        """Close the font files this document holds open (`output()` does so itself)."""
        for font in self.fonts.values():
            if isinstance(font, TTFFont):
                font.close()

    def seen(self, text: str) -> str:
        self.printed.update(text)
        return text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7.5)
        self.set_text_color(*GREY)
        page = f"第 {self.page_no()} 页 / 共 {{nb}} 页  Page {self.page_no()} of {{nb}}"
        self.cell(WIDTH / 2, 5, self.seen(self.footer_text), align=Align.L)
        self.cell(WIDTH / 2, 5, self.seen(page), align=Align.R)
        self.set_text_color(0, 0, 0)

    def missing(self) -> list[str]:
        font = self.fonts[FAMILY]
        assert isinstance(font, TTFFont)  # FAMILY is the bundled font (add_font)
        cmap = font.cmap
        return sorted(c for c in self.printed if not c.isspace() and ord(c) not in cmap)

    # ---- text -------------------------------------------------------------------------

    def centred(self, text: str, size: float, height: float, grey: bool = False) -> None:
        self.set_font(FAMILY, size=size)
        if grey:
            self.set_text_color(*GREY)
        self.multi_cell(0, height, self.seen(text), align=Align.C, new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)  # fmt: skip
        self.set_text_color(0, 0, 0)

    def line_(self, text: str, size: float = 9, height: float = 5, grey: bool = False) -> None:
        self.set_font(FAMILY, size=size)
        if grey:
            self.set_text_color(*GREY)
        self.multi_cell(0, height, self.seen(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def section(self, zh: str, en: str, need: float = 30, size: float = 12) -> None:
        """A section heading, Chinese then English (beneath it when both do not fit on
        one line); a new page when fewer than `need` mm remain, so a heading never stands
        alone at the foot of a page."""
        if self.get_y() + need > self.h - self.b_margin:
            self.add_page()
        self.ln(3)
        self.set_font(FAMILY, size=size)
        zh_w = self.get_string_width(zh) + 2
        self.set_font(FAMILY, size=8.5)
        one_line = zh_w + self.get_string_width(f"  {en}") + 2 <= WIDTH
        self.set_font(FAMILY, size=size)
        if one_line:
            self.cell(zh_w, 7, self.seen(zh), new_x=XPos.RIGHT, new_y=YPos.TOP)
        else:
            self.multi_cell(WIDTH, 6, self.seen(zh), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=8.5)
        self.set_text_color(*GREY)
        self.cell(0, 7 if one_line else 5, self.seen(f"  {en}" if one_line else en),
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        self.set_text_color(0, 0, 0)
        self.set_draw_color(120, 120, 120)
        self.line(self.l_margin, self.get_y(), self.l_margin + WIDTH, self.get_y())
        self.set_draw_color(0, 0, 0)
        self.ln(1.5)

    # ---- tables -----------------------------------------------------------------------

    def pairs_table(
        self, pairs: Sequence[tuple[str, str]], per_row: int = 2, wide: Sequence[str] = ()
    ) -> None:
        """Label/value cells, `per_row` pairs a row, labels shaded; a pair whose label is
        in `wide`, and an odd last value, spans the rest of its row."""
        label_w, value_w = 32.0, WIDTH / per_row - 32.0
        self.set_font(FAMILY, size=8.5)
        with self.table(col_widths=[label_w, value_w] * per_row, width=WIDTH, line_height=5.2,
                        first_row_as_headings=False, padding=(1, 1.5)) as table:  # fmt: skip
            for chunk in _rows(pairs, per_row, wide):
                row = table.row()
                for i, (label, value) in enumerate(chunk):
                    row.cell(self.seen(label), style=FontFace(fill_color=LABEL_FILL, size_pt=8))
                    span = 1 + (per_row - len(chunk)) * 2 if i == len(chunk) - 1 else 1
                    row.cell(self.seen(value or "—"), colspan=span)

    def grid_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        numeric: Sequence[int] = (),
        shaded_last: bool = False,
        size: float = 8.5,
    ) -> None:
        """A column table: a shaded heading row ("中文 English" printed as Chinese over
        English), then `rows`; the
        `numeric` columns are right-aligned; `shaded_last` marks a total row."""
        self.set_font(FAMILY, size=size)
        with self.table(
            col_widths=list(widths),
            width=WIDTH,
            line_height=5,
            padding=(1, 1.5),
            headings_style=FontFace(emphasis="", fill_color=HEAD_FILL, size_pt=8),
            cell_fill_mode=TableCellFillMode.NONE,
            repeat_headings=1,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(self.seen(text.replace(" ", "\n", 1)), align=Align.C)
            for number, values in enumerate(rows, 1):
                row = table.row()
                last = shaded_last and number == len(rows)
                style = FontFace(fill_color=LABEL_FILL) if last else None
                for col, value in enumerate(values):
                    align = Align.R if col in numeric else Align.L
                    row.cell(self.seen(value), align=align, style=style)

    # ---- pictures ---------------------------------------------------------------------

    def photo_grid(self, cells: Sequence[tuple[bytes | None, str, Sequence[str]]]) -> None:
        """Thumbnails `GRID_COLUMNS` a row, each fitted (aspect kept) into its box with a
        caption below and, beneath it, its flags a line each (source, warnings); a cell
        without bytes shows an empty box saying so."""
        box_w = (WIDTH - GRID_GAP * (GRID_COLUMNS - 1)) / GRID_COLUMNS
        for start in range(0, len(cells), GRID_COLUMNS):
            row = cells[start : start + GRID_COLUMNS]
            below = CAPTION_H + FLAG_H * max(len(flags) for _, _, flags in row)
            if self.get_y() + THUMB_H + below + 2 > self.h - self.b_margin:
                self.add_page()
            top = self.get_y()
            for i, (data, caption, flags) in enumerate(row):
                x = self.l_margin + i * (box_w + GRID_GAP)
                self.set_draw_color(170, 170, 170)
                self.rect(x, top, box_w, THUMB_H)
                self.set_draw_color(0, 0, 0)
                if data is None:
                    self.set_xy(x, top + THUMB_H / 2 - 3)
                    self.set_font(FAMILY, size=8)
                    self.cell(box_w, 6, self.seen("照片未上传 not uploaded"), align=Align.C)
                else:
                    self.image(BytesIO(data), x=x + 0.5, y=top + 0.5, w=box_w - 1,
                               h=THUMB_H - 1, keep_aspect_ratio=True)  # fmt: skip
                self.set_xy(x, top + THUMB_H + 0.5)
                self.set_font(FAMILY, size=6.5)
                self.set_text_color(*GREY)
                self.cell(box_w, CAPTION_H, self.seen(caption), align=Align.C)
                for n, flag in enumerate(flags):  # a warning in the warning colour
                    self.set_text_color(*(WARN if flag.startswith("!") else GREY))
                    self.set_xy(x, top + THUMB_H + 0.5 + CAPTION_H + n * FLAG_H)
                    self.cell(box_w, FLAG_H, self.seen(flag), align=Align.C)
                self.set_text_color(0, 0, 0)
            self.set_xy(self.l_margin, top + THUMB_H + below + 2)

    def signature_box(self, data: bytes | None, width: float = 70, height: float = 26) -> None:
        """The signature image in a framed box at the left margin (empty when none)."""
        if self.get_y() + height + 2 > self.h - self.b_margin:
            self.add_page()
        top = self.get_y()
        self.set_draw_color(170, 170, 170)
        self.rect(self.l_margin, top, width, height)
        self.set_draw_color(0, 0, 0)
        if data is not None:
            self.image(BytesIO(data), x=self.l_margin + 1, y=top + 1, w=width - 2,
                       h=height - 2, keep_aspect_ratio=True)  # fmt: skip
        self.set_xy(self.l_margin, top + height + 1)


def _rows(
    pairs: Sequence[tuple[str, str]], per_row: int, wide: Sequence[str]
) -> list[list[tuple[str, str]]]:
    """Pairs grouped into table rows: `per_row` a row, a wide pair alone on its own."""
    rows: list[list[tuple[str, str]]] = []
    for pair in pairs:
        if pair[0] in wide:
            rows.append([pair])
        elif rows and len(rows[-1]) < per_row and rows[-1][0][0] not in wide:
            rows[-1].append(pair)
        else:
            rows.append([pair])
    return rows
