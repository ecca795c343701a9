"""The inbox bell: its list (filtered by type), mark one or all read, the CSV export.
Reading sends `notifications:read` from the service, so every tab's badge agrees."""

from flask import Response, g, jsonify, render_template, request, stream_with_context

from app.services.notifications import inbox, preferences
from app.services.shared.errors import Invalid
from app.web.mentor import blp, views
from app.web.session import require_role


@blp.get("/_inbox")
@require_role("mentor")
def inbox_list():
    """The bell's dropdown: the newest notifications, optionally of one type."""
    kind = request.args.get("type") or None
    if kind is not None and kind not in preferences.KNOWN_TYPES:
        raise Invalid("bad_type", "Unknown notification type.")
    page = inbox.list_for(g.person, type=kind, limit=views.BELL_SIZE)
    return render_template("web/mentor/_inbox.html", items=page["items"], unread_count=page["unread_count"], kind=kind)


@blp.post("/notifications/<int:notification_id>/read")
@require_role("mentor")
def mark_read(notification_id):
    """Mark one notification read; answers the new unread count (the page already showed it)."""
    inbox.mark_read(g.person, notification_id)
    return jsonify({"unread_count": inbox.unread_count(g.person)})


@blp.post("/notifications/read-all")
@require_role("mentor")
def mark_all_read():
    """Mark every notification read."""
    inbox.mark_all_read(g.person)
    return jsonify({"unread_count": inbox.unread_count(g.person)})


@blp.get("/notifications/export")
@require_role("mentor")
def export():
    """Every notification ever received, as CSV."""
    return Response(
        stream_with_context(inbox.export_csv(g.person)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=pulse-notifications.csv"},
    )
