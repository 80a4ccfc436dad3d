"""`/api/v1/files/{link}`: a stored file, opened by the short-lived link a message listing handed out.

No Authorization header (pictures and downloads are plain <img>/<a> requests): the signed link is the
permission. Pictures are served inline with their own type; anything else as a download with a passive
type; always with `nosniff` and a sandboxing policy, so nothing uploaded can run as a page."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Path, status
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from gateway.api.deps import ContextDep
from gateway.core.errors import ErrorPublic
from gateway.domain.attachments import RangeNotSatisfiableError
from t1lib.filetypes import serving

router = APIRouter(prefix="/files", tags=["files"])

# A file is shown on its own at most: no scripts, no plugins, no requests, no framing, no other origin.
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
MAX_LINK_CHARS = 4096


@router.get(
    "/{link}",
    response_class=StreamingResponse,
    responses={
        200: {"description": "The file", "content": {"application/octet-stream": {}, "image/*": {}}},
        206: {"description": "The byte range asked for (Range: bytes=…)"},
        403: {
            "model": ErrorPublic,
            "description": "The link was not issued here, was altered or has expired",
        },
        404: {"model": ErrorPublic, "description": "The file is no longer stored"},
        416: {"description": "The byte range lies outside the file"},
    },
)
async def download_file(
    context: ContextDep,
    link: Annotated[
        str, Path(max_length=MAX_LINK_CHARS, description="a link from a message's attachment url")
    ],
    byte_range: Annotated[str | None, Header(alias="Range", include_in_schema=False)] = None,
) -> Response:
    ref = context.file_links.read(link)
    try:
        download = await context.attachments.open(ref, byte_range)
    except RangeNotSatisfiableError:
        return Response(status_code=status.HTTP_416_RANGE_NOT_SATISFIABLE)
    served = serving(ref.mime_type, ref.file_name)
    # The object never changes (its key is a fresh id): the browser may keep it while the link stands.
    fresh_for_s = max(0, ref.expires_at - int(time.time()))
    headers = {
        **download.headers,
        "Content-Type": served.content_type,
        "Content-Disposition": served.content_disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_POLICY,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Accept-Ranges": "bytes",
        "Cache-Control": f"private, max-age={fresh_for_s}, immutable",
    }
    return StreamingResponse(
        iterate_in_threadpool(download.chunks()), status_code=download.status, headers=headers
    )
