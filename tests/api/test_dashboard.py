"""GET /student/dashboard: values from real seeded work, the cache, tiers, authorization."""

from datetime import timedelta

from app.extensions import db
from app.models import DashboardSnapshot, DashboardUpdateQueue, StudentDashboardCache, utcnow
from app.services.dashboard.refresh import refresh_student
from app.services.shared import cache
from tests.dashboard_seed import session, student_with_work, task
from tests.helpers import auth_for, make_user

URL = "/api/v1/student/dashboard"
KEYS = {"readiness", "today", "quick_stats", "cards", "notifications", "leaderboard", "ai_nudge", "last_updated"}


def premium(user):
    user.tier = "premium"
    db.session.commit()
    return user


def test_aggregate_is_computed_from_the_students_real_work(client):
    seed = student_with_work()
    student = premium(seed["student"])
    res = client.get(URL, headers=auth_for(student))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert KEYS <= set(body)

    readiness = body["readiness"]
    # python: 2 done tasks (2/6), apis: done task + approved entry (3/6), testing: 1 done task,
    # sql and devops: open work only. Mean of 33.3, 50, 16.7, 0, 0 = 20.
    assert readiness["skills"] == {"apis": 50.0, "devops": 0.0, "python": 33.3, "sql": 0.0, "testing": 16.7}
    assert readiness["score"] == 20.0
    assert readiness["gaps"] == [
        {"skill": "devops", "level": 0.0},
        {"skill": "sql", "level": 0.0},
        {"skill": "testing", "level": 16.7},
    ]
    assert readiness["trend_7d"] == "+0.0" and readiness["time_to_ready"] is None

    primary = body["today"]["primary_action"]
    assert primary["type"] == "overdue_task" and primary["priority"] == "urgent"
    assert primary["title"] == "Finish overdue task: SQL joins drill" and primary["est_hours"] == 2
    assert primary["cta"] == f"/tasks/{seed['overdue'].id}"
    assert [a["type"] for a in body["today"]["secondary_actions"]] == ["revise_entry", "task", "practice_skill"]

    assert body["quick_stats"]["tasks_open"] == 2 and body["quick_stats"]["tasks_done"] == 2
    assert body["quick_stats"]["tasks_overdue"] == 1 and body["quick_stats"]["entries_approved"] == 1
    assert body["cards"]["missions"]["next"]["title"] == "SQL joins drill"
    assert body["cards"]["portfolio"]["needs_revision"] == 1
    assert body["cards"]["cohort"]["cohort"]["id"] == seed["cohort"].id and body["cards"]["cohort"]["members"] == 2
    assert body["leaderboard"]["rank"] == 1 and body["leaderboard"]["points"] == 35 and body["leaderboard"]["of"] == 2
    assert [n["name"] for n in body["leaderboard"]["neighbours"]] == ["Sam Student", "Pat Peer"]
    assert body["ai_nudge"]["rule"] == "overdue_tasks" and "SQL joins drill" in body["ai_nudge"]["text"]
    assert body["notifications"] == {"unread_count": 0, "items": []}
    assert body["warning"] is None and body["access"]["tier"] == "premium"


def test_first_read_computes_then_the_cache_answers(client, redis_conn):
    student = student_with_work()["student"]
    first = client.get(URL, headers=auth_for(student)).get_json()
    assert first["source"] == "computed"
    assert db.session.get(StudentDashboardCache, student.id) is not None
    assert redis_conn.exists(cache.dashboard_key(student.id))
    second = client.get(URL, headers=auth_for(student)).get_json()
    assert second["source"] == "redis" and second["readiness"] == first["readiness"]
    redis_conn.delete(cache.dashboard_key(student.id))
    third = client.get(URL, headers=auth_for(student)).get_json()
    assert third["source"] == "database" and third["last_updated"] == first["last_updated"]
    # a new task does not change the cached answer until a refresh
    task(student, "New work", ["go"], status="done")
    assert client.get(URL, headers=auth_for(student)).get_json()["quick_stats"]["tasks_done"] == 2


def test_include_flags_drop_optional_sections(client):
    student = make_user()
    body = client.get(URL + "?include_notifications=false&include_ai_nudge=false", headers=auth_for(student)).get_json()
    assert body["notifications"] is None and body["ai_nudge"] is None and body["readiness"]["score"] == 0.0
    bad = client.get(URL + "?include_ai_nudge=maybe", headers=auth_for(student))
    assert bad.status_code == 422 and "include_ai_nudge" in bad.get_json()["error"]["details"]


def test_trend_and_time_to_ready_come_from_daily_snapshots(client):
    student = premium(student_with_work()["student"])
    today = utcnow().date()
    db.session.add(DashboardSnapshot(student_id=student.id, day=today - timedelta(days=7), score=13.0, skills={}))
    db.session.commit()
    readiness = client.get(URL, headers=auth_for(student)).get_json()["readiness"]
    # 20.0 now, 13.0 seven days ago: +7 in 7 days = 1 a day; 60 more points to 80 = 60 days
    assert readiness["trend_7d"] == "+7.0" and readiness["time_to_ready"] == 60
    snap = db.session.query(DashboardSnapshot).filter_by(student_id=student.id, day=today).one()
    assert snap.score == 20.0


def test_free_tier_sees_premium_fields_as_upgrade_required(client):
    student = student_with_work()["student"]
    body = client.get(URL, headers=auth_for(student)).get_json()
    assert body["access"]["tier"] == "free"
    assert body["readiness"]["gaps"] == "upgrade_required" and body["readiness"]["time_to_ready"] == "upgrade_required"
    assert body["readiness"]["score"] == 20.0  # the score itself is free
    assert body["ai_nudge"] == "upgrade_required" and body["leaderboard"]["neighbours"] == "upgrade_required"


def test_enhanced_access_expiring_within_a_week_warns(client):
    student = make_user()
    student.enhanced_access_until = utcnow() + timedelta(days=3, hours=1)
    db.session.commit()
    body = client.get(URL, headers=auth_for(student)).get_json()
    assert body["access"]["tier"] == "enhanced" and body["readiness"]["gaps"] == []
    assert body["warning"]["type"] == "enhanced_access_expiring" and "3 day(s)" in body["warning"]["message"]
    student.enhanced_access_until = utcnow() + timedelta(days=30)
    db.session.commit()
    assert client.get(URL, headers=auth_for(student)).get_json()["warning"] is None


def test_no_cohort_gives_join_cohort_primary_action(client):
    student = make_user()
    task(student, "Overdue anyway", ["x"], due_in=-timedelta(days=1))
    today = client.get(URL, headers=auth_for(student)).get_json()["today"]
    assert today["primary_action"]["type"] == "join_cohort" and today["primary_action"]["title"] == "Join cohort"
    assert today["secondary_actions"][0]["type"] == "overdue_task"


def test_todays_session_and_revision_rank_after_overdue(client):
    seed = student_with_work()
    student = seed["student"]
    db.session.delete(seed["overdue"])
    db.session.commit()
    start = utcnow().replace(hour=23, minute=0, second=0, microsecond=0)
    session(seed["mentor"], "Group clinic", start, cohort=seed["cohort"])
    today = client.get(URL, headers=auth_for(student)).get_json()["today"]
    assert today["primary_action"]["type"] == "session" and today["primary_action"]["title"] == "Attend: Group clinic"
    assert today["secondary_actions"][0]["type"] == "revise_entry"


def test_stale_read_answers_at_once_and_queues_a_low_refresh(client, app):
    student = make_user()
    past = utcnow() - timedelta(seconds=app.config["DASHBOARD_STALE_AFTER"] + 60)
    refresh_student(student.id, "seed", now=past)
    body = client.get(URL, headers=auth_for(student)).get_json()
    assert body["refresh_queued"] is True and body["last_updated"] == past.strftime("%Y-%m-%dT%H:%M:%SZ")
    row = db.session.query(DashboardUpdateQueue).one()
    assert (row.student_id, row.priority, row.reason, row.processed_at) == (student.id, "low", "stale_on_read", None)


def test_only_students_and_only_their_own(client):
    a, b = student_with_work()["student"], make_user(name="Other Student")
    mine = client.get(URL, headers=auth_for(b)).get_json()
    assert mine["quick_stats"]["tasks_done"] == 0 and mine["leaderboard"]["points"] == 0
    for role in ("mentor", "admin", "educator"):
        res = client.get(URL, headers=auth_for(make_user(role)))
        assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"
    assert client.get(URL).status_code == 401
    # no parameter picks a student: a's dashboard is not reachable with b's token
    assert client.get(URL + f"?student_id={a.id}", headers=auth_for(b)).get_json()["quick_stats"]["tasks_done"] == 0
