"""The refresh queue: one pending row per student, raised not duplicated, drained by priority."""

from datetime import timedelta

from app.extensions import db
from app.models import DashboardUpdateQueue, Notification, StudentDashboardCache, utcnow
from app.services.dashboard import queue
from app.services.dashboard.drain import drain, refresh_dashboards_now
from app.services.dashboard.refresh import refresh_student
from app.services.notifications import inbox as notifications
from app.services.shared.queues import get_queue
from app.services.shared.transaction import commit
from tests import factories


def pending():
    db.session.expire_all()
    rows = db.session.query(DashboardUpdateQueue).filter(DashboardUpdateQueue.processed_at.is_(None))
    return {r.student_id: (r.priority, r.reason) for r in rows}


def test_one_pending_row_per_student_raised_by_a_higher_priority():
    s = factories.student()
    queue.queue_refresh([s.id], "habit", "low")
    commit()
    queue.queue_refresh([s.id, s.id], "task:assigned", "high")
    commit()
    assert pending() == {s.id: ("high", "task:assigned")}
    queue.queue_refresh([s.id], "notification", "normal")  # lower: keeps high and its reason
    commit()
    assert pending() == {s.id: ("high", "task:assigned")}
    queue.queue_refresh([s.id], "overdue", "urgent")
    commit()
    assert pending() == {s.id: ("urgent", "overdue")}
    assert db.session.query(DashboardUpdateQueue).count() == 1


def test_rollback_queues_nothing():
    s = factories.student()
    queue.queue_refresh([s.id], "x", "high")
    from app.services.shared.transaction import rollback

    rollback()
    assert pending() == {}
    assert get_queue("high").count == 0


def test_commit_enqueues_one_drain_job_per_rq_queue():
    a, b = factories.student(), factories.student()
    queue.queue_refresh([a.id], "x", "urgent")
    queue.queue_refresh([b.id], "y", "high")
    commit()
    queue.queue_refresh([b.id], "z", "urgent")  # the waiting drain will take it
    commit()
    assert get_queue("high").count == 1
    queue.queue_refresh([a.id], "low one", "low")
    commit()
    assert get_queue("low").count == 1


def test_drain_goes_by_priority_then_age_and_is_safe_to_rerun():
    low, normal, urgent, high = (factories.student() for _ in range(4))
    for student, priority in ((low, "low"), (normal, "normal"), (urgent, "urgent"), (high, "high")):
        queue.queue_refresh([student.id], f"r-{priority}", priority)
        commit()
    assert drain(limit=2) == 2
    done = {r.student_id for r in db.session.query(StudentDashboardCache)}
    assert done == {urgent.id, high.id}
    assert drain() == 2 and drain() == 0
    # A batch is refreshed in one transaction, its rows marked done together: within one, the
    # order is the order they were taken in.
    rows = (
        db.session.query(DashboardUpdateQueue)
        .order_by(
            DashboardUpdateQueue.processed_at,
            DashboardUpdateQueue.priority_rank,
            DashboardUpdateQueue.queued_at,
            DashboardUpdateQueue.id,
        )
        .all()
    )
    order = [r.student_id for r in rows]
    assert order == [urgent.id, high.id, normal.id, low.id]
    assert pending() == {}
    # after a refresh, a new change makes a new pending row
    queue.queue_refresh([low.id], "again", "normal")
    commit()
    assert pending() == {low.id: ("normal", "again")}


def test_student_notification_queues_a_low_refresh_mentor_notification_does_not():
    student, mentor = factories.student(), factories.mentor()
    notifications.notify(student, "info", "Hello")
    notifications.notify(mentor, "info", "Hello")
    commit()
    assert pending() == {student.id: ("low", "notification")}
    assert db.session.query(Notification).count() == 2
    drain()
    notifications.mark_all_read(student)  # the unread count on the dashboard changes
    assert pending() == {student.id: ("low", "notification:read")}


def test_refresh_for_portal_objects_finds_the_students():
    from tests.dashboard_seed import cohort, session, task

    mentor = factories.mentor()
    a, b, c = factories.student(), factories.student(), factories.student()
    group = cohort("G", a, b)
    queue.queue_refresh_for(session(mentor, "Group", utcnow() + timedelta(days=1), cohort=group))
    queue.queue_refresh_for(task(c, "T", ["x"]))
    commit()
    assert set(pending()) == {a.id, b.id, c.id}
    assert pending()[c.id][0] == "high" and pending()[a.id][0] == "normal"


def test_stale_only_refreshes_old_and_missing_aggregates(app):
    fresh, old, missing = factories.student(), factories.student(), factories.student()
    now = utcnow()
    refresh_student(fresh.id, "seed", now=now)
    refresh_student(old.id, "seed", now=now - timedelta(seconds=app.config["DASHBOARD_STALE_AFTER"] + 1))
    assert queue.stale_student_ids(now=now) == [missing.id, old.id]  # missing first, then oldest
    assert refresh_dashboards_now("stale", now=now) == {"stale_refreshed": 2}
    assert queue.stale_student_ids(now=now) == []
    runner = app.test_cli_runner()
    queue.queue_refresh([fresh.id], "cli", "normal")
    commit()
    result = runner.invoke(args=["refresh-dashboards", "--queue-only"])
    assert result.exit_code == 0 and "drained: 1" in result.output
    assert "stale refreshed: 0" in runner.invoke(args=["refresh-dashboards"]).output


def test_joining_a_cohort_queues_a_high_refresh(client):
    from tests.helpers import auth_for

    admin, student = factories.admin(), factories.student()
    cohort = client.post("/api/v1/admin/cohorts", json={"name": "Nova"}, headers=auth_for(admin)).get_json()["cohort"]
    res = client.post(
        f"/api/v1/admin/cohorts/{cohort['id']}/members", json={"student_id": student.id}, headers=auth_for(admin)
    )
    assert res.status_code == 201
    assert pending() == {student.id: ("high", "cohort:joined")}
    again = client.post(
        f"/api/v1/admin/cohorts/{cohort['id']}/members", json={"student_id": student.id}, headers=auth_for(admin)
    )
    assert again.status_code == 409 and pending() == {student.id: ("high", "cohort:joined")}


def test_periodic_job_drains_refreshes_stale_and_prunes(run_worker):
    from app.jobs.schedule import PERIODIC
    from app.services.shared.queues import enqueue

    assert any(p.job == "app.jobs.dashboard.refresh_dashboards" and p.interval == 300 for p in PERIODIC)
    a, b = factories.student(), factories.student()
    queue.queue_refresh([a.id], "x", "normal")
    commit()
    enqueue("app.jobs.dashboard.refresh_dashboards")
    run_worker()
    db.session.expire_all()
    assert {r.student_id for r in db.session.query(StudentDashboardCache)} == {a.id, b.id}
    assert pending() == {}
    later = (utcnow() + timedelta(days=2)).isoformat()
    enqueue("app.jobs.dashboard.refresh_dashboards", "queue", later)
    run_worker()
    db.session.expire_all()
    assert db.session.query(DashboardUpdateQueue).count() == 0  # processed rows older than a day are gone


def test_a_students_new_points_queue_the_cohort_mates_leaderboards():
    from tests.dashboard_seed import cohort, task

    a, b, c, outsider = factories.student(), factories.student(), factories.student(), factories.student()
    cohort("Trio", a, b, c)
    for s in (a, b, c, outsider):
        refresh_student(s.id, "seed")
    assert pending() == {}
    task(a, "Done", ["python"], status="done")
    refresh_student(a.id, "task done")
    assert pending() == {b.id: ("low", f"leaderboard:{a.id}"), c.id: ("low", f"leaderboard:{a.id}")}
    assert drain() == 2
    assert pending() == {}  # the mates' own points did not change: no cascade
    db.session.expire_all()
    board = db.session.get(StudentDashboardCache, b.id).data["leaderboard"]
    assert board["rank"] == 2 and board["neighbours"][0]["points"] == 10
