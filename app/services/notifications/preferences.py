"""Notification preferences: per type and channel (in_app, email), plus the email digest.

Only what a user changed is stored; every other type is on for both channels. Crisis
alerts, escalations and security messages cannot be turned off on any channel: the
safety of a student outweighs a quiet inbox (a PUT that tries is a 422).
"""

from app.extensions import db
from app.models import NotificationPreference
from app.services.shared.errors import Invalid
from app.services.shared.transaction import commit

CHANNELS = ("in_app", "email")
DIGESTS = ("off", "daily", "weekly")
# Never muted, never in a digest (they are urgent), never capped.
MANDATORY_TYPES = frozenset({"crisis_alert", "escalation", "security"})
# Every type Pulse sends; a new notification type is added here so users can choose.
KNOWN_TYPES = (
    "attendance_marked",
    "certificate_issued",
    "comment_added",
    "crisis_alert",
    "crisis_concern",
    "enrolment_confirmed",
    "entry_created",
    "entry_resubmitted",
    "entry_status_changed",
    "entry_updated",
    "escalation",
    "payment_approved",
    "payment_rejected",
    "payment_reported",
    "schedule_assigned",
    "schedule_updated",
    "security",
    "student_registered",
    "task_assigned",
    "task_completed",
    "task_reopened",
    "task_updated",
)


def _row(user_id):
    return db.session.get(NotificationPreference, user_id)


def get(user):
    """Every known type with both channels, and the digest choice."""
    row = _row(user.id)
    stored = (row.types if row else None) or {}
    types = {}
    for name in KNOWN_TYPES:
        chosen = stored.get(name, {})
        types[name] = {c: name in MANDATORY_TYPES or bool(chosen.get(c, True)) for c in CHANNELS}
    return {"types": types, "email_digest": row.email_digest if row else "off"}


def wants(user_id, type, channel):
    """Does this user want `type` on `channel`? Mandatory types always go out."""
    if type in MANDATORY_TYPES:
        return True
    row = _row(user_id)
    if row is None or not row.types:
        return True
    return bool(row.types.get(type, {}).get(channel, True))


def digest_choice(user_id):
    row = _row(user_id)
    return row.email_digest if row else "off"


def _validate(types):
    errors = {}
    for name, channels in types.items():
        if name not in KNOWN_TYPES:
            errors[f"types.{name}"] = ["Unknown notification type."]
        elif name in MANDATORY_TYPES and not all(channels.values()):
            errors[f"types.{name}"] = ["This type cannot be turned off."]
    if errors:
        locked = any("cannot be turned off" in m[0] for m in errors.values())
        code = "preference_locked" if locked else "validation_error"
        raise Invalid(code, "Some preferences cannot be saved.", errors)


def update(user, types=None, email_digest=None):
    """Merge the sent types into the stored ones (others stay as they were); 422 for a mandatory type turned off."""
    types = types or {}
    _validate(types)
    row = _row(user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id, types={}, email_digest="off")
        db.session.add(row)
    merged = {k: dict(v) for k, v in (row.types or {}).items()}
    for name, channels in types.items():
        merged.setdefault(name, {}).update(channels)
    row.types = merged  # a new dict, so the JSON column is seen as changed
    if email_digest is not None:
        row.email_digest = email_digest
    commit()
    return get(user)
