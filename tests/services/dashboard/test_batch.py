"""The batch refresh gives exactly what the per-student refresh gives: the same aggregates,
snapshots, Redis copies, live events (same order, same payloads) and cohort-mate queueing,
on varied data (cohorts of several sizes, no cohort, two cohorts, an inactive mate, a
mentor's id in the batch, every task/entry/session/attendance state, habits over days,
goals, started missions, inboxes over the shown limit, read and cleared notifications,
snapshots of earlier days, premium, free and enhanced tiers, first and later refreshes)."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    Attendance,
    DashboardSnapshot,
    DashboardUpdateQueue,
    Notification,
    OutboxEvent,
    StudentAction,
    StudentDashboardCache,
    Task,
    utcnow,
)
from app.services.dashboard import queue, store
from app.services.dashboard.batch import refresh_students
from app.services.dashboard.drain import drain
from app.services.dashboard.refresh import refresh_student
from app.services.shared.transaction import commit
from tests import dashboard_seed as seed
from tests.helpers import make_user


def _seed(now):
    mentor = make_user("mentor")
    students = [make_user(mentor=mentor, name=f"Student {n}") for n in range(11)]
    for n, s in enumerate(students):
        s.tier = ("free", "premium", "free")[n % 3]
        if n % 4 == 1:
            s.enhanced_access_until = now + timedelta(days=3 + n)
    inactive = make_user(mentor=mentor, name="Gone", active=False)
    db.session.commit()
    big = seed.cohort("Big", *students[:5], inactive)
    small = seed.cohort("Small", students[5], students[6])
    seed.cohort("Second", students[0], students[7])  # students[0] is in two cohorts
    # students 8, 9, 10: no cohort
    skills = ["python", "sql", "apis", "testing", "devops"]
    for n, s in enumerate(students):
        for k in range(n % 5):
            status = "done" if (n + k) % 3 == 0 else "open"
            due = None if k == 3 else timedelta(days=k - 2)
            seed.task(
                s, f"Task {n}.{k}", [skills[(n + k) % 5]], status=status, due_in=due, est_hours=k or None, now=now
            )
        for k, status in enumerate(("approved", "pending", "needs_revision", "rejected")[: n % 4 + 1]):
            seed.entry(s, f"Entry {n}.{k}", [skills[(n * k) % 5]], status=status)
        for day in range(n % 6):
            if day != 2:
                db.session.add(
                    StudentAction(student_id=s.id, action="habit_logged", created_at=now - timedelta(days=day))
                )
        db.session.add(StudentAction(student_id=s.id, action="goal_set", data={"goal": f"Goal {n}"}, created_at=now))
        for k in range(n % 8):
            db.session.add(
                Notification(
                    user_id=s.id,
                    type="info",
                    title=f"Note {n}.{k}",
                    read_at=now if k % 3 == 0 else None,
                    cleared_at=now if k == 4 else None,
                )
            )
        for back in (2, 5, 9):
            if n % 3:
                db.session.add(
                    DashboardSnapshot(student_id=s.id, day=(now - timedelta(days=back)).date(), score=10.0 * n)
                )
    db.session.commit()
    first_task = db.session.scalars(select(Task).where(Task.student_id == students[4].id)).first()
    db.session.add(
        StudentAction(
            student_id=students[4].id, action="mission_started", data={"mission_id": first_task.id}, created_at=now
        )
    )
    today = now.replace(hour=23, minute=0)
    group = seed.session(mentor, "Group today", today, cohort=big)
    seed.session(mentor, "Same time", today, student=students[5])
    seed.session(mentor, "Small next week", now + timedelta(days=6), cohort=small)
    seed.session(mentor, "One to one", now + timedelta(days=2), student=students[8])
    cancelled = seed.session(mentor, "Cancelled", now + timedelta(days=1), student=students[9])
    cancelled.status = "cancelled"
    for n, status in enumerate(("present", "absent", "late", "present")):
        db.session.add(Attendance(schedule_id=group.id, student_id=students[n].id, status=status))
    db.session.commit()
    return mentor, students, inactive


def _state():
    """Everything a refresh writes, comparable across the two paths."""
    db.session.expire_all()
    rows = {r.student_id: (r.data, r.updated_at) for r in db.session.scalars(select(StudentDashboardCache))}
    snaps = {(s.student_id, s.day): (s.score, s.skills) for s in db.session.scalars(select(DashboardSnapshot))}
    events = [(e.event, e.room, e.payload) for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    pending = {
        r.student_id: (r.priority, r.reason)
        for r in db.session.scalars(select(DashboardUpdateQueue).where(DashboardUpdateQueue.processed_at.is_(None)))
    }
    copies = {sid: store.get_raw(sid, tier) for sid in rows for tier in ("free", "premium")}
    return {"rows": rows, "snapshots": snaps, "events": events, "pending": pending, "copies": copies}


def _restore(saved_rows, saved_snaps):
    """Back to the aggregates and snapshots of before the refresh under test; no events, no queue."""
    for model in (StudentDashboardCache, DashboardSnapshot, OutboxEvent, DashboardUpdateQueue):
        db.session.execute(delete(model))
    db.session.add_all(StudentDashboardCache(student_id=k, data=d, updated_at=u) for k, (d, u) in saved_rows.items())
    db.session.add_all(
        DashboardSnapshot(student_id=sid, day=day, score=score, skills=skills)
        for (sid, day), (score, skills) in saved_snaps.items()
    )
    db.session.commit()
    db.session.expire_all()


@pytest.mark.parametrize("first", [True, False], ids=["first refresh", "later refresh"])
def test_batch_and_per_student_refresh_write_the_same(first):
    now = utcnow().replace(hour=12)
    mentor, students, inactive = _seed(now)
    if not first:
        # Earlier aggregates for most students, then changes: events, point moves, cohort mates.
        for s in students[:9]:
            refresh_student(s.id, "earlier", now=now - timedelta(hours=1))
        task = db.session.scalars(select(Task).where(Task.student_id == students[1].id, Task.status == "open")).first()
        task.status, task.completed_at = "done", now
        seed.entry(students[6], "Late approval", ["sql"], status="approved")
        db.session.add(Notification(user_id=students[2].id, type="info", title="New"))
        db.session.commit()
    saved = _state()
    assert not saved["pending"]
    items = [(s.id, f"reason {n}") for n, s in enumerate(students)] + [(mentor.id, "not a student")]

    for sid, reason in items:
        refresh_student(sid, reason, now=now)
    one_by_one = _state()
    _restore(saved["rows"], saved["snapshots"])
    refresh_students(items, now=now)
    batched = _state()

    assert set(batched["rows"]) == {s.id for s in students}
    for key in ("rows", "snapshots", "copies", "pending"):
        assert batched[key] == one_by_one[key], key
    assert batched["events"] == one_by_one["events"]
    if first:
        assert batched["events"] == []
    else:
        assert len(batched["events"]) >= 3 and batched["pending"]  # something to compare
        assert {room for _e, room, _p in batched["events"]} >= {f"student:{students[n].id}" for n in (1, 2, 6)}


def test_drain_takes_batches_most_urgent_first():
    students = [make_user() for _ in range(5)]
    queue.queue_refresh([students[0].id, students[1].id], "low ones", "low")
    queue.queue_refresh([students[2].id], "urgent one", "urgent")
    queue.queue_refresh([students[3].id, students[4].id], "normal ones", "normal")
    commit()
    assert drain(limit=3, batch_size=2) == 3
    db.session.expire_all()
    done = set(db.session.scalars(select(StudentDashboardCache.student_id)))
    assert done == {students[2].id, students[3].id, students[4].id}
    assert drain(batch_size=2) == 2
    assert db.session.query(StudentDashboardCache).count() == 5
    assert queue.pending_count() == 0
