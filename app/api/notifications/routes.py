"""Every role's inbox."""

from flask import Response, jsonify, stream_with_context
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from app.schemas.notifications import (
    ExportQuerySchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    PreferencesSchema,
    ReadAllSchema,
)
from app.services.notifications import inbox as notifications
from app.services.notifications import preferences

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/notifications",
    description=(
        'Every role\'s inbox. A notification is `{"id", "type", "title", "body", "data", '
        '"created_at", "read_at", "pinned"}`, the same in the live `notification` event. '
        "Notifications of unresolved crisis alerts are `pinned`: they stay in the list (and in a "
        "cleared inbox) until resolved. `unread_count` is always counted in the database. More: "
        "docs/realtime.md."
    ),
)


@blp.get("")
@jwt_required()
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(query):
    """The caller's notifications, newest first; ?since_id= replays what came after an id.

    Answers `{"items", "unread_count", "next_before_id"}` (after `?since_id=`: `next_since_id`).
    Filters `?type=`, `?unread=true`; `?limit=` (1-200, default 20); `?before_id=` gives the next
    page; `?since_id=` replays exactly what came after, oldest first.
    """
    # Already dumped by NotificationSchema (the Redis fast list holds them so); the schema above documents it.
    return jsonify(notifications.list_for(current_user, **query))


@blp.post("/<int:notification_id>/read")
@jwt_required()
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one notification read."""
    return notifications.mark_read(current_user, notification_id)


@blp.post("/read-all")
@jwt_required()
@blp.response(200, ReadAllSchema)
def mark_all_read():
    """Mark every notification read.

    Answers `{"updated", "unread_count": 0}`.
    """
    return {"updated": notifications.mark_all_read(current_user), "unread_count": 0}


@blp.get("/export")
@jwt_required()
@blp.arguments(ExportQuerySchema, location="query")
@blp.doc(responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def export(query):
    """The caller's whole notification history as CSV.

    `?format=csv` (the only format): every notification the caller ever had, cleared ones included,
    oldest first.
    """
    return Response(
        stream_with_context(notifications.export_csv(current_user)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=notifications.csv"},
    )


@blp.get("/preferences")
@jwt_required()
@blp.response(200, PreferencesSchema)
def get_preferences():
    """Per type: in_app and email on or off; and the email digest (off, daily, weekly)."""
    return preferences.get(current_user)


@blp.put("/preferences")
@jwt_required()
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(body):
    """Change preferences (unsent types stay as they were); 422 if a crisis, escalation or security type is off."""
    return preferences.update(current_user, body.get("types"), body.get("email_digest"))
