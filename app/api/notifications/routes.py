"""Every role's inbox."""

from flask import Response
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from app.schemas.notifications import (
    ExportQuerySchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    ReadAllSchema,
)
from app.services import notifications

blp = Blueprint("notifications", __name__, url_prefix="/notifications", description="Notifications")


@blp.get("")
@jwt_required()
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(query):
    """The caller's notifications, newest first; ?since_id= replays what came after an id."""
    return notifications.list_for(current_user, **query)


@blp.post("/<int:notification_id>/read")
@jwt_required()
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one notification read."""
    return notifications.to_dict(notifications.mark_read(current_user, notification_id))


@blp.post("/read-all")
@jwt_required()
@blp.response(200, ReadAllSchema)
def mark_all_read():
    """Mark every notification read."""
    return {"updated": notifications.mark_all_read(current_user), "unread_count": 0}


@blp.get("/export")
@jwt_required()
@blp.arguments(ExportQuerySchema, location="query")
@blp.doc(responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def export(query):
    """The caller's whole notification history as CSV."""
    return Response(
        notifications.export_csv(current_user),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=notifications.csv"},
    )
