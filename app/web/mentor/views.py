"""Shapes for the mentor's templates: the banner's alerts with who was told, the bell's
count. Presentation only; the rules stay in the services."""

from app.models.alerts import OPEN
from app.services.crisis import alerts
from app.services.notifications import inbox

BELL_SIZE = 8


def open_alerts(person):
    """The open (not yet acknowledged) alerts of this mentor's students, newest first."""
    return alerts.list_alerts(person, status=OPEN, limit=20, full=True)["items"]


def told(alert, person):
    """Who was told of this alert, from its steps: "you", "the admins" (escalations included)."""
    names = []
    for step in alert.steps:
        if step.action not in ("notified", "escalated") or not step.note:
            continue
        for part in step.note.split(", "):
            name = "the admins" if part == "admins" else ("you" if part == f"mentor:{person.id}" else "another mentor")
            if name not in names:
                names.append(name)
    return names


def badge_text(count):
    return "9+" if count > 9 else str(count)


def console_context(person):
    return {
        "crisis_alerts": open_alerts(person),
        "unread_count": inbox.unread_count(person),
        "told": told,
        "badge_text": badge_text,
    }
