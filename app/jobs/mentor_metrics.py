"""The trailing metrics:updated event of a burst of writes for one mentor."""

from app.jobs.base import job
from app.services.portal import mentor_metrics


@job
def send_metrics_update(mentor_id):
    """Emit metrics:updated with the mentor's current figures (safe to run twice: one more event)."""
    figures = mentor_metrics.send_trailing(mentor_id)
    return {"mentor_id": mentor_id, "active_students": figures["active_students"]}
