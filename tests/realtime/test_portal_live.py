"""The portal's end-to-end flows with real Socket.IO clients, a real web process and a real
RQ worker: both dashboards update live, and metrics:updated is coalesced."""

import time
from datetime import UTC, datetime, timedelta

from app.services.identity import cohorts
from tests.helpers import auth_for, book_session, make_user, token_for


def test_mentoring_day_updates_both_dashboards_live(client, live_server, live_client, live_worker):
    admin, mentor = make_user("admin"), make_user("mentor")
    student = make_user()
    mentor_socket, student_socket = live_client(live_server), live_client(live_server)
    mentor_socket.connect(token_for(mentor))
    student_socket.connect(token_for(student))

    # a student is assigned: the mentor hears it and the active count rises
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": mentor.id}, headers=auth_for(admin)
    )
    assert res.status_code == 200
    registered = mentor_socket.wait_for("student:registered")
    assert registered["student"]["id"] == student.id and registered["event_id"]
    mentor_socket.wait_for("metrics:updated", lambda d: d["metrics"]["active_students"] == 1)

    # the student logs an entry: entry:created, and the pending count rises
    res = client.post("/api/v1/entries", json={"title": "Week 1"}, headers=auth_for(student))
    entry_id = res.get_json()["entry"]["id"]
    created = mentor_socket.wait_for("entry:created")
    assert created["entry"]["id"] == entry_id and created["entry"]["status"] == "pending"
    mentor_socket.wait_for("metrics:updated", lambda d: d["metrics"]["entries"]["pending"] == 1, timeout=10)

    # the mentor approves: the student hears entry:statusChanged
    client.patch(f"/api/v1/entries/{entry_id}/status", json={"status": "approved"}, headers=auth_for(mentor))
    changed = student_socket.wait_for("entry:statusChanged")
    assert changed["entry"]["id"] == entry_id and changed["status"] == "approved"
    mentor_socket.wait_for("metrics:updated", lambda d: d["metrics"]["entries"]["approved"] == 1, timeout=10)

    # a session today is assigned: schedule:assigned and a notification for the student
    now = datetime.now(UTC)
    start = max(now.replace(minute=0, second=0, microsecond=0), now - timedelta(minutes=1))
    schedule_id = book_session(client, mentor, start, 0.5, title="Review", student_id=student.id)["id"]
    assert student_socket.wait_for("schedule:assigned")["schedule"]["id"] == schedule_id
    note = student_socket.wait_for("notification", lambda d: d["type"] == "schedule_assigned")
    assert note["data"]["schedule_id"] == schedule_id
    assert mentor_socket.wait_for("schedule:created")["schedule"]["id"] == schedule_id

    # marking it complete updates both dashboards
    client.patch(f"/api/v1/schedules/{schedule_id}/status", json={"status": "completed"}, headers=auth_for(mentor))
    assert student_socket.wait_for("schedule:updated")["schedule"]["status"] == "completed"
    assert mentor_socket.wait_for("schedule:updated")["schedule"]["status"] == "completed"
    mentor_socket.wait_for("metrics:updated", lambda d: d["metrics"]["sessions_today"]["completed"] == 1, timeout=10)


def test_group_session_reaches_the_cohort_room(client, live_server, live_client):
    mentor = make_user("mentor")
    member, outsider = make_user(mentor=mentor), make_user(mentor=mentor)
    cohort = cohorts.create_cohort("Borealis")
    cohorts.add_member(cohort.id, member.id)
    member_socket, outsider_socket = live_client(live_server), live_client(live_server)
    member_socket.connect(token_for(member))
    outsider_socket.connect(token_for(outsider))
    start = datetime.now(UTC) + timedelta(days=2)
    book_session(client, mentor, start, 1, title="Group", cohort_id=cohort.id)
    assert member_socket.wait_for("schedule:assigned")["schedule"]["cohort_id"] == cohort.id
    member_socket.wait_for("notification", lambda d: d["type"] == "schedule_assigned")
    from app.services.realtime.emit import emit

    emit("schedule:assigned", {"marker": True}, f"student:{outsider.id}")  # proves the outsider was listening
    outsider_socket.wait_for("schedule:assigned")
    assert outsider_socket.received("schedule:assigned") == [{"marker": True}]


def test_metrics_burst_is_coalesced(client, live_server, live_client, live_worker, redis_conn):
    from rq.registry import ScheduledJobRegistry

    from app.services.realtime.emit import emit
    from app.services.shared import cache
    from app.services.shared.queues import HIGH, queue_name

    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    sock = live_client(live_server)
    sock.connect(token_for(mentor))
    started = time.monotonic()
    for i in range(10):
        res = client.post("/api/v1/entries", json={"title": f"Entry {i}"}, headers=auth_for(student))
        assert res.status_code == 201
    burst = time.monotonic() - started
    sock.wait_for("metrics:updated", lambda d: d["metrics"]["entries"]["pending"] == 10, timeout=10)
    # Nothing more is on its way: no trailing event claimed or scheduled. A marker sent now
    # arrives after anything published before it, so the count below is final.
    assert not redis_conn.exists(cache.metrics_trailing_key(mentor.id))
    assert ScheduledJobRegistry(queue_name(HIGH), connection=redis_conn).count == 0
    emit("metrics:updated", {"marker": True}, f"mentor:{mentor.id}")
    sock.wait_for("metrics:updated", lambda d: d.get("marker"))
    events = [d for d in sock.received("metrics:updated") if not d.get("marker")]
    # the first write at once, the rest of the burst as trailing events, at most one per interval
    allowed = 2 if burst < 2 else 2 + int(burst // 2)
    assert 2 <= len(events) <= allowed, (burst, events)
    assert events[-1]["metrics"]["entries"]["pending"] == 10
    assert len(sock.received("entry:created")) == 10  # the entries themselves are never coalesced


def test_racing_bookings_for_one_slot_let_exactly_one_win(live_server):
    """Concurrent requests to a real server: the lock on the mentor's row admits one booking."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    mentor = make_user("mentor")
    student_ids = [make_user(mentor=mentor).id for _ in range(6)]
    start = datetime.now(UTC) + timedelta(days=5)
    headers = auth_for(mentor)

    def book(student_id):
        body = {
            "title": "race",
            "student_id": student_id,
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        }
        return requests.post(f"{live_server}/api/v1/schedules", json=body, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(len(student_ids)) as pool:
        codes = sorted(pool.map(book, student_ids))
    assert codes == [201] + [409] * (len(student_ids) - 1)
