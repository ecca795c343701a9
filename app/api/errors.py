"""One JSON error shape for the whole app: {"error": {"code", "message", "details"}}."""

import logging
import sys

from flask import current_app, jsonify, request
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from app.extensions import db
from app.schemas.errors import envelope
from app.services.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooMany,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

DEFAULT_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Nothing was found here."),
    405: ("method_not_allowed", "This method is not allowed on this path."),
    409: ("conflict", "This conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("validation_error", "Some fields are invalid."),
    429: ("rate_limited", "Too many requests; wait and try again."),
    500: ("internal_error", "Something went wrong on our side; it has been logged."),
}


# Each domain error's HTTP status; the envelope is the same for all of them.
STATUS_FOR = {
    Invalid: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooMany: 429,
    Unavailable: 503,
}


def error_response(status, code=None, message=None, details=None, headers=None):
    default_code, default_message = DEFAULT_CODES.get(status, ("error", "Request failed."))
    response = jsonify(envelope(code or default_code, message or default_message, details))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _validation_details(messages):
    """webargs nests messages by location ({"json": {...}}); clients want field -> messages."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    if set(messages) <= {"json", "query", "view_args", "headers", "form", "files"}:
        merged = {}
        for part in messages.values():
            merged.update(part if isinstance(part, dict) else {"_schema": part})
        return merged
    return messages


def handle_http_exception(error):
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.code == 429:
        retry_after = getattr(error, "retry_after", None) or _retry_after_from(error)
        headers.setdefault("Retry-After", str(retry_after or 60))
    if data.get("code"):  # our own aborts name their code
        return error_response(error.code, data["code"], data.get("message"), headers=headers)
    if error.code == 400 and request.is_json:
        return error_response(400, "invalid_json", "The request body is not valid JSON.")
    if "messages" in data:
        return error_response(error.code, details=_validation_details(data["messages"]), headers=headers)
    message = data.get("message")
    return error_response(error.code or 500, message=message, headers=headers)


def _retry_after_from(error):
    response = error.get_response() if hasattr(error, "get_response") else None
    return response.headers.get("Retry-After") if response is not None else None


def handle_domain_error(error):
    status = next((code for cls, code in STATUS_FOR.items() if isinstance(error, cls)), 400)
    retry_after = getattr(error, "retry_after", None)  # TooMany, Unavailable
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return error_response(status, error.code, error.message, error.details, headers=headers)


def handle_database_busy(error):
    """The pool ran dry (TimeoutError) or the database did not answer (OperationalError):
    503 with Retry-After, so a client (the chatbot posting a crisis) knows to send again,
    not a 500. Whatever the request was writing was not committed."""
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too; the session is discarded at teardown
        log.debug("rollback after a database error failed", exc_info=True)
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.__class__.__name__)
    busy = Unavailable(message="The service is busy and saved nothing of this request; try again in a few seconds.")
    # the DomainError handler in force: JSON for the API, an HTML page for pages (app/web/errors.py)
    return current_app.error_handler_spec[None][None][DomainError](busy)


def handle_data_error(error):
    """A value the database column cannot hold (the parser's checks should catch it first)."""
    db.session.rollback()
    if getattr(getattr(error, "orig", None), "pgcode", None) == "22003":  # numeric_value_out_of_range
        return error_response(422, "out_of_range", "A number is out of range.")
    return handle_unexpected(error)


def handle_unexpected(error):
    log.exception("unhandled error on %s %s", request.method, request.path)
    # Handled here, so Flask never signals it: report it to Sentry. sentry_sdk is imported
    # only when SENTRY_DSN is set (app/logs.py); importing it also imports eventlet.
    sentry = sys.modules.get("sentry_sdk")
    if sentry is not None:
        sentry.capture_exception(error)
    return error_response(500)


def require_json_body():
    """415 for a body that is not JSON: it would otherwise be silently ignored."""
    if request.method in ("POST", "PUT", "PATCH") and request.content_length:
        if (request.blueprint or "").startswith("web"):
            return  # pages post forms (app/web checks their CSRF token)
        view = current_app.view_functions.get(request.endpoint)
        if request.mimetype == "text/csv" and getattr(view, "accepts_csv", False):
            return  # an upload that may come as CSV (the educator's grades)
        if not request.is_json:
            raise UnsupportedMediaType()


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(SQLAlchemyTimeout, handle_database_busy)
    app.register_error_handler(OperationalError, handle_database_busy)
    app.register_error_handler(Exception, handle_unexpected)
    app.before_request(require_json_body)
