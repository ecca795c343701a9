"""The admins' crisis oversight: every alert not yet resolved, across all mentors, oldest
first, with who was told (from the alert's steps: notified, escalated, reminded)."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CrisisAlert, User
from app.models.alerts import RESOLVED

TOLD_STEPS = ("notified", "escalated", "reminded")


def _told(alert, names):
    """Who heard of the alert, in order, each once: "Mia (mentor)", "admins"."""
    told = []
    for step in alert.steps:
        if step.action not in TOLD_STEPS or not step.note:
            continue
        for who in (w.strip() for w in step.note.split(",")):
            kind, _, raw = who.partition(":")
            label = f"{names.get(int(raw), 'mentor ' + raw)} (mentor)" if kind == "mentor" and raw.isdigit() else who
            if label and label not in told:
                told.append(label)
    return told


def open_alerts():
    """[{alert, student, mentor, told}] for every open or acknowledged alert, oldest first."""
    alerts = db.session.scalars(
        select(CrisisAlert)
        .where(CrisisAlert.status != RESOLVED)
        .order_by(CrisisAlert.created_at, CrisisAlert.id)
        .options(selectinload(CrisisAlert.steps), selectinload(CrisisAlert.student))
    ).all()
    ids = {a.mentor_id for a in alerts if a.mentor_id}
    for a in alerts:
        for step in a.steps:
            for who in (step.note or "").split(","):
                kind, _, raw = who.strip().partition(":")
                if kind == "mentor" and raw.isdigit():
                    ids.add(int(raw))
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return [
        {"alert": a, "student": a.student, "mentor": names.get(a.mentor_id), "told": _told(a, names)} for a in alerts
    ]
