"""Mentor dashboard: students, insights, notifications, crisis alerts."""

from flask import jsonify
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.schemas.alerts import (
    AlertEnvelope,
    AlertPageSchema,
    AlertQuerySchema,
    ConcernEnvelope,
    ConcernListSchema,
    ConcernQuerySchema,
    ConcernReviewSchema,
    MissedCrisisEnvelope,
    MissedCrisisSchema,
    ResolveSchema,
)
from app.schemas.mentor import InsightsSchema, MentorStudentListSchema
from app.schemas.notifications import NotificationPageSchema, NotificationQuerySchema
from app.schemas.portal import MentorMetricsSchema, MetricsQuerySchema
from app.services.crisis import alerts, concerns, missed
from app.services.notifications import inbox as notifications
from app.services.portal import insights, mentor_metrics, mentors

blp = Blueprint(
    "mentor",
    __name__,
    url_prefix="/mentor",
    description=(
        "Mentor dashboard: the mentor's own students (404 for anyone else's), their insights, the "
        "portal metrics, the inbox and crisis alerts. Alerts are listed with "
        "`?status=open|acknowledged|resolved`, `?student_id=`, `?before_id=`, `?limit=`; the "
        "student's mentor or an admin acknowledges (409 once resolved) and resolves (a `note` is "
        "required). Concerns are the review tier under the page: listed with `?status=open|dismissed|raised`, "
        "dismissed (nothing wrong) or raised to a crisis alert. The rules: docs/crisis-alerts.md and docs/portal.md."
    ),
)


@blp.get("/students")
@role_required("mentor")
@blp.response(200, MentorStudentListSchema)
def students():
    """This mentor's students, with open alerts and last activity.

    Who: mentors.
    Each student with `open_alerts` and `last_activity_at` (entries, completed tasks and attendance
    count as activity).
    """
    return {"items": mentors.students_overview(current_user)}


@blp.get("/metrics")
@role_required("mentor")
@blp.arguments(MetricsQuerySchema, location="query")
@blp.response(200, MentorMetricsSchema)
def metrics(query):
    """Dashboard figures: active students, entries by status, open and overdue tasks, sessions today (?tz=).

    Who: mentors.
    `active_students`, `entries` {total, approved, pending, needs_revision, rejected}, `tasks`
    {open, overdue}, `sessions_today` {total, scheduled, completed}, `computed_at`, `cached`. Cached
    per mentor for 5 minutes and dropped by every write that moves a figure; `metrics:updated`
    announces changes, with sessions_today in the zone the mentor last asked for (UTC if never).
    """
    return mentor_metrics.read(current_user.id, query["tz"])


@blp.get("/student/<int:student_id>/insights")
@role_required("mentor", "admin")
@blp.response(200, InsightsSchema)
def student_insights(student_id):
    """Insights about one of this mentor's students (cached; partial while computing).

    Who: mentors and admins.
    404 unless it is the caller's student. Answers `{"student", "insights", "cached", "computed_at",
    "partial", "recomputing"}`; a cold cache answers quick figures (`"partial": true`) at once and
    sends `insights:ready` when the full result is stored. See docs/portal.md.
    """
    return insights.get_for(current_user, student_id)


@blp.get("/notifications")
@role_required("mentor")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(query):
    """This mentor's notifications, newest first; ?since_id= replays what came after an id.

    Who: mentors.
    The same inbox and parameters as `GET /notifications`.
    """
    # Already dumped by NotificationSchema (the Redis fast list holds them so); the schema above documents it.
    return jsonify(notifications.list_for(current_user, **query))


@blp.delete("/notifications")
@role_required("mentor")
@blp.response(204)
def clear_notifications():
    """Clear the inbox (alerts stay on record; open crisis alerts stay in the inbox).

    Who: mentors.
    Answers 204; everything stays on record (`GET /notifications/export`).
    """
    notifications.clear(current_user)


@blp.get("/alerts")
@role_required("mentor", "admin")
@blp.arguments(AlertQuerySchema, location="query")
@blp.response(200, AlertPageSchema)
def list_alerts(query):
    """Crisis alerts for this mentor's students (all of them for an admin)."""
    return alerts.list_alerts(current_user, **query)


@blp.get("/alerts/<int:alert_id>")
@role_required("mentor", "admin")
@blp.response(200, AlertEnvelope)
def get_alert(alert_id):
    """One alert with its steps and its trigger: the student's message, the chatbot's label and
    confidence, whether the label, the text check or both flagged it, and what the check matched.
    Only the student's current mentor and admins see it (404 for anyone else)."""
    return {"alert": alerts.get_alert(current_user, alert_id)}


@blp.post("/alerts/<int:alert_id>/acknowledge")
@role_required("mentor", "admin")
@blp.response(200, AlertEnvelope)
def acknowledge(alert_id):
    """Acknowledge an alert: stops the escalation ladder."""
    return {"alert": alerts.acknowledge(current_user, alert_id)}


@blp.post("/alerts/<int:alert_id>/resolve")
@role_required("mentor", "admin")
@blp.arguments(ResolveSchema)
@blp.response(200, AlertEnvelope)
def resolve(body, alert_id):
    """Resolve an alert with a note on what was done and an outcome: supported, referred or false_alarm."""
    return {"alert": alerts.resolve(current_user, alert_id, body["note"], body.get("outcome"))}


@blp.get("/concerns")
@role_required("mentor", "admin")
@blp.arguments(ConcernQuerySchema, location="query")
@blp.response(200, ConcernListSchema)
def list_concerns(query):
    """Concerns (the review tier) about this mentor's students, newest first; ?status=open|dismissed|raised."""
    return {"items": concerns.list_concerns(current_user, query.get("status"))}


@blp.post("/concerns/<int:concern_id>/dismiss")
@role_required("mentor", "admin")
@blp.arguments(ConcernReviewSchema)
@blp.response(200, ConcernEnvelope)
def dismiss_concern(body, concern_id):
    """Mark a concern fine (status `dismissed`, optional `note`); 409 once reviewed. Feeds the training export."""
    return {"concern": concerns.dismiss(current_user, concern_id, body.get("note"))}


@blp.post("/concerns/<int:concern_id>/raise")
@role_required("mentor", "admin")
@blp.arguments(ConcernReviewSchema)
@blp.response(201, AlertEnvelope)
def raise_concern(body, concern_id):
    """Raise a concern to a crisis alert, paged as any other (escalation ladder included); 409 once reviewed."""
    return {"alert": concerns.raise_to_alert(current_user, concern_id, body.get("note"))}


@blp.post("/missed-crisis")
@role_required("mentor", "admin")
@blp.arguments(MissedCrisisSchema)
@idempotent
@blp.response(201, MissedCrisisEnvelope)
def report_missed_crisis(body):
    """Report a student's chatbot message that should have raised a crisis alert and did not.

    Who: the student's mentor, or an admin (404 for another mentor's student's message).
    Body: `intent_id` (the stored message), `category` (one of the detector's), `note`. 409 when
    the message did alert or was already reported. The next `flask crisis train` learns from it,
    and the crisis feedback export lists it (docs/crisis-detection.md).
    """
    return {"report": missed.report(current_user, body["intent_id"], body["category"], body.get("note"))}
