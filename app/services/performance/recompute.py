"""The job's work after a write: the section's figures, the educator's overview, the
students' summaries and at-risk notices, then the coalesced live event."""

from app.extensions import db
from app.models import Section, utcnow
from app.services.performance import changes, live, store, summaries
from app.services.shared.queues import enqueue


def recompute_section(section_id, now=None, summaries_now=False):
    """Incremental: only this section is recomputed; the overview merges the cached others.

    The students' summaries and at-risk notices follow in their own job (default queue), so
    the next write's recompute (high queue) does not wait for them; `summaries_now` runs
    them here instead (the demo seed, tests driving time)."""
    kinds = live.take_changes(section_id)
    now = now or utcnow()
    section = db.session.get(Section, section_id)
    if section is None:
        return {"section_id": section_id, "skipped": "deleted"}
    educator_id = section.educator_id
    store.refresh_section(section_id, now)
    store.rebuild_overview(educator_id, now)
    if live.admin_overview() is not None:  # an admin watches the platform: keep theirs fresh too
        store.rebuild_overview(None, now)
    sent = live.announce(section_id, kinds)
    if summaries_now:
        summaries.refresh(section_id, now)
    else:
        enqueue("app.jobs.performance.refresh_summaries", section_id)
    announced = list(dict.fromkeys(e["event"] for e in changes.parse(kinds)))
    return {"section_id": section_id, "changes": announced, "sent_now": sent}
