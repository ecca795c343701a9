"""The inbox: list, filters, pagination, read, read-all, clear, export, the Redis fast list."""

import json

from app.extensions import db
from app.models import Notification
from app.services.notifications import inbox as notifications
from app.services.shared import cache
from app.services.shared.transaction import commit
from tests.helpers import auth_for, crisis, make_user


def add(user, n, type="info"):
    for i in range(n):
        notifications.notify(user, type, f"{type} {i}", "body")
    commit()


def test_list_unread_count_filters_and_pagination(client):
    student = make_user()
    add(student, 3, "task_assigned")
    add(student, 2, "entry_reviewed")
    res = client.get("/api/v1/notifications?limit=2", headers=auth_for(student))
    body = res.get_json()
    assert body["unread_count"] == 5 and len(body["items"]) == 2
    assert set(body["items"][0]) >= {"id", "type", "title", "body", "data", "created_at", "read_at"}
    assert body["items"][0]["id"] > body["items"][1]["id"]
    nxt = client.get(f"/api/v1/notifications?limit=2&before_id={body['next_before_id']}", headers=auth_for(student))
    assert [i["id"] for i in nxt.get_json()["items"]] == [body["items"][1]["id"] - 1, body["items"][1]["id"] - 2]
    typed = client.get("/api/v1/notifications?type=task_assigned", headers=auth_for(student)).get_json()
    assert len(typed["items"]) == 3 and {i["type"] for i in typed["items"]} == {"task_assigned"}
    assert client.get("/api/v1/notifications?limit=0", headers=auth_for(student)).status_code == 422
    assert client.get("/api/v1/notifications?unread=maybe", headers=auth_for(student)).status_code == 422


def test_read_and_read_all_keep_unread_count_true(client):
    student, other = make_user(), make_user()
    add(student, 3)
    add(other, 1)
    ids = [i["id"] for i in client.get("/api/v1/notifications", headers=auth_for(student)).get_json()["items"]]
    res = client.post(f"/api/v1/notifications/{ids[0]}/read", headers=auth_for(student))
    assert res.status_code == 200 and res.get_json()["read_at"]
    again = client.post(f"/api/v1/notifications/{ids[0]}/read", headers=auth_for(student))
    assert again.status_code == 200
    body = client.get("/api/v1/notifications", headers=auth_for(student)).get_json()
    assert body["unread_count"] == 2
    assert body["items"][0]["read_at"] is not None  # the fast list was refreshed
    unread = client.get("/api/v1/notifications?unread=true", headers=auth_for(student)).get_json()
    assert [i["id"] for i in unread["items"]] == ids[1:]
    other_id = db.session.query(Notification).filter_by(user_id=other.id).one().id
    assert client.post(f"/api/v1/notifications/{other_id}/read", headers=auth_for(student)).status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=auth_for(student)).status_code == 200
    assert client.get("/api/v1/notifications", headers=auth_for(student)).get_json()["unread_count"] == 0
    assert client.get("/api/v1/notifications", headers=auth_for(other)).get_json()["unread_count"] == 1


def test_mentor_inbox_uses_its_redis_key_and_rebuilds_when_missing(client, redis_conn):
    mentor = make_user("mentor")
    add(mentor, 2)
    first = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()
    key = cache.notifications_key(mentor.id, True)
    assert redis_conn.zcard(key) == 2 and 0 < redis_conn.ttl(key) <= 7 * 24 * 3600
    add(mentor, 1)  # a new one goes into the existing list
    assert redis_conn.zcard(key) == 3
    redis_conn.delete(key)
    again = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()
    assert len(again["items"]) == 3 and again["items"][1:] == first["items"]
    assert client.get("/api/v1/mentor/notifications", headers=auth_for(make_user())).status_code == 403


def test_fast_list_keeps_50_newest_and_never_drops_open_crisis(client, redis_conn):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    alert_id = crisis(client, student)["alert"]["id"]
    client.get("/api/v1/mentor/notifications", headers=auth_for(mentor))  # builds the list
    add(mentor, 60)
    key = cache.notifications_key(mentor.id, True)
    members = [json.loads(m) for m in redis_conn.zrange(key, 0, -1)]
    assert len(members) == 51
    assert any(m["type"] == "crisis_alert" and m["pinned"] for m in members)
    page = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()
    assert len(page["items"]) == 21 and page["items"][-1]["type"] == "crisis_alert"
    client.post(f"/api/v1/mentor/alerts/{alert_id}/resolve", json={"note": "safe"}, headers=auth_for(mentor))
    page = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()
    assert len(page["items"]) == 20 and all(i["type"] == "info" for i in page["items"])


def test_clear_empties_inbox_but_keeps_open_crisis_and_records(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    add(mentor, 3)
    crisis(client, student)
    assert client.delete("/api/v1/mentor/notifications", headers=auth_for(mentor)).status_code == 204
    items = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()["items"]
    assert [i["type"] for i in items] == ["crisis_alert"]
    assert db.session.query(Notification).filter_by(user_id=mentor.id).count() == 4  # still on record
    alerts = client.get("/api/v1/mentor/alerts", headers=auth_for(mentor)).get_json()["items"]
    assert len(alerts) == 1


def test_export_csv_has_the_whole_history(client):
    student = make_user()
    add(student, 3)
    client.post("/api/v1/notifications/read-all", headers=auth_for(student))
    res = client.get("/api/v1/notifications/export?format=csv", headers=auth_for(student))
    assert res.status_code == 200 and res.mimetype == "text/csv"
    lines = res.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,type,title") and len(lines) == 4
    assert client.get("/api/v1/notifications/export?format=pdf", headers=auth_for(student)).status_code == 422


def test_export_streams_a_long_history_in_order(client):
    """Streamed (never built whole in memory), across the 500-row batches, every row once."""
    student = make_user()
    db.session.execute(
        Notification.__table__.insert(),
        [{"user_id": student.id, "type": "info", "title": f"n{i}", "body": "b"} for i in range(1203)],
    )
    db.session.commit()
    res = client.get("/api/v1/notifications/export?format=csv", headers=auth_for(student))
    assert res.status_code == 200 and res.is_streamed
    lines = res.get_data(as_text=True).strip().splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == [f"n{i}" for i in range(1203)]


def test_a_real_web_process_streams_the_export_after_its_transaction_ended(live_server):
    """Served by gevent/eventlet the body is sent after the request's transaction ended: the
    rows are read in batches of their own (a server-side cursor was closed by then: a 500)."""
    import requests

    student = make_user()
    db.session.execute(
        Notification.__table__.insert(),
        [{"user_id": student.id, "type": "info", "title": f"n{i}", "body": "b"} for i in range(1001)],
    )
    db.session.commit()
    res = requests.get(f"{live_server}/api/v1/notifications/export", headers=auth_for(student), timeout=30)
    assert res.status_code == 200, res.text[:500]
    assert len(res.text.strip().splitlines()) == 1002
    empty = requests.get(f"{live_server}/api/v1/notifications/export", headers=auth_for(make_user()), timeout=30)
    assert empty.status_code == 200 and empty.text.strip().splitlines() == [
        "id,type,title,body,created_at,read_at,cleared_at"
    ]


def test_since_id_replays_exactly_what_came_after(client):
    student = make_user()
    add(student, 5)
    ids = sorted(n.id for n in db.session.query(Notification).filter_by(user_id=student.id))
    body = client.get(f"/api/v1/notifications?since_id={ids[1]}", headers=auth_for(student)).get_json()
    assert [i["id"] for i in body["items"]] == ids[2:]
    none = client.get(f"/api/v1/notifications?since_id={ids[-1]}", headers=auth_for(student)).get_json()
    assert none["items"] == []
