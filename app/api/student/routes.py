"""Student dashboard: the cached aggregate, actions, and live updates over SSE."""

from flask import Response, current_app, request
from flask_jwt_extended import current_user, get_jwt, verify_jwt_in_request
from flask_smorest import Blueprint

from app.api.auth_helpers import current_principal, role_required
from app.api.gate import counts_as, reads_ahead
from app.api.idempotent import idempotent
from app.extensions import limiter
from app.models import Role
from app.schemas.dashboard import (
    ActionAnswerSchema,
    ActionSchema,
    DashboardQuerySchema,
    DashboardSchema,
    StreamTokenSchema,
)
from app.services.dashboard import actions, reader, stream
from app.services.shared import metrics
from app.services.shared.errors import Forbidden, Invalid

blp = Blueprint(
    "student",
    __name__,
    url_prefix="/student",
    description=(
        "The student's own dashboard: there is no student id in any path, and every other role "
        "gets 403. Readiness, today's actions, cards, leaderboard, tiers, the refresh queue and "
        "the live stream: docs/dashboard.md."
    ),
)


@blp.get("/dashboard")
@metrics.timed("dashboard")
@role_required("student")
@blp.arguments(DashboardQuerySchema, location="query")
@blp.response(200, DashboardSchema)
@reads_ahead(reader.keys_read)  # the cached aggregate comes back with the token check
def dashboard(query):
    """The student's own dashboard, from the cache (computed only the very first time).

    `?include_notifications=` and `?include_ai_nudge=` (default `true`; `false` gives `null`). Keys
    `readiness`, `today`, `quick_stats`, `cards`, `notifications`, `leaderboard`, `ai_nudge`,
    `last_updated`, plus `access`, `warning`, `source` and `refresh_queued`; see docs/dashboard.md.
    """
    student = current_principal()  # identity cache: a Redis hit reads no database row
    if query["include_notifications"] and query["include_ai_nudge"]:
        body = reader.cached_response(student)
        if body is not None:
            return Response(body, mimetype="application/json")
    return reader.dashboard_for(student, **query)


def _per_student():
    return f"student:{current_user.id}"


@blp.post("/dashboard/action")
@metrics.timed("dashboard_action")
@role_required("student")
# Each action queues a refresh, and some ripple to the cohort's leaderboard: keep bursts bounded.
@limiter.limit(lambda: current_app.config["DASHBOARD_ACTION_RATE_LIMIT"], key_func=_per_student)
@blp.arguments(ActionSchema)
@idempotent
@blp.response(202, ActionAnswerSchema)
def dashboard_action(body):
    """Record what the student did and queue their dashboard's refresh.

    `{"action", ...}` → 202 `{"status": "queued", "action", "priority"}`. Rate limited per student
    (`DASHBOARD_ACTION_RATE_LIMIT`, 429 with `Retry-After`).
    """
    return actions.record(current_user, **body)


@blp.post("/dashboard/stream-token")
@role_required("student")
@blp.response(201, StreamTokenSchema)
def stream_token():
    """A short-lived, single-use token for ?stream_token= (EventSource cannot send headers).

    Answers 201 `{"stream_token", "expires_in"}`; valid `STREAM_TOKEN_TTL` seconds, once.
    """
    return stream.issue_token(current_user, jti=get_jwt()["jti"])


def _stream_student():
    """(the student, the jti of the access token behind the stream: its logout ends it)."""
    token = request.args.get("stream_token")
    if token is not None:
        return stream.redeem_token(token)
    verify_jwt_in_request()
    if current_user.role != Role.STUDENT:
        raise Forbidden(message="Your role may not use this endpoint.")
    return current_user, get_jwt()["jti"]


def _last_event_id():
    raw = request.headers.get("Last-Event-ID", request.args.get("last_event_id"))
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise Invalid(details={"Last-Event-ID": ["An event id (a non-negative integer) is required."]})
    return int(raw)


def _stream_caller():
    """A stream opened with ?stream_token= counts against its student's own limit: a classroom
    behind one address reconnecting all day must not use up that address's anonymous limit.
    An unknown token counts against the address, as any anonymous request."""
    token = request.args.get("stream_token")
    owner = stream.token_owner(token) if token else None
    return f"user:{owner}" if owner is not None else None


@blp.get("/dashboard/stream")
@blp.doc(
    responses={
        200: {
            "description": "dashboard:updated events",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
    # A Bearer token, or a single-use ?stream_token= (EventSource cannot send headers).
    security=[{"bearerAuth": []}, {}],
)
@counts_as(_stream_caller)
def dashboard_stream():
    """Server-Sent Events of the student's dashboard updates; Last-Event-ID resumes.

    `text/event-stream` of `dashboard:updated`; Bearer header or `?stream_token=`. Every event has
    an `id:`; `Last-Event-ID` replays what came after it. A `: heartbeat` comment every
    `SSE_HEARTBEAT` seconds; the server ends the stream after `SSE_MAX_AGE` seconds. A stream counts
    with the student's sockets: past `CONNECTIONS_PER_USER` it is 429 `too_many_connections`, and
    when students fill their share of the server 429 `server_busy` (both with `Retry-After`).
    """
    last_event_id = _last_event_id()  # checked before a single-use token is spent
    student, jti = _stream_student()
    lines = stream.open_stream(student, last_event_id, jti=jti)
    return Response(
        lines,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
