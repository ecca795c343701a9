"""Error pages: a page request that fails gets HTML a person can read (404, 403, a bad
form, a missing CSRF token, too many sign-in attempts, our own 500); an htmx request gets
the API's one JSON envelope, which live.js shows as a toast. The API keeps its JSON: the
handlers installed before these answer every request that is not a page's."""

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
from app.web.session import _to_login, is_htmx

log = logging.getLogger(__name__)

TITLES = {
    400: "That request could not be understood",
    403: "You cannot open this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "That has changed meanwhile",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Busy right now",
}
MESSAGES = {
    400: "Please go back and try again.",
    403: "Your account does not have access to this page.",
    404: "There is nothing at this address. Check the link, or go back to your home page.",
    405: "Please go back and try again.",
    429: "Please wait a few minutes and try again.",
    500: "Something went wrong on our side; it has been logged. Please try again.",
    503: "The service is busy right now; please try again in a few seconds.",
}
DOMAIN_STATUS = (
    (Invalid, 422),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooMany, 429),
    (Unavailable, 503),
)


def is_page_request():
    """A request for a page: a web view, or an unknown path a browser asked for as HTML."""
    blueprint = request.blueprint or ""
    if blueprint == "web" or blueprint.startswith("web."):
        return True
    if request.endpoint is None and not request.path.startswith("/api/"):
        # a browser's navigation prefers HTML; curl's */* and API clients keep JSON
        return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    return False


def render_error(status, message=None, code=None):
    message = message or MESSAGES.get(status, MESSAGES[400])
    if is_htmx():
        response = jsonify(envelope(code or "error", message))
    else:
        title = TITLES.get(status, TITLES[400])
        response = render_template("web/errors/error.html", status=status, title=title, message=message)
    return response, status


def install(app):
    """Wrap the API's handlers (installed first): pages get HTML, everything else JSON."""
    spec = app.error_handler_spec[None][None]
    json_http, json_domain = spec.get(HTTPException), spec.get(DomainError)

    def on_http_exception(error):
        if not is_page_request():
            return json_http(error) if json_http else error
        if isinstance(error, CSRFError):
            message = "This form has expired or was sent from elsewhere. Reload the page and try again."
            return render_error(400, message, "csrf_failed")
        if error.code == 401:
            return _to_login()
        if isinstance(error, InternalServerError):
            log.error("page %s %s failed", request.method, request.path, exc_info=error.original_exception)
        message = (getattr(error, "data", None) or {}).get("message") if error.code not in MESSAGES else None
        return render_error(error.code or 500, message)

    def on_domain_error(error):
        if not is_page_request():
            return json_domain(error)
        status = next((code for cls, code in DOMAIN_STATUS if isinstance(error, cls)), 400)
        if status == 401:
            return _to_login()
        return render_error(status, error.message, error.code)

    app.register_error_handler(HTTPException, on_http_exception)
    app.register_error_handler(DomainError, on_domain_error)
