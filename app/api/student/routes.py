"""Student dashboard: the cached aggregate, actions, and live updates over SSE."""

from flask import Response, current_app, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from app.api.auth_helpers import role_required
from app.extensions import limiter
from app.models import Role
from app.schemas.dashboard import (
    ActionAnswerSchema,
    ActionSchema,
    DashboardQuerySchema,
    DashboardSchema,
    StreamTokenSchema,
)
from app.services import metrics
from app.services.dashboard import actions, reader, stream
from app.services.errors import Forbidden, Invalid

blp = Blueprint("student", __name__, url_prefix="/student", description="Student dashboard")


@blp.get("/dashboard")
@metrics.timed("dashboard")
@role_required("student")
@blp.arguments(DashboardQuerySchema, location="query")
@blp.response(200, DashboardSchema)
def dashboard(query):
    """The student's own dashboard, from the cache (computed only the very first time)."""
    return reader.dashboard_for(current_user, **query)


def _per_student():
    return f"student:{current_user.id}"


@blp.post("/dashboard/action")
@metrics.timed("dashboard_action")
@role_required("student")
# Each action queues a refresh, and some ripple to the cohort's leaderboard: keep bursts bounded.
@limiter.limit(lambda: current_app.config["DASHBOARD_ACTION_RATE_LIMIT"], key_func=_per_student)
@blp.arguments(ActionSchema)
@blp.response(202, ActionAnswerSchema)
def dashboard_action(body):
    """Record what the student did and queue their dashboard's refresh."""
    return actions.record(current_user, **body)


@blp.post("/dashboard/stream-token")
@role_required("student")
@blp.response(201, StreamTokenSchema)
def stream_token():
    """A short-lived, single-use token for ?stream_token= (EventSource cannot send headers)."""
    return stream.issue_token(current_user)


def _stream_student():
    token = request.args.get("stream_token")
    if token is not None:
        return stream.redeem_token(token)
    verify_jwt_in_request()
    if current_user.role != Role.STUDENT:
        raise Forbidden(message="Your role may not use this endpoint.")
    return current_user


def _last_event_id():
    raw = request.headers.get("Last-Event-ID", request.args.get("last_event_id"))
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise Invalid(details={"Last-Event-ID": ["An event id (a non-negative integer) is required."]})
    return int(raw)


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
def dashboard_stream():
    """Server-Sent Events of the student's dashboard updates; Last-Event-ID resumes."""
    last_event_id = _last_event_id()  # checked before a single-use token is spent
    lines = stream.open_stream(_stream_student(), last_event_id)
    return Response(
        lines,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
