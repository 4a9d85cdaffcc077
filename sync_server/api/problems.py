"""One error shape for every response: {"code", "message", "details"}, never a stack trace.

Domain code raises `fieldcore.problems.DomainError`; this module gives each code its HTTP
status and installs the handlers that turn errors (ours, FastAPI's validation errors,
Starlette's 404/405, anything unexpected) into that shape.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from fieldcore.problems import DomainError, ProblemCode

log = logging.getLogger("mingcha.server")
C = ProblemCode

STATUS: dict[ProblemCode, int] = {
    C.REQUEST_INVALID: 422,
    C.REQUEST_MALFORMED_JSON: 400,
    C.REQUEST_TOO_LARGE: 413,
    C.REQUEST_UNSUPPORTED_MEDIA: 415,
    C.REQUEST_NOT_FOUND: 404,
    C.REQUEST_METHOD_NOT_ALLOWED: 405,
    C.SERVER_ERROR: 500,
    C.SERVER_UNAVAILABLE: 503,
    C.SERVER_STORAGE_FAILED: 503,
    C.AUTH_INVALID_CREDENTIALS: 401,
    C.AUTH_TOKEN_MISSING: 401,
    C.AUTH_TOKEN_INVALID: 401,
    C.AUTH_TOKEN_EXPIRED: 401,
    C.AUTH_TOKEN_REVOKED: 401,
    C.AUTH_THROTTLED: 429,
    C.AUTH_DEVICE_TAKEN: 409,
    C.AUTH_FORBIDDEN: 403,
    C.SCOPE_DENIED: 404,
    C.SYNC_SCHEMA_UNSUPPORTED: 426,
    C.SYNC_MUTATION_GAP: 409,
    C.SYNC_BATCH_NOT_CONTIGUOUS: 400,
    C.SYNC_TOO_MANY_MUTATIONS: 413,
    C.TEMPLATE_NOT_FOUND: 404,
    C.TEMPLATE_INVALID: 422,
    C.TEMPLATE_VERSION_EXISTS: 409,
    C.TEMPLATE_DRAFT_STALE: 409,
    C.BLOB_NOT_FOUND: 404,
    C.BLOB_NOT_REFERENCED: 404,
    C.BLOB_HASH_MISMATCH: 422,
    C.BLOB_NOT_JPEG: 415,
    C.BLOB_TOO_LARGE: 413,
    C.BLOB_BOMB: 422,
    C.UPLOAD_NOT_FOUND: 404,
    C.UPLOAD_OFFSET_MISMATCH: 409,
    C.UPLOAD_CHECKSUM_MISMATCH: 460,
    C.UPLOAD_EXPIRED: 410,
    C.UPLOAD_TOO_LONG: 413,
    # 429, not 413 (the request is not too large) nor 507 (a 5xx blames the server): the
    # caller's own backlog, which clears when its uploads finish or expire — retry later
    C.UPLOAD_QUOTA_EXCEEDED: 429,
    # the admin API (/v1/admin, sync_server/api/ADMIN.md)
    C.IMPORT_INVALID: 422,
    C.USER_EXISTS: 409,
    C.USER_NOT_FOUND: 404,
    C.ORG_NOT_FOUND: 404,
    C.ORG_EXISTS: 409,
    C.ADMIN_LAST_ADMIN: 409,
}


# Schema bounds that have their own documented code: a body whose only fault may be a list
# over its limit must get that code, not the generic request.invalid (pydantic checks the
# bound before the route's own check can run). (location, error type) -> code.
BOUND_CODES: dict[tuple[tuple[str, ...], str], ProblemCode] = {
    (("body", "mutations"), "too_long"): C.SYNC_TOO_MANY_MUTATIONS,
}


def validation_problem(errors: list[dict[str, Any]]) -> DomainError:
    """The problem for FastAPI's validation errors: a bound with its own code first, then
    unparseable JSON, else request.invalid with every error's location, type and text."""
    for e in errors:
        code = BOUND_CODES.get((tuple(e["loc"]), e["type"]))
        if code is not None:
            limit = e["ctx"].get("max_length")
            return DomainError(code, f"at most {limit}", max=limit)
    plain = [{k: e[k] for k in ("loc", "type", "msg")} for e in errors]
    if any(e["type"] == "json_invalid" for e in errors):
        return DomainError(C.REQUEST_MALFORMED_JSON, plain[0]["msg"], errors=plain)
    return DomainError(C.REQUEST_INVALID, plain[0]["msg"] if plain else "", errors=plain)


class Problem(BaseModel):
    """The error body of every non-2xx response."""

    code: str = Field(examples=["sync.mutation_gap"])
    message: str = Field(examples=["同步记录缺失,需从断点重发"])
    details: dict[str, Any] = Field(description="Always sent; {} when there is nothing to add")


def problem_response(error: DomainError, headers: dict[str, str] | None = None) -> JSONResponse:
    status = STATUS.get(error.code, 400)
    return JSONResponse(error.to_problem(), status_code=status, headers=headers)


def responses(*codes: ProblemCode) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route: each status its codes can produce, as Problem."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        status = STATUS.get(code, 400)
        entry = out.setdefault(status, {"model": Problem, "description": ""})
        entry["description"] = ", ".join(filter(None, [entry["description"], str(code)]))
    return out


def document_problems(app: FastAPI) -> None:
    """Make /docs tell the truth: validation errors come back as Problem (422
    request.invalid), not FastAPI's default HTTPValidationError shape (the handler below
    rewrites them); a JSON body that does not parse is 400 request.malformed_json on every
    route that takes one; `details` is always sent."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        for methods in spec.get("paths", {}).values():
            for op in methods.values():
                _document_validation(op)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = Problem.model_json_schema()
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


def _document_validation(op: dict[str, Any]) -> None:
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for response in op.get("responses", {}).values():
        schema = response.get("content", {}).get("application/json", {})
        if schema.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
            response["content"] = problem
            response["description"] = str(C.REQUEST_INVALID)
    if "application/json" in op.get("requestBody", {}).get("content", {}):
        entry = op["responses"].setdefault("400", {"description": "", "content": problem})
        codes = [c for c in entry["description"].split(", ") if c]
        entry["description"] = ", ".join([*codes, str(C.REQUEST_MALFORMED_JSON)])


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain(_: Request, exc: DomainError) -> JSONResponse:
        retry = exc.details.get("retry_after")
        return problem_response(exc, {"Retry-After": str(retry)} if retry else None)

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "type": e.get("type", ""),
                "msg": e.get("msg", ""),
                "ctx": e.get("ctx") or {},
            }
            for e in exc.errors()
        ]
        return problem_response(validation_problem(errors))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            # FastAPI's only 400: a body it could not parse as JSON (nested too deep for
            # json.loads, or not UTF-8) — what its JSONDecodeError path calls json_invalid
            400: C.REQUEST_MALFORMED_JSON,
            404: C.REQUEST_NOT_FOUND,
            405: C.REQUEST_METHOD_NOT_ALLOWED,
            413: C.REQUEST_TOO_LARGE,
            415: C.REQUEST_UNSUPPORTED_MEDIA,
        }.get(exc.status_code, C.REQUEST_INVALID)
        response = problem_response(DomainError(code))
        response.status_code = exc.status_code
        return response

    # Handlers for specific classes run inside Starlette's ExceptionMiddleware and end there;
    # the catch-all below runs in ServerErrorMiddleware, which answers and then re-raises,
    # so the server logs a traceback for it as well. Expected failures get their own.
    @app.exception_handler(sa.exc.OperationalError)
    @app.exception_handler(sa.exc.InterfaceError)
    async def on_database_down(request: Request, exc: sa.exc.DBAPIError) -> JSONResponse:
        # the database is down or unreachable: the client retries later; one line in the
        # log, not a traceback per request of the flood that follows
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
        )
        return problem_response(
            DomainError(C.SERVER_UNAVAILABLE, retry_after=5), {"Retry-After": "5"}
        )

    @app.exception_handler(ClientDisconnect)
    async def on_client_gone(request: Request, _: ClientDisconnect) -> JSONResponse:
        # a phone that lost its link mid-body (a cut pack): what was committed stays, the
        # next sync resumes; nobody is there to read this answer
        log.info("client went away during %s %s", request.method, request.url.path)
        return problem_response(DomainError(C.REQUEST_INVALID, "the request body was cut off"))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(DomainError(C.SERVER_ERROR))
