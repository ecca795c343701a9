"""Email: sending (with retries and back-off, see JOBS) and the digests."""

from datetime import datetime

from app.jobs.base import job
from app.services.notifications.mail import digest, queue, send


@job
def send_email(message_id):
    """Send one recorded email; a failure raises so RQ retries it with back-off."""
    return {"message_id": message_id, "sent_to": send.send_message(message_id)}


@job
def send_digests(now=None):
    """Hourly: each user who chose a digest gets one per period in their time zone (safe to run twice)."""
    now = datetime.fromisoformat(now) if isinstance(now, str) else now
    return digest.send_digests(now)


@job
def requeue_stale_emails(now=None):
    """Every 10 minutes: emails whose send job was lost (Redis down at commit) are enqueued again."""
    now = datetime.fromisoformat(now) if isinstance(now, str) else now
    return {"requeued": queue.requeue_stale(now)}
