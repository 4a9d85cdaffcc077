"""Checklist template files on disk: find, read and validate `assets/checklists/*.json`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import parse_template

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^([a-z0-9-]+)(?:\.v(\d+))?$")


def checklist_dir() -> Path:
    """Where shipped templates live; MINGCHA_CHECKLISTS_DIR overrides the source tree's."""
    return Path(os.environ.get("MINGCHA_CHECKLISTS_DIR") or REPO_ROOT / "assets" / "checklists")


def load_template_file(path: Path) -> Template:
    """Read and validate one template file (raises TemplateError, naming the file)."""
    return parse_template(path.read_bytes(), path.name)


def load_catalog(directory: Path | None = None) -> list[Template]:
    """Every template in the directory, sorted by id then version; one bad file fails all."""
    files = sorted((directory or checklist_dir()).glob("*.json"))
    return sorted((load_template_file(f) for f in files), key=lambda t: (t.id, t.version))


def resolve_template(ref: str, directory: Path | None = None) -> Template:
    """A template by file path, by key (`mall-property.v1`) or by id (its newest version).

    Raises:
        DomainError(template.not_found): nothing matches `ref`.
        TemplateError: the file exists but is invalid.
    """
    path = Path(ref)
    if path.suffix == ".json" or path.exists():
        if not path.is_file():
            raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, f"no file {ref}")
        return load_template_file(path)
    match = KEY.fullmatch(ref)
    candidates = [
        t
        for t in load_catalog(directory)
        if match and t.id == match[1] and (match[2] is None or t.version == int(match[2]))
    ]
    if not candidates:
        raise DomainError(
            ProblemCode.TEMPLATE_NOT_FOUND, f"no template {ref!r} in {directory or checklist_dir()}"
        )
    return candidates[-1]
