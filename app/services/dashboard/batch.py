"""Refresh many students' dashboards in one transaction: the same result as refresh_student()
for each of them, with a fixed number of statements per batch instead of ~20 per student.

Inputs come from batch_context.load_many (set-based queries); the aggregates, today's
snapshots and the outbox events are each written with one multi-row statement; both Redis
copies of every aggregate go in one pipeline after the commit.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import CohortMember, DashboardSnapshot, Role, StudentDashboardCache, User, utcnow
from app.services.dashboard import aggregate, store
from app.services.dashboard.batch_context import load_many
from app.services.dashboard.queue import queue_refresh
from app.services.dashboard.refresh import points_changed, snapshot_of, update_event
from app.services.realtime import outbox
from app.services.shared.transaction import after_commit, commit
from app.services.shared.upsert import upsert


def refresh_students(items, now=None):
    """Refresh [(student_id, reason), ...] (ids that are not students are skipped) and commit.
    Returns {student id: aggregate}."""
    now = now or utcnow()
    reasons = dict(items)
    ids = list(reasons)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    students = [users[i] for i in ids if i in users and users[i].role == Role.STUDENT]
    if not students:
        commit()
        return {}
    previous = dict(
        db.session.execute(
            select(StudentDashboardCache.student_id, StudentDashboardCache.data).where(
                StudentDashboardCache.student_id.in_([s.id for s in students])
            )
        ).all()
    )
    contexts = load_many(students, now, previous)
    datas = {s.id: aggregate.compose(contexts[s.id], previous.get(s.id)) for s in students}
    upsert(
        StudentDashboardCache,
        [{"student_id": sid, "data": data, "updated_at": now} for sid, data in datas.items()],
        ["student_id"],
        ["data", "updated_at"],
    )
    _forget_loaded_rows(set(datas))
    snapshots = [
        {"student_id": sid, "day": now.date(), "score": float(snap[0]), "skills": snap[1]}
        for sid, data in datas.items()
        if (snap := snapshot_of(data)) is not None
    ]
    if snapshots:
        upsert(DashboardSnapshot, snapshots, ["student_id", "day"], ["score", "skills"])
    # The Redis copies first: a client that reads on the event must see the new value.
    after_commit(lambda: store.put_many(datas))
    events = [update_event(s, previous.get(s.id), datas[s.id], reasons[s.id], now) for s in students]
    outbox.record_many([e for e in events if e is not None])
    changes = [(s.id, points_changed(previous.get(s.id), datas[s.id])) for s in students]
    changes = [(sid, cohort_id) for sid, cohort_id in changes if cohort_id is not None]
    if changes:
        # After the commit, in a transaction of its own (see refresh.py: no deadlock between drains).
        after_commit(lambda: _tell_cohort_mates(changes))
    commit()
    return datas


def _forget_loaded_rows(ids):
    """Cached rows of the session now hold the old aggregate: read them afresh next time."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, StudentDashboardCache) and obj.student_id in ids:
            db.session.expire(obj)


def _tell_cohort_mates(changes):
    """What refresh.py does for each changed student, for the whole batch: every member of a
    cohort whose points moved is queued (low), with the first changed mate other than itself
    as the reason, exactly as the per-student refreshes in the same order would."""
    changed = {}
    for sid, cohort_id in changes:
        changed.setdefault(cohort_id, []).append(sid)
    members = {}
    for cohort_id, user_id in db.session.execute(
        select(CohortMember.cohort_id, CohortMember.user_id).where(CohortMember.cohort_id.in_(list(changed)))
    ):
        members.setdefault(cohort_id, []).append(user_id)
    by_reason = {}
    for cohort_id, changers in changed.items():
        for member in members.get(cohort_id, []):
            cause = next((sid for sid in changers if sid != member), None)
            if cause is not None:
                by_reason.setdefault(cause, []).append(member)
    order = {sid: n for n, (sid, _cohort) in enumerate(changes)}
    for cause in sorted(by_reason, key=order.get):
        queue_refresh(by_reason[cause], f"leaderboard:{cause}", "low")
    if by_reason:
        commit()
