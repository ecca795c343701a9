"""The crisis escalation ladder."""

from datetime import datetime

from app.jobs.base import job
from app.services.crisis import alerts


def _parse(now):
    return datetime.fromisoformat(now) if isinstance(now, str) else now


@job
def check_alert(alert_id, now=None):
    """Escalate or remind for one alert if it is due (safe to run twice)."""
    return {"alert_id": alert_id, "action": alerts.check(alert_id, _parse(now))}


@job
def escalate_due_alerts(now=None):
    """Sweep: check every alert whose next check is due (catches any lost delayed job)."""
    now = _parse(now)
    actions = [alerts.check(alert_id, now) for alert_id in alerts.due_alert_ids(now)]
    return {"checked": len(actions), "acted": sum(1 for a in actions if a)}
