"""Recompute one student's dashboard, store it, and announce what changed."""

from app.extensions import db
from app.models import Role, StudentDashboardCache, User, utcnow
from app.services.dashboard import aggregate, readiness, store
from app.services.dashboard.queue import queue_refresh, students_of_cohort
from app.services.realtime import events, outbox
from app.services.realtime.rooms import student_room
from app.services.shared.transaction import after_commit, commit
from app.services.shared.upsert import upsert

EVENT = events.DASHBOARD_UPDATED


def refresh_student(student_id, reason="", now=None):
    """Compute, store the row, today's snapshot and (after commit) the Redis copy; send
    `dashboard:updated` with the changed sections (masked for the student's tier). Commits."""
    now = now or utcnow()
    student = db.session.get(User, student_id)
    if student is None or student.role != Role.STUDENT:
        commit()
        return None
    row = db.session.get(StudentDashboardCache, student_id)
    previous = row.data if row is not None else None
    data = aggregate.build(student, now, previous)
    upsert(
        StudentDashboardCache,
        {"student_id": student_id, "data": data, "updated_at": now},
        ["student_id"],
        ["data", "updated_at"],
    )
    if row is not None:
        db.session.expire(row)
    snapshot = snapshot_of(data)
    if snapshot is not None:
        readiness.record_snapshot(student_id, now.date(), *snapshot)
    # The Redis copy first: a client that reads on the event must see the new value.
    after_commit(lambda: store.put(student_id, data))
    event = update_event(student, previous, data, reason, now)
    if event is not None:
        outbox.record(*event)
    # After the commit, in a transaction of its own: a drain holds this student's queue row
    # locked until the commit, and two drains queueing each other's rows would deadlock.
    after_commit(lambda: _tell_cohort_mates(student_id, previous, data))
    commit()
    return data


def snapshot_of(data):
    """(score, skills) worth keeping as today's snapshot: not for a stale readiness."""
    section = data["readiness"]
    score = section.get("score") if isinstance(section, dict) else None
    if isinstance(score, int | float) and not section.get("stale"):
        return score, section.get("skills") or {}
    return None


def update_event(student, previous, data, reason, now):
    """(event, room, payload) announcing the changed sections, masked for the student's tier;
    None for a first aggregate or one that did not change."""
    changed = aggregate.changed_sections(previous, data)
    if previous is None or not changed:
        return None
    access, _warning = aggregate.access_of(student, now)
    shown = aggregate.mask(data, access["tier"])
    payload = {
        "student_id": student.id,
        "changed": changed,
        "sections": {name: shown[name] for name in changed},
        "reason": reason,
        "last_updated": data["last_updated"],
    }
    return EVENT, student_room(student.id), payload


def points_changed(previous, data):
    """The cohort whose leaderboard this refresh changed, or None."""
    cohort_id, points = _points(data)
    if previous is None or cohort_id is None or (cohort_id, points) == _points(previous):
        return None
    return cohort_id


def _points(data):
    board = data.get("leaderboard") if data else None
    return (board.get("cohort_id"), board.get("points")) if isinstance(board, dict) else (None, None)


def _tell_cohort_mates(student_id, previous, data):
    """When a student's points change, the cohort mates' leaderboards change too (low priority).
    Their own points did not change, so this does not cascade further."""
    cohort_id = points_changed(previous, data)
    if cohort_id is None:
        return
    mates = [sid for sid in students_of_cohort(cohort_id) if sid != student_id]
    if mates:
        queue_refresh(mates, f"leaderboard:{student_id}", "low")
        commit()
