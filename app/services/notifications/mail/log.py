"""The email log's upkeep."""

from app.models import EmailMessage
from app.services.shared.pruning import delete_in_batches


def prune(older_than):
    """Forget emails recorded before `older_than` (past the cap's day and any digest period), in batches."""
    return delete_in_batches(EmailMessage, EmailMessage.created_at < older_than)
