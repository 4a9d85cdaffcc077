"""Report downloads: GET /downloads/<token> serves a finished console export once it is
made, from the data directory every worker shares, until the token expires (15 minutes).
No sign-in here: the unguessable, short-lived token is the permission (the console session
that asked for the export already checked scope and wrote the audit row)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from fieldcore.problems import ProblemCode
from sync_server.deps import NowDep, SettingsDep
from sync_server.problems import responses
from sync_server.reports.downloads import DownloadStore

router = APIRouter(tags=["downloads"])


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the real one as RFC 5987 UTF-8."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/downloads/{token}",
    response_class=FileResponse,
    responses=responses(ProblemCode.REQUEST_NOT_FOUND),
)
def download(
    token: Annotated[str, Path(description="From the console's export link")],
    settings: SettingsDep,
    now: NowDep,
) -> FileResponse:
    """The exported file (xlsx or PDF); request.not_found when unknown or expired."""
    stored = DownloadStore.under(settings.data_dir).find(token, now)
    return FileResponse(
        stored.path,
        media_type=stored.media_type,
        headers={
            "Content-Disposition": content_disposition(stored.path.name),
            "Cache-Control": "private, no-store",  # confidential results: keep no copies
            "X-Content-Type-Options": "nosniff",
        },
    )
