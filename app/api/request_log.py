"""A request id on every request (the caller's X-Request-ID when it sends a sane one) and
one log line per request: id, user, method, route, status, duration."""

import logging
import re
import time
import uuid

from flask import g, request

from app.api.limits import caller
from app.services.shared import ops_metrics

log = logging.getLogger("pulse.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id():
    """This request's id (also outside a request's hooks, e.g. in error handlers)."""
    return g.get("request_id")


def _start():
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
    g.request_started = time.monotonic()


def _finish(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
    who = caller() if request.endpoint else None
    started = g.get("request_started", time.monotonic())
    route = request.url_rule.rule if request.url_rule is not None else None
    seconds = time.monotonic() - started
    ops_metrics.observe_request(request.method, route or "<unmatched>", response.status_code, seconds)
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "request_id": g.get("request_id"),
            "user_id": int(who[5:]) if who and who.startswith("user:") and who[5:].isdigit() else None,
            "method": request.method,
            "route": route,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def install(app):
    app.before_request(_start)
    app.after_request(_finish)
