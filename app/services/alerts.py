"""Crisis alerts: raise, acknowledge, resolve, escalate."""

from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.models.alerts import RESOLVED, CrisisAlert


def pinned_notification_ids(user):
    """Ids of the user's notifications whose alert is not yet resolved."""
    return set(
        db.session.scalars(
            select(Notification.id)
            .join(CrisisAlert, Notification.alert_id == CrisisAlert.id)
            .where(Notification.user_id == user.id, CrisisAlert.status != RESOLVED)
        )
    )
