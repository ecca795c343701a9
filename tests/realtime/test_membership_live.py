"""Rooms follow membership, and sockets end with their credentials, across two web
processes (one eventlet, one gevent): the change is made through one process, the socket
is open on the other."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask_jwt_extended import create_refresh_token

from app.services.identity import cohorts
from app.services.realtime.emit import emit
from tests.conftest import start_web, stop
from tests.helpers import auth_for, make_user, token_for


@pytest.fixture(scope="module")
def two_servers(app):
    first, first_url = start_web("eventlet")
    second, second_url = start_web("gevent")
    yield first_url, second_url
    stop(first)
    stop(second)


def test_a_student_who_joins_a_cohort_hears_its_next_event_on_the_open_socket(two_servers, live_client):
    web_a, web_b = two_servers
    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor)
    cohort = cohorts.create_cohort("Open Aurora", is_open=True)
    sock = live_client(web_b)
    assert f"cohort:{cohort.id}" not in sock.connect(token_for(student))["rooms"]

    res = requests.post(f"{web_a}/api/v1/cohorts/{cohort.id}/join", json={}, headers=auth_for(student), timeout=10)
    assert res.status_code == 201, res.text
    start = datetime.now(UTC) + timedelta(days=3)
    res = requests.post(
        f"{web_a}/api/v1/schedules",
        json={
            "title": "Group",
            "cohort_id": cohort.id,
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        },
        headers=auth_for(mentor),
        timeout=10,
    )
    assert res.status_code == 201, res.text
    event = sock.wait_for("schedule:assigned")  # to the cohort room, which the socket was moved into
    assert event["schedule"]["cohort_id"] == cohort.id

    # taken out again by an admin: the next cohort event does not reach the socket
    res = requests.delete(
        f"{web_a}/api/v1/admin/cohorts/{cohort.id}/members/{student.id}", headers=auth_for(admin), timeout=10
    )
    assert res.status_code == 204
    emit("schedule:updated", {"after_leaving": True}, f"cohort:{cohort.id}")
    assert sock.nothing_more("schedule:updated", f"user:{student.id}", lambda d: d.get("after_leaving")) == []
    assert sock.sio.connected


def test_a_mentor_unassigned_from_a_student_stops_receiving_their_events(two_servers, live_client, client):
    web_a, web_b = two_servers
    old, new, admin = make_user("mentor"), make_user("mentor"), make_user("admin")
    student = make_user(mentor=old)
    task = client.post(
        "/api/v1/tasks", json={"student_id": student.id, "title": "Read"}, headers=auth_for(old)
    ).get_json()["task"]
    old_sock, new_sock = live_client(web_b), live_client(web_a)
    old_sock.connect(token_for(old))
    new_sock.connect(token_for(new))

    res = requests.put(
        f"{web_a}/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": new.id}, headers=auth_for(admin)
    )
    assert res.status_code == 200
    # Through a web process: this test's own session still holds the student as it loaded them.
    res = requests.post(f"{web_a}/api/v1/entries", json={"title": "After the move"}, headers=auth_for(student))
    assert res.status_code == 201, res.text
    url = f"{web_a}/api/v1/tasks/{task['id']}/status"
    assert requests.patch(url, json={"status": "done"}, headers=auth_for(student)).status_code == 200

    assert new_sock.wait_for("entry:created")["entry"]["student_id"] == student.id
    assert new_sock.wait_for("task:updated")["task"]["id"] == task["id"]
    note = new_sock.wait_for("notification", lambda d: d["type"] == "task_completed")
    assert note["data"]["task_id"] == task["id"]
    new_sock.wait_for("activity:new", lambda d: d["type"] == "task:completed")
    for event in ("entry:created", "task:updated", "activity:new"):
        assert old_sock.nothing_more(event, f"mentor:{old.id}") == [], event
    assert [n for n in old_sock.received("notification") if n["type"] != "student_registered"] == []


def test_deactivating_a_user_ends_their_sockets_on_every_process(two_servers, live_client, client):
    web_a, web_b = two_servers
    admin, student = make_user("admin"), make_user()
    socks = [live_client(web_a), live_client(web_b)]
    for sock in socks:
        sock.connect(token_for(student))
    res = client.patch(f"/api/v1/admin/users/{student.id}", json={"is_active": False}, headers=auth_for(admin))
    assert res.status_code == 200
    for sock in socks:
        assert sock.wait_for("session_ended")["reason"] == "account_inactive"
        sock.wait_for("disconnect")


def test_logout_ends_the_sockets_of_that_token_only(two_servers, live_client, client):
    web_a, web_b = two_servers
    student = make_user()
    token, other_token = token_for(student), token_for(student)
    ended, kept = live_client(web_b), live_client(web_b)
    ended.connect(token)
    kept.connect(other_token)
    res = client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": create_refresh_token(identity=student)},
        headers=auth_for_token(token),
    )
    assert res.status_code == 204
    assert ended.wait_for("session_ended")["reason"] == "token_revoked"
    ended.wait_for("disconnect")
    assert kept.nothing_more("session_ended", f"user:{student.id}") == [] and kept.sio.connected


def auth_for_token(token):
    return {"Authorization": f"Bearer {token}"}


def test_an_open_socket_ends_when_its_access_token_expires(two_servers, live_client):
    web_a, _ = two_servers
    student = make_user()
    sock = live_client(web_a)
    sock.connect(token_for(student, expires_delta=timedelta(seconds=1)))
    # The process sweeps every SOCKET_EXPIRY_SWEEP (2 s): the token's own life plus one sweep.
    assert sock.wait_for("session_ended", timeout=10)["reason"] == "token_expired"
    sock.wait_for("disconnect")


def test_metrics_count_sockets_per_process_and_events_by_name(two_servers, live_client):
    web_a, web_b = two_servers
    mentor = make_user("mentor")

    def figure(url, name):
        text = requests.get(f"{url}/metrics", timeout=10).text
        lines = [line for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{")]
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines}

    before_a = figure(web_a, "pulse_sockets_connected")["pulse_sockets_connected"]
    before_b = figure(web_b, "pulse_sockets_connected")["pulse_sockets_connected"]
    sock = live_client(web_a)
    sock.connect(token_for(mentor))
    assert figure(web_a, "pulse_sockets_connected")["pulse_sockets_connected"] == before_a + 1
    assert figure(web_b, "pulse_sockets_connected")["pulse_sockets_connected"] == before_b
    assert figure(web_a, "pulse_socket_connects_total")["pulse_socket_connects_total"] >= 1
    emit("metrics:updated", {"marker": True}, f"mentor:{mentor.id}")
    sock.wait_for("metrics:updated")
    emitted = figure(web_b, "pulse_realtime_events_emitted")
    assert emitted['pulse_realtime_events_emitted{event="metrics:updated"}'] >= 1
    sock.close()
    sock.wait_for("disconnect")
    assert figure(web_a, "pulse_socket_disconnects_total")["pulse_socket_disconnects_total"] >= 1
