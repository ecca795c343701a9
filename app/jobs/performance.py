"""Educator performance: recompute a section after a write, the trailing live event, PDF exports
and their pruning."""

from datetime import datetime

from app.jobs.base import job
from app.models import utcnow
from app.services.performance import exports, live, recompute, summaries


@job
def recompute_section(section_id, now=None):
    """Recompute one section, merge the overview, refresh summaries and at-risk notices, announce (idempotent)."""
    return recompute.recompute_section(section_id, now)


@job
def refresh_summaries(section_id, now=None):
    """Refresh the section's students' summaries and send the at-risk notices due (weekly per reason)."""
    return {"section_id": section_id, "at_risk_notices": summaries.refresh(section_id, now or utcnow())}


@job
def send_trailing_event(section_id):
    """The trailing grade/attendance/exam event of a burst, with the section's stored figures."""
    data = live.send_trailing(section_id)
    return {"section_id": section_id, "changes": data and data["changes"]}


@job
def render_export(export_id):
    """Render a PDF export, store it, and notify the requester with an expiring link (idempotent)."""
    return exports.render(export_id)


@job
def prune_exports(now=None):
    """Delete PDF exports whose download link has expired (EXPORT_LINK_TTL after rendering)."""
    now = datetime.fromisoformat(now) if isinstance(now, str) else now
    return {"exports": exports.prune(now)}
