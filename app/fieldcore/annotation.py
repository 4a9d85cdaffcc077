"""Marked-up evidence (标注): what a valid annotation of a photo is.

An inspector marks the defect on a photo — a circle, a rectangle, an arrow, a short text.
The marked image is a new, derived photo row (`kind` "annotation") that names the photo it
marks (`annotates_id`) and that photo's hash (`annotates_sha256`); the original photo and
its bytes stay the evidence of record, untouched. The marks themselves travel as data
(`marks`, canonical JSON of shapes in the original's pixel coordinates) so that anyone can
re-render the derived copy from the original and check it.

The phone checks these rules before it queues the row; the server checks them again, with
the original's row, before it stores the link (sync_server/sync/merge/photos.py). A derived
copy never counts as a photo of its own for the photo-required rule (`counts_as_evidence`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from fieldcore.bounds import StorableText
from fieldcore.problems import DomainError, ProblemCode

PhotoKind = Literal["evidence", "annotation"]
PHOTO_KINDS: tuple[PhotoKind, ...] = get_args(PhotoKind)
EVIDENCE: PhotoKind = "evidence"
ANNOTATION: PhotoKind = "annotation"
Tool = Literal["circle", "rect", "arrow", "text"]
TOOLS: tuple[Tool, ...] = get_args(Tool)
MAX_MARKS = 50  # a defect is marked with a few shapes; hundreds would be scribbling
MAX_TEXT = 40  # a short label (缺少灭火器), not a note: notes have their own field
MAX_MARKS_JSON = 8000  # 50 marks of 40 characters with their coordinates fit well
COORD_MAX = 20_000  # the largest photo side a row may declare (records.PhotoFields)
Coord = Annotated[int, Field(ge=0, le=COORD_MAX)]


class Mark(BaseModel):
    """One shape in the original photo's pixel coordinates (origin top left).

    circle and rect: the box (x0, y0)–(x1, y1) the shape fills (a circle is the ellipse in
    it); arrow: from (x0, y0), the tail, to (x1, y1), the head; text: written with its top
    left corner at (x0, y0), with x1, y1 equal to them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    tool: Tool
    x0: Coord
    y0: Coord
    x1: Coord
    y1: Coord
    text: Annotated[str, StorableText(MAX_TEXT)] = ""


_MARKS = TypeAdapter(list[Mark])


def marks_json(marks: list[Mark]) -> str:
    """The canonical JSON of marks: the same marks always give the same text."""
    return json.dumps(
        [m.model_dump() for m in marks], ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )


def parse_marks(text: str) -> list[Mark]:
    """The marks of a `marks` value; ValueError when it is not a list of valid shapes."""
    try:
        return _MARKS.validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"marks{'.' + where if where else ''}: {first['msg']}") from None


def _canonical(text: str) -> str:
    return marks_json(parse_marks(text))


# The wire type of `marks` (records.PhotoFields): parsed, then kept in canonical form.
MarksJson = Annotated[str, Field(max_length=MAX_MARKS_JSON), AfterValidator(_canonical)]


def _refuse(reason: str, detail: str, **details: Any) -> DomainError:
    return DomainError(ProblemCode.PHOTO_ANNOTATION_INVALID, detail, reason=reason, **details)


def check_marks(marks: list[Mark], width: int, height: int) -> None:
    """Refuse marks that draw nothing or fall outside a `width` × `height` photo.

    Raises:
        DomainError(photo.annotation_invalid): `details.reason` is "no_marks",
            "too_many_marks", "out_of_bounds", "empty_shape" or "text" (a text mark
            without text, or a shape with one); `details.index` names the mark.
    """
    if not marks:
        raise _refuse("no_marks", "an annotation has at least one mark")
    if len(marks) > MAX_MARKS:
        raise _refuse("too_many_marks", f"at most {MAX_MARKS} marks", limit=MAX_MARKS)
    for i, m in enumerate(marks):
        if max(m.x0, m.x1) > width or max(m.y0, m.y1) > height:
            raise _refuse("out_of_bounds", f"mark {i} outside {width}×{height}", index=i)
        if (m.tool == "text") != bool(m.text.strip()):
            raise _refuse("text", f"mark {i}: text only, and always, on a text mark", index=i)
        if m.tool == "text" and (m.x1, m.y1) != (m.x0, m.y0):
            raise _refuse("empty_shape", f"mark {i}: a text mark is a point", index=i)
        if m.tool in ("circle", "rect") and (m.x0 == m.x1 or m.y0 == m.y1):
            raise _refuse("empty_shape", f"mark {i}: the box has no area", index=i)
        if m.tool == "arrow" and (m.x0, m.y0) == (m.x1, m.y1):
            raise _refuse("empty_shape", f"mark {i}: the arrow has no length", index=i)


def check_link_fields(
    kind: str | None,
    annotates_id: object,
    annotates_sha256: str | None,
    marks: str | None,
) -> bool:
    """Whether a new photo row is an annotation; refuse a half-made one.

    An evidence photo names no original and has no marks; an annotation has all three.
    Raises:
        DomainError(photo.annotation_invalid): `details.reason` "fields".
    """
    linked = (annotates_id, annotates_sha256, marks)
    if kind == ANNOTATION:
        if any(v is None for v in linked):
            raise _refuse("fields", "an annotation names annotates_id, annotates_sha256, marks")
        return True
    if any(v is not None for v in linked):
        raise _refuse("fields", "only an annotation names an original photo or has marks")
    return False


@dataclass(frozen=True)
class Original:
    """What an annotation's check needs to know of the photo it marks (a live row the
    author may see). `parent`: its visit_id, finding_id, rectification_id."""

    sha256: str
    kind: str
    author: object
    parent: tuple[object, object, object]
    width: int | None
    height: int | None


def check_annotation(
    original: Original | None,
    *,
    annotates_sha256: str,
    author: object,
    parent: tuple[object, object, object],
    marks: list[Mark],
) -> None:
    """The derived copy marks a live evidence photo by the same author on the same visit,
    finding or rectification, names that photo's hash, and its marks lie inside it.
    `original` None: no such live photo is visible to the author.

    Raises:
        DomainError(photo.annotation_invalid): `details.reason` is "original_missing",
            "original_is_annotation", "other_author", "other_parent", "hash_mismatch",
            or one of `check_marks`'s.
    """
    if original is None:
        raise _refuse("original_missing", "the photo it marks does not exist")
    if original.kind == ANNOTATION:
        raise _refuse("original_is_annotation", "mark the original, not another annotation")
    if original.author != author:
        raise _refuse("other_author", "only the photo's author marks it")
    if original.parent != parent:
        raise _refuse("other_parent", "an annotation hangs where its original hangs")
    if original.sha256 != annotates_sha256:
        raise _refuse(
            "hash_mismatch",
            "annotates_sha256 is not the original's hash",
            expected=original.sha256,
        )
    # a row without its size (optional on the wire) is bounded by the largest photo only
    check_marks(marks, original.width or COORD_MAX, original.height or COORD_MAX)


def counts_as_evidence(kind: str | None) -> bool:
    """Whether a photo counts for the photo-required rule: a derived copy does not (its
    original does, and deleting the original must not leave the item "photographed")."""
    return kind != ANNOTATION


P = TypeVar("P")


def with_copies(
    photos: Iterable[P],
    id_of: Callable[[P], object],
    original_of: Callable[[P], object | None],
) -> list[tuple[P, P | None]]:
    """Each original among `photos`, in their order, with its marked-up copy (the last
    one given, if several) or None. A copy is never an entry of its own — evidence counts
    are `len()` of this — and a copy whose original is not among `photos` is left out.
    `id_of` gives a photo's id, `original_of` the id it annotates (None: an original)."""
    listed = list(photos)
    copies = {original_of(p): p for p in listed if original_of(p) is not None}
    return [(p, copies.get(id_of(p))) for p in listed if original_of(p) is None]


def shown_in_place(pairs: Iterable[tuple[P, P | None]], marked: bool) -> list[P]:
    """What a viewer pages through: each original, or, when `marked`, its marked-up copy
    in its place where it has one (the switch between the two views)."""
    return [(copy or original) if marked else original for original, copy in pairs]
