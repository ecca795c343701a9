"""Writes mark their section stale and queue one recompute; the recompute announces the new
figures to the educator, coalesced per section (services/coalesce.py).

Events: grade:updated, attendance:updated, exam:created, roster:updated, to educator:<id>,
and the same to the `admins` room with the platform's overview (every section). Each
carries the section's figures and the overview exactly as stored in performance_cache, so
the cached overview a client reads next matches the last event it heard, and what changed
(`change`, `change_log`, `changes_dropped`: changes.py).
"""

from app.extensions import db
from app.models import PerformanceCache, Section
from app.services.performance import changes as change_objects
from app.services.performance import store
from app.services.realtime import coalesce, events
from app.services.realtime.emit import emit
from app.services.realtime.rooms import ADMINS_ROOM, educator_room
from app.services.shared import cache
from app.services.shared.queues import enqueue
from app.services.shared.transaction import after_commit

EVENT_INTERVAL = 2  # seconds between two live events for one section
EVENTS = (events.GRADE_UPDATED, events.ATTENDANCE_UPDATED, events.EXAM_CREATED, events.ROSTER_UPDATED)
_PENDING = "pulse_performance_changed"


def changed(section, kind=None, changes=(), total=None):
    """Inside a write's transaction: the section's figures are stale; after commit, one
    recompute is queued and (for a `kind` event) the educator hears the new figures and
    `changes` (change objects: changes.py; `total` when the write made more than it built)."""
    store.mark_dirty(section)
    pending = db.session.info.setdefault(_PENDING, {})
    if not pending:
        after_commit(_after_commit)
    entries = pending.setdefault(section.id, [])
    if kind:
        entries.extend(change_objects.entries(kind, changes, total))


def _after_commit():
    for section_id, entries in sorted(db.session.info.pop(_PENDING, {}).items()):
        if entries:
            cache.push_list(cache.performance_changes_key(section_id), entries, cache.PERFORMANCE_QUEUED_TTL * 5)
        if cache.claim(cache.performance_recompute_queued_key(section_id), cache.PERFORMANCE_QUEUED_TTL):
            enqueue("app.jobs.performance.recompute_section", section_id)


def take_changes(section_id):
    """At the start of a recompute: later writes queue a new one; returns the entries to announce."""
    cache.delete(cache.performance_recompute_queued_key(section_id))
    return cache.pop_list(cache.performance_changes_key(section_id))


def announce(section_id, kinds):
    """Send the event now, or fold it into the section's trailing event. `kinds`: the
    entries take_changes returned (JSON {"event", "change"}; a bare kind reads as one)."""
    if not kinds:
        return False
    if coalesce.notify(
        cache.performance_throttle_key(section_id),
        cache.performance_trailing_key(section_id),
        EVENT_INTERVAL,
        lambda: send(section_id, kinds),
        "app.jobs.performance.send_trailing_event",
        section_id,
    ):
        return True
    cache.push_list(cache.performance_trailing_changes_key(section_id), kinds, EVENT_INTERVAL * 10)
    return False


def send_trailing(section_id):
    """The trailing event of a burst: the figures as stored now, then a fresh interval."""
    coalesce.start_trailing(
        cache.performance_throttle_key(section_id), cache.performance_trailing_key(section_id), EVENT_INTERVAL
    )
    entries = cache.pop_list(cache.performance_trailing_changes_key(section_id))
    return send(section_id, entries or ["grade:updated"])


def payload(section_id):
    """The section's stored figures and its educator's stored overview (no recompute here)."""
    section = db.session.get(Section, section_id)
    if section is None:
        return None
    row = db.session.query(PerformanceCache).filter_by(scope=store.section_scope(section_id)).one_or_none()
    overview = (
        db.session.query(PerformanceCache).filter_by(scope=store.overview_scope(section.educator_id)).one_or_none()
    )
    figures = dict(row.figures.get("section", {})) if row and row.figures else {}
    students = row.figures.get("students", {}) if row and row.figures else {}
    return section, {"section_id": section_id, "section": figures, "overview": _public(overview)}, students


def _public(overview_row):
    hidden = ("averages", "sources")
    return {k: v for k, v in (overview_row.figures if overview_row else {}).items() if k not in hidden}


def admin_overview():
    """The platform's stored overview (every section), or None while no admin has opened it:
    recompute keeps it fresh only once it exists (store.rebuild_overview(None))."""
    return db.session.query(PerformanceCache).filter_by(scope=store.overview_scope(None)).one_or_none()


def send(section_id, entries):
    """Emit the newest kind with the stored figures and what changed, to the educator and to
    the admins. Derived data, so no outbox: the dashboard can always GET
    /performance/overview; a lost event only delays a refresh."""
    found = payload(section_id)
    if found is None:
        return None
    section, data, students = found
    kinds, log, dropped = change_objects.summarize(change_objects.parse(entries), students)
    kinds = kinds or ["grade:updated"]
    data["changes"] = kinds
    data["change"] = log[-1] if log else None
    data["change_log"] = log
    data["changes_dropped"] = dropped
    event = kinds[-1] if kinds[-1] in EVENTS else events.GRADE_UPDATED
    emit(event, data, educator_room(section.educator_id))
    platform = admin_overview()
    if platform is not None:
        emit(event, data | {"overview": _public(platform), "scope": "all"}, ADMINS_ROOM)
    return data
