"""Small helpers the student's page views share: reading form fields and saying how long ago."""

from datetime import datetime

from app.services.shared.errors import Invalid


def int_field(form, name):
    """A positive integer form field, None when absent; a readable 422 when it is not one."""
    raw = form.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise Invalid(details={name: ["A number is required."]})
    return int(raw)


def ago(iso, now):
    """ "17 minutes ago" for an ISO time (the dashboard says how fresh its figures are)."""
    if not iso:
        return None
    then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''} ago"
