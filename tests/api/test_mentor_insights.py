"""Mentor views: own students only, insights cached with a queued precalculation."""

from datetime import timedelta

from app.extensions import db
from app.models import ChatIntent, utcnow
from app.services.portal import insights
from app.services.shared import cache
from app.services.shared.queues import get_queue
from tests.helpers import auth_for, crisis, make_user, post_intent, token_for


def test_students_list_is_own_students_with_alerts_and_activity(client):
    mentor, other = make_user("mentor"), make_user("mentor")
    a, b = make_user(mentor=mentor, name="Ann"), make_user(mentor=mentor, name="Bob")
    make_user(mentor=other, name="Zed")
    crisis(client, a)
    items = client.get("/api/v1/mentor/students", headers=auth_for(mentor)).get_json()["items"]
    assert [i["name"] for i in items] == ["Ann", "Bob"]
    ann, bob = items
    assert ann["open_alerts"] == 1 and ann["last_activity_at"] is not None
    assert bob["open_alerts"] == 0 and bob["last_activity_at"] is None
    assert {"id", "name", "email"} <= set(ann) and ann["id"] == a.id and b.id == bob["id"]
    assert client.get("/api/v1/mentor/students", headers=auth_for(a)).status_code == 403


def test_insights_are_404_for_someone_elses_student(client):
    mentor, other = make_user("mentor"), make_user("mentor")
    theirs = make_user(mentor=other)
    for sid in (theirs.id, 999_999, other.id):
        res = client.get(f"/api/v1/mentor/student/{sid}/insights", headers=auth_for(mentor))
        assert res.status_code == 404 and res.get_json()["error"]["code"] == "student_not_found"
    assert client.get(f"/api/v1/mentor/student/{theirs.id}/insights", headers=auth_for(theirs)).status_code == 403


def test_cold_cache_answers_partial_then_job_fills_it_and_tells_the_mentor(
    client, redis_conn, run_worker, live_server, live_client
):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    for msg, label in [("hi", "greeting"), ("I feel so happy today", "happy"), ("stressed about exams", "stress")]:
        post_intent(client, student.id, message=msg, intent=label)
    crisis(client, student)
    sock = live_client(live_server)
    sock.connect(token_for(mentor))
    url = f"/api/v1/mentor/student/{student.id}/insights"

    cold = client.get(url, headers=auth_for(mentor)).get_json()
    assert cold["cached"] is False and cold["partial"] is True and cold["recomputing"] is True
    assert cold["student"]["id"] == student.id and cold["insights"]["intents_7d"] == 4
    assert cold["computed_at"].endswith("Z")
    assert get_queue("default").count == 1
    client.get(url, headers=auth_for(mentor))  # a second cold read does not queue twice
    assert get_queue("default").count == 1

    run_worker()
    assert redis_conn.ttl(cache.insights_key(student.id)) > 0
    ready = sock.wait_for("insights:ready")
    assert ready["student_id"] == student.id

    warm = client.get(url, headers=auth_for(mentor)).get_json()
    assert warm["cached"] is True and warm["partial"] is False and warm["recomputing"] is False
    week = warm["insights"]["trend_7d"]
    assert week["intents"] == 4 and week["crisis_intents"] == 1
    assert week["labels"] == {"greeting": 1, "happy": 1, "stress": 1, "crisis": 1}
    assert warm["insights"]["crisis"]["open"] == 1
    assert warm["insights"]["recent_messages"][0]["crisis"] is True

    post_intent(client, student.id, message="thanks", intent="grateful")  # new intent: stale
    assert not redis_conn.exists(cache.insights_key(student.id))


def test_insights_answer_from_the_database_when_redis_is_down(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        mentor = make_user("mentor")
        student = make_user(mentor=mentor)
        db.session.add(ChatIntent(student_id=student.id, message="hi", intent="greeting", confidence=1))
        db.session.commit()
        res = app.test_client().get(f"/api/v1/mentor/student/{student.id}/insights", headers=auth_for(mentor))
        body = res.get_json()
        assert res.status_code == 200 and body["cached"] is False and body["partial"] is False
        assert body["insights"]["trend_30d"]["intents"] == 1


def test_mood_trend_compares_the_halves_of_the_window(app):
    student = make_user()
    now = utcnow()
    for days_ago, label in [(6, "sad"), (5, "sad"), (2, "happy"), (1, "happy")]:
        db.session.add(
            ChatIntent(
                student_id=student.id,
                message="m",
                intent=label,
                confidence=1,
                created_at=now - timedelta(days=days_ago),
            )
        )
    db.session.commit()
    week = insights.full(student.id, now=now)["trend_7d"]
    assert week["mood_trend"] == 4.0  # from -2 to +2
    assert week["mood_average"] == 0.0 and len(week["daily"]) == 4
