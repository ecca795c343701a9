"""Email digests: one email per user and period (daily or weekly, in the user's time zone)
listing their unread, non-urgent notifications.

The period is the user's local day (or ISO week). From DIGEST_HOUR local time on, the
hourly job sends each due user one digest; the row's unique (user, period) key makes a
second run, or two workers at once, a no-op. Nothing unread: nothing sent, and a later
run in the same period tries again.
"""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import EmailMessage, Notification, NotificationPreference, User, utcnow
from app.services.notifications import preferences
from app.services.notifications.mail import queue
from app.services.shared.transaction import commit

log = logging.getLogger(__name__)

MAX_ITEMS = 50
LOOKBACK = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _zone(name):
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def period(choice, tz, now):
    """(period key, local start of the period) for a user's choice at `now`."""
    local = now.astimezone(_zone(tz))
    if choice == "weekly":
        year, week, _ = local.isocalendar()
        start = datetime.combine(local.date() - timedelta(days=local.weekday()), time(), local.tzinfo)
        return f"digest:weekly:{year}-W{week:02d}", start
    return f"digest:daily:{local.date().isoformat()}", datetime.combine(local.date(), time(), local.tzinfo)


def _unread(user, since):
    return db.session.scalars(
        select(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            Notification.cleared_at.is_(None),
            Notification.alert_id.is_(None),
            Notification.type.not_in(preferences.MANDATORY_TYPES),
            Notification.created_at >= since,
        )
        .order_by(Notification.id.desc())
        .limit(MAX_ITEMS)
    ).all()


def send_for(user, choice, now):
    """Record this user's digest for the current period; returns its row or None."""
    local = now.astimezone(_zone(user.timezone))
    if local.hour < current_app.config["DIGEST_HOUR"]:
        return None
    key, _start = period(choice, user.timezone, now)
    if db.session.scalar(
        select(EmailMessage.id).where(EmailMessage.user_id == user.id, EmailMessage.period_key == key)
    ):
        return None
    items = _unread(user, now - LOOKBACK[choice])
    if not items:
        return None
    zone = _zone(user.timezone)
    context = {
        "period": choice,
        "items": [
            {"title": n.title, "body": n.body, "at": n.created_at.astimezone(zone).strftime("%a %d %b %H:%M")}
            for n in items
        ],
        "timezone": user.timezone,
    }
    try:
        with db.session.begin_nested():
            row = queue.send(user, "digest", "digest", context, period_key=key, now=now)
    except IntegrityError:  # another run recorded this period first
        return None
    commit()
    return row


def send_digests(now=None):
    """Every user who chose a digest gets at most one per period. Returns how many were recorded."""
    now = now or utcnow()
    rows = db.session.execute(
        select(User, NotificationPreference.email_digest)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.email_digest.in_(tuple(LOOKBACK)), User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    sent = 0
    for user, choice in rows:
        if send_for(user, choice, now) is not None:
            sent += 1
    return {"users": len(rows), "sent": sent}
