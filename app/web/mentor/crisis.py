"""Crisis pages: the banner's partial, the alert list and page, acknowledge and resolve.
The rules are crisis.alerts' (the JSON API's too); these views parse, call and render."""

from flask import g, redirect, render_template, request, url_for

from app.models.alerts import OUTCOMES
from app.services.crisis import alerts
from app.services.shared.errors import Invalid
from app.web.mentor import blp, views
from app.web.session import is_htmx, require_role

NOTE_MAX = 4000


@blp.get("/_crisis")
@require_role("mentor")
def crisis_banner():
    """The red banner of open crisis alerts (refreshed live on every mentor page)."""
    return render_template("web/mentor/_crisis_banner.html", crisis_alerts=views.open_alerts(g.person))


@blp.get("/alerts")
@require_role("mentor")
def alert_list():
    """This mentor's crisis alerts, newest first, by status."""
    status = request.args.get("status") or None
    if status not in (None, "open", "acknowledged", "resolved"):
        raise Invalid("bad_status", "Status is open, acknowledged or resolved.")
    rows = alerts.list_alerts(g.person, status=status, limit=100)["items"]
    return render_template("web/mentor/alerts.html", rows=rows, status=status)


@blp.get("/alerts/<int:alert_id>")
@require_role("mentor")
def alert_page(alert_id):
    """One alert: its trigger (message, label, confidence, why the text check fired) and its steps."""
    return render_template("web/mentor/alert.html", alert=alerts.get_alert(g.person, alert_id), outcomes=OUTCOMES)


@blp.get("/alerts/<int:alert_id>/_detail")
@require_role("mentor")
def alert_detail(alert_id):
    """The alert page's live part (status, actions, steps)."""
    return _detail(alerts.get_alert(g.person, alert_id))


def _detail(alert):
    return render_template("web/mentor/_alert_detail.html", alert=alert, outcomes=OUTCOMES)


def _answer(alert):
    """htmx from the banner gets the banner back, from the alert page its detail; a form
    without JavaScript goes to the alert's page."""
    if not is_htmx():
        return redirect(url_for("web.mentor.alert_page", alert_id=alert.id), code=303)
    if request.headers.get("HX-Target") == "crisis-banner":
        return crisis_banner()
    return _detail(alert)


@blp.post("/alerts/<int:alert_id>/acknowledge")
@require_role("mentor")
def acknowledge(alert_id):
    """Acknowledge: claims the alert and stops its escalation."""
    return _answer(alerts.acknowledge(g.person, alert_id))


@blp.post("/alerts/<int:alert_id>/resolve")
@require_role("mentor")
def resolve(alert_id):
    """Resolve with an outcome (supported, referred, false_alarm) and a note."""
    note = (request.form.get("note") or "").strip()
    outcome = request.form.get("outcome") or ""
    if outcome not in OUTCOMES:
        raise Invalid("bad_outcome", "Choose what happened: supported, referred or false alarm.")
    if not note or len(note) > NOTE_MAX:
        raise Invalid("note_required", f"Write a note on what was done (up to {NOTE_MAX} characters).")
    return _answer(alerts.resolve(g.person, alert_id, note, outcome))
