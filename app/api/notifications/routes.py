"""Every role's inbox."""

import csv
import io

from flask import Response
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from app.models import iso
from app.schemas.notifications import (
    ExportQuerySchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
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
def mark_all_read():
    """Mark every notification read."""
    return {"updated": notifications.mark_all_read(current_user), "unread_count": 0}


@blp.get("/export")
@jwt_required()
@blp.arguments(ExportQuerySchema, location="query")
def export(query):
    """The caller's whole notification history as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "type", "title", "body", "created_at", "read_at", "cleared_at"])
    for n in notifications.history(current_user):
        writer.writerow([n.id, n.type, n.title, n.body, iso(n.created_at), iso(n.read_at), iso(n.cleared_at)])
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=notifications.csv"}
    )
