"""POST /student/dashboard/action and /stream-token: validation, priorities, who may call."""

import time

from app.extensions import db
from app.models import DashboardUpdateQueue, StudentAction, utcnow
from app.services.shared import cache
from tests.dashboard_seed import task
from tests.helpers import auth_for, make_user

ACTION = "/api/v1/student/dashboard/action"
TOKEN = "/api/v1/student/dashboard/stream-token"


def test_action_is_recorded_and_queued_with_its_priority(client):
    student = make_user()
    mission = task(student, "Mission", ["python"])
    res = client.post(ACTION, json={"action": "mission_completed", "mission_id": mission.id}, headers=auth_for(student))
    assert res.status_code == 202
    assert res.get_json() == {"status": "queued", "action": "mission_completed", "priority": "high"}
    recorded = db.session.query(StudentAction).one()
    assert (recorded.student_id, recorded.action, recorded.data) == (
        student.id,
        "mission_completed",
        {"mission_id": mission.id},
    )
    row = db.session.query(DashboardUpdateQueue).one()
    assert (row.priority, row.reason) == ("high", "action:mission_completed")
    res = client.post(ACTION, json={"action": "resource_viewed"}, headers=auth_for(student))
    assert res.get_json()["priority"] == "low"
    db.session.expire_all()
    assert db.session.query(DashboardUpdateQueue).one().priority == "high"  # coalesced, not lowered


def test_invalid_actions_are_422_with_field_details(client):
    student, other = make_user(), make_user()
    theirs = task(other, "Not yours", ["x"])
    cases = [
        ({"action": "fly_to_moon"}, "action"),
        ({}, "action"),
        ({"action": "habit_logged", "minutes": -5}, "minutes"),
        ({"action": "habit_logged", "surprise": 1}, "surprise"),
        ({"action": "mission_started", "mission_id": theirs.id}, "mission_id"),
        ({"action": "entry_submitted", "entry_id": 999}, "entry_id"),
    ]
    for body, field in cases:
        res = client.post(ACTION, json=body, headers=auth_for(student))
        assert res.status_code == 422, (body, res.get_json())
        error = res.get_json()["error"]
        assert error["code"] == "validation_error" and field in error["details"], (body, error)
    assert client.post(ACTION, data="nope", headers=auth_for(student)).status_code == 415
    assert db.session.query(StudentAction).count() == 0 and db.session.query(DashboardUpdateQueue).count() == 0


def test_other_roles_may_not_act_or_stream(client):
    for role in ("mentor", "admin", "educator"):
        user = make_user(role)
        assert client.post(ACTION, json={"action": "habit_logged"}, headers=auth_for(user)).status_code == 403
        assert client.post(TOKEN, headers=auth_for(user)).status_code == 403
    assert client.post(ACTION, json={"action": "habit_logged"}).status_code == 401


def test_stream_token_is_short_lived_and_single_use(client, make_app, redis_conn):
    student = make_user()
    res = client.post(TOKEN, headers=auth_for(student))
    assert res.status_code == 201
    body = res.get_json()
    assert body["expires_in"] == 60 and len(body["stream_token"]) >= 40
    keys = redis_conn.keys(cache.stream_token_key("*"))
    assert len(keys) == 1 and 0 < redis_conn.ttl(keys[0]) <= 60
    assert body["stream_token"].encode() not in keys[0]  # stored by hash only

    stream = client.get(f"/api/v1/student/dashboard/stream?stream_token={body['stream_token']}", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    stream.close()
    again = client.get(f"/api/v1/student/dashboard/stream?stream_token={body['stream_token']}")
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "stream_token_invalid"

    short = make_app(STREAM_TOKEN_TTL=1)
    with short.app_context():
        token = short.test_client().post(TOKEN, headers=auth_for(student)).get_json()["stream_token"]
        time.sleep(1.5)  # the token's own lifetime, set to one second here
        expired = short.test_client().get(f"/api/v1/student/dashboard/stream?stream_token={token}")
    assert expired.status_code == 401


def test_habits_earn_one_point_a_day_and_actions_are_rate_limited(client, make_app):
    from app.services.dashboard.context import points_of as _points

    student = make_user()
    for _ in range(5):
        res = client.post(ACTION, json={"action": "habit_logged", "habit": "reading"}, headers=auth_for(student))
        assert res.status_code == 202
    assert _points([student.id], utcnow())[student.id] == 1

    limited = make_app(DASHBOARD_ACTION_RATE_LIMIT="2 per minute").test_client()
    codes = [
        limited.post(ACTION, json={"action": "goal_set", "goal": "ship"}, headers=auth_for(student)).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]


def test_the_specifications_sample_body_answers_202(client):
    student = make_user()
    body = {"action": "start_mission", "mission_id": "m-42", "estimated_completion": "2026-12-01T10:00:00Z"}
    res = client.post(ACTION, json=body, headers=auth_for(student))
    assert res.status_code == 202, res.get_json()
    assert res.get_json() == {"status": "queued", "action": "mission_started", "priority": "normal"}
    recorded = db.session.query(StudentAction).one()
    assert recorded.data == {"mission_id": "m-42", "estimated_completion": "2026-12-01T10:00:00Z"}
    # a numeric string is a Pulse task id, checked like an integer one
    mission = task(student, "Mission", ["python"])
    assert (
        client.post(
            ACTION, json={"action": "start_mission", "mission_id": str(mission.id)}, headers=auth_for(student)
        ).status_code
        == 202
    )
    for bad in (
        {**body, "surprise": True},
        {**body, "estimated_completion": "soon"},
        {**body, "mission_id": ""},
        {**body, "mission_id": 0},
        {**body, "mission_id": "999999"},
    ):
        res = client.post(ACTION, json=bad, headers=auth_for(student))
        assert res.status_code == 422, (bad, res.get_json())


def test_stream_tokens_issued_before_a_logout_stop_working(client):
    student = make_user()
    login = client.post("/api/v1/auth/login", json={"email": student.email, "password": "correct-horse-1"}).get_json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    token = client.post(TOKEN, headers=headers).get_json()["stream_token"]
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    res = client.get(f"/api/v1/student/dashboard/stream?stream_token={token}")
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "stream_token_invalid"
    again = client.post("/api/v1/auth/login", json={"email": student.email, "password": "correct-horse-1"}).get_json()
    fresh = client.post(TOKEN, headers={"Authorization": f"Bearer {again['access_token']}"}).get_json()["stream_token"]
    time.sleep(0.01)  # issued strictly after the logout's timestamp
    stream = client.get(f"/api/v1/student/dashboard/stream?stream_token={fresh}", buffered=False)
    assert stream.status_code == 200
    stream.close()
