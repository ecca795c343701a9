"""GET /mentor/metrics: real figures, cached per mentor, made stale by the writes that move them."""

from datetime import UTC, datetime, timedelta

from app.services.shared import cache
from tests.helpers import auth_for, book_session, make_user


def metrics(client, mentor, query=""):
    res = client.get(f"/api/v1/mentor/metrics{query}", headers=auth_for(mentor))
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_figures_come_from_the_mentors_own_students(client, redis_conn):
    mentor, other = make_user("mentor"), make_user("mentor")
    a, b = make_user(mentor=mentor), make_user(mentor=mentor)
    make_user(mentor=mentor, active=False)
    stranger = make_user(mentor=other)
    for student, title in ((a, "a1"), (a, "a2"), (b, "b1"), (stranger, "s1")):
        client.post("/api/v1/entries", json={"title": title}, headers=auth_for(student))
    client.patch("/api/v1/entries/1/status", json={"status": "approved"}, headers=auth_for(mentor))
    client.patch("/api/v1/entries/2/status", json={"status": "needs_revision"}, headers=auth_for(mentor))
    past, future = datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1)
    for due in (past, future):
        client.post(
            "/api/v1/tasks",
            json={"student_id": a.id, "title": "t", "due_at": due.isoformat()},
            headers=auth_for(mentor),
        )
    now = datetime.now(UTC).replace(microsecond=0)
    start = now.replace(hour=0, minute=5, second=0)
    book_session(client, mentor, start, 0.5, title="s", student_id=b.id)

    first = metrics(client, mentor)
    assert first["active_students"] == 2
    assert first["entries"] == {"total": 3, "approved": 1, "pending": 1, "needs_revision": 1, "rejected": 0}
    assert first["tasks"] == {"open": 2, "overdue": 1}
    assert first["sessions_today"]["total"] == 1
    assert first["cached"] is False
    assert metrics(client, mentor)["cached"] is True
    assert redis_conn.exists(cache.mentor_metrics_key(mentor.id))

    # a write invalidates: the next read is fresh
    client.post("/api/v1/entries", json={"title": "a3"}, headers=auth_for(a))
    again = metrics(client, mentor)
    assert again["cached"] is False and again["entries"]["pending"] == 2
    assert metrics(client, other)["entries"]["total"] == 1


def test_sessions_today_follow_the_time_zone(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    today = datetime.now(UTC).date()
    start = datetime(today.year, today.month, today.day, 23, 0, tzinfo=UTC)  # tomorrow in Tokyo
    book_session(client, mentor, start, 0.5, title="late", student_id=student.id)
    assert metrics(client, mentor)["sessions_today"]["total"] == 1
    tokyo = metrics(client, mentor, "?tz=Asia/Tokyo")
    assert tokyo["tz"] == "Asia/Tokyo" and tokyo["sessions_today"]["total"] == (
        1 if datetime.now(UTC).hour >= 15 else 0
    )
    assert client.get("/api/v1/mentor/metrics?tz=Nowhere/Land", headers=auth_for(mentor)).status_code == 422


def test_only_mentors_have_metrics(client):
    for role in ("student", "educator", "admin"):
        assert client.get("/api/v1/mentor/metrics", headers=auth_for(make_user(role))).status_code == 403
    assert client.get("/api/v1/mentor/metrics").status_code == 401


def test_metrics_answer_from_the_database_when_redis_is_down(make_app, private_redis):
    app = make_app(REDIS_URL=private_redis.url)
    with app.app_context():
        mentor = make_user("mentor")
        make_user(mentor=mentor)
        private_redis.stop()
        res = app.test_client().get("/api/v1/mentor/metrics", headers=auth_for(mentor))
        assert res.status_code == 200 and res.get_json()["active_students"] == 1


def test_figures_cached_by_a_read_that_raced_a_write_are_not_served(client, redis_conn):
    import json

    from app.services.portal import mentor_metrics

    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    stale = mentor_metrics.compute(mentor.id)  # a read computes ...
    client.post("/api/v1/entries", json={"title": "new"}, headers=auth_for(student))  # ... a write commits ...
    # ... and the slow read stores its figures after the write dropped the cache
    redis_conn.hset(cache.mentor_metrics_key(mentor.id), "UTC", json.dumps(stale | {"version": 0}))
    fresh = metrics(client, mentor)
    assert fresh["cached"] is False and fresh["entries"]["pending"] == 1
    assert metrics(client, mentor)["cached"] is True
