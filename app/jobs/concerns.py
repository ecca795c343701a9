"""The review tier's safety net: concerns left unreviewed go to the admins."""

from datetime import datetime

from app.jobs.base import job
from app.services.crisis import concerns


def _parse(now):
    # `now` crosses the queue as an ISO string (tests and replays drive time with it)
    return datetime.fromisoformat(now) if isinstance(now, str) else now


@job
def escalate_concern(concern_id, now=None):
    """Tell the admins about one concern if it has waited past the review window (safe to run twice)."""
    return {"concern_id": concern_id, "action": concerns.escalate(concern_id, _parse(now))}


@job
def escalate_unreviewed_concerns(now=None):
    """Sweep: escalate every open concern older than CONCERN_REVIEW_WINDOW not yet escalated."""
    now = _parse(now)
    actions = [concerns.escalate(concern_id, now) for concern_id in concerns.due_concern_ids(now)]
    return {"checked": len(actions), "escalated": sum(1 for a in actions if a)}
