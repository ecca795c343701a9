"""Crisis oversight: every open and acknowledged alert across mentors, oldest first, with
the time since it was raised and who was told; and the feedback export, with the students'
words only when the admin ticks the box (the service audits that choice)."""

from flask import Response, g, render_template, request, stream_with_context

from app.models import utcnow
from app.services.crisis import feedback, oversight
from app.web.admin import blp
from app.web.session import require_role


def since(moment, now):
    minutes = max(0, int((now - moment).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return (f"{days} d " if days else "") + (f"{hours} h " if hours or days else "") + f"{mins} min"


def _rows():
    now = utcnow()
    return [r | {"since": since(r["alert"].created_at, now)} for r in oversight.open_alerts()]


@blp.get("/crisis")
@require_role("admin")
def crisis_page():
    """Every alert not yet resolved, oldest first: time since raised, status, escalation, who was told."""
    return render_template("web/admin/crisis.html", rows=_rows(), active="crisis")


@blp.get("/crisis/_alerts")
@require_role("admin")
def crisis_alerts():
    """The oversight table alone (refreshed on crisis notifications and every reconnect)."""
    return render_template("web/admin/_crisis.html", rows=_rows())


@blp.get("/crisis/feedback.csv")
@require_role("admin")
def crisis_feedback():
    """Resolved alerts as CSV for retraining; ?include_text=on adds the messages (audited)."""
    include_text = request.args.get("include_text") == "on"
    return Response(
        stream_with_context(feedback.export_csv(g.person, include_text)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=crisis-feedback.csv"},
    )
