"""Live educator events with a real web process, a real RQ worker and real Socket.IO clients:
the figures travel with the event, a burst is coalesced, a bulk upload is one event, and the
cached overview matches the last event."""

import time

from rq.registry import ScheduledJobRegistry

from app.services.realtime.emit import emit
from app.services.shared import cache
from app.services.shared.queues import HIGH
from tests.educator_fixture import enrol, exam, grade, section
from tests.helpers import auth_for, make_user, token_for


def settle(sock, redis_conn, educator, section_id, event):
    """Wait until nothing more is on its way for the section, then return every `event` received."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pending = (
            redis_conn.exists(cache.performance_trailing_key(section_id))
            or redis_conn.exists(cache.performance_recompute_queued_key(section_id))
            or ScheduledJobRegistry(HIGH, connection=redis_conn).count
            or redis_conn.llen(f"rq:queue:{HIGH}")
        )
        if not pending:
            break
        time.sleep(0.05)
    emit(event, {"marker": True}, f"educator:{educator.id}")  # arrives after anything published before it
    sock.wait_for(event, lambda d: d.get("marker"), timeout=10)
    return [d for d in sock.received(event) if not d.get("marker")]


def test_grade_event_carries_the_figures_and_matches_the_cached_overview(
    client, live_server, live_client, live_worker, redis_conn
):
    educator, other = make_user("educator"), make_user("educator")
    a, b = make_user(name="Ana"), make_user(name="Ben")
    sock, other_sock = live_client(live_server), live_client(live_server)
    sock.connect(token_for(educator))
    other_sock.connect(token_for(other))
    math = section(client, educator)
    enrol(client, educator, math["id"], a)
    enrol(client, educator, math["id"], b)
    test = exam(client, educator, math["id"], "algebra", 50, 1)
    created = sock.wait_for("exam:created", timeout=10)
    assert created["section_id"] == math["id"] and created["section"]["exams"]["total"] == 1

    grade(client, educator, test["id"], [(a.id, 45), (b.id, 20)])  # 90% and 40%
    event = sock.wait_for("grade:updated", lambda d: d.get("section", {}).get("average") == 65.0, timeout=10)
    figures = event["section"]
    assert figures["pass_rate"] == 50.0
    assert figures["grade_distribution"]["A"] == 1 and figures["grade_distribution"]["F"] == 1
    assert event["overview"]["overall_average"] == 65.0 and "grade:updated" in event["changes"]

    client.put(
        f"/api/v1/educator/sections/{math['id']}/attendance?date={test['date']}",
        json=[{"student_id": a.id, "status": "present"}, {"student_id": b.id, "status": "absent"}],
        headers=auth_for(educator),
    )
    seen = sock.wait_for(
        "attendance:updated", lambda d: d.get("section", {}).get("attendance_percentage") == 50.0, timeout=10
    )
    last = settle(sock, redis_conn, educator, math["id"], "attendance:updated")[-1]
    assert last["section"]["attendance_percentage"] == seen["section"]["attendance_percentage"]
    overview = client.get("/api/v1/performance/overview", headers=auth_for(educator)).get_json()
    assert overview["cached"] is True
    for key in ("overall_average", "pass_rate", "grade_distribution", "attendance_percentage", "computed_at"):
        assert overview[key] == last["overview"][key], key
    assert other_sock.received("grade:updated") == [] and other_sock.received("attendance:updated") == []


def test_a_burst_is_coalesced_and_a_bulk_upload_is_one_event(client, live_server, live_client, live_worker, redis_conn):
    educator = make_user("educator")
    students = [make_user(name=f"S{i}") for i in range(10)]
    math = section(client, educator)
    for s in students:
        enrol(client, educator, math["id"], s)
    test = exam(client, educator, math["id"], "algebra", 100, 1)
    sock = live_client(live_server)
    sock.connect(token_for(educator))
    settle(sock, redis_conn, educator, math["id"], "exam:created")

    # ten single-grade writes: scores 10, 20, ... 100 -> averages 10..100, mean 55. The first
    # is announced without waiting for an interval; the nine after it fall inside that interval.
    grade(client, educator, test["id"], [(students[0].id, 10)])
    first = sock.wait_for("grade:updated", lambda d: "section" in d, timeout=10)
    assert first["section"]["average"] == 10.0
    started = time.monotonic()
    for i, s in enumerate(students[1:], start=2):
        grade(client, educator, test["id"], [(s.id, 10 * i)])
    burst = time.monotonic() - started
    sock.wait_for("grade:updated", lambda d: d.get("section", {}).get("average") == 55.0, timeout=15)
    events = settle(sock, redis_conn, educator, math["id"], "grade:updated")
    # the first at once, the rest folded into trailing events, at most one per 2 s interval
    allowed = 2 + int(burst // 2) + 1
    assert 2 <= len(events) <= allowed, (burst, [e["section"]["average"] for e in events])
    assert events[-1]["section"]["average"] == 55.0 and events[-1]["section"]["students"] == 10
    assert events[-1]["section"]["grade_distribution"] == {
        "A+": 1, "A": 1, "B+": 0, "B": 1, "C+": 0, "C": 1, "D+": 0, "D": 1, "F": 5,
    }  # fmt: skip

    # one bulk upload of the whole exam: exactly one more event, with the final figures
    before = len(events)
    grade(client, educator, test["id"], [(s.id, 50) for s in students])
    sock.wait_for("grade:updated", lambda d: d.get("section", {}).get("average") == 50.0, timeout=15)
    events = settle(sock, redis_conn, educator, math["id"], "grade:updated")
    assert len(events) == before + 1, [e["section"]["average"] for e in events]
    assert events[-1]["section"]["grade_distribution"]["F"] == 10
