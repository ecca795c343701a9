"""The SSE generator against the real shared subscription: order, duplicates, odd packets."""

from app.services.dashboard import stream
from tests import factories


def event(event_id, student_id):
    return {"event_id": event_id, "student_id": student_id, "changed": ["cards"]}


def test_events_arriving_out_of_order_are_all_sent_once(app):
    student = factories.student()
    lines = stream.open_stream(student)
    assert "connected" in next(lines)  # the stream has subscribed
    for event_id in (11, 10, 11, 12):  # 10 was published after 11; 11 arrives twice
        stream.HUB._send(student.id, event(event_id, student.id))
    sent = [next(lines).split("\n", 1)[0] for _ in range(3)]
    assert sent == ["id: 11", "id: 10", "id: 12"]
    lines.close()
    assert stream.HUB.stream_count() == 0


def test_a_stream_never_started_leaves_no_subscription(app):
    lines = stream.open_stream(factories.student())
    lines.close()
    assert stream.HUB.stream_count() == 0


def test_packets_that_are_not_objects_are_ignored(app):
    for raw in ('["dashboard:updated"]', b'"dashboard:updated"', "dashboard:updated", b"\xff dashboard:updated"):
        stream.HUB.dispatch(raw)  # no exception: the shared subscription keeps running
    for packet in (
        '{"event": "dashboard:updated", "room": "student:x", "data": [{}]}',
        '{"event": "dashboard:updated", "room": "student:1", "data": "nope"}',
    ):
        stream.HUB.dispatch(packet)


def test_bad_last_event_id_is_422_and_does_not_spend_the_token(client):
    from tests.helpers import auth_for

    student = factories.student()
    token = client.post("/api/v1/student/dashboard/stream-token", headers=auth_for(student)).get_json()["stream_token"]
    url = f"/api/v1/student/dashboard/stream?stream_token={token}"
    for bad in ("\u00b2", "9" * 40, "-1", "1.5"):
        res = client.get(url, headers={"Last-Event-ID": bad})
        assert res.status_code == 422 and "Last-Event-ID" in res.get_json()["error"]["details"], bad
    res = client.get(url, headers={"Last-Event-ID": "0"})
    assert res.status_code == 200 and res.mimetype == "text/event-stream"
    res.close()


def membership_packet(app, **message):
    import json

    from app.namespace import PACKET_FIELD
    from app.services.realtime import membership

    return json.dumps({"method": membership.METHOD, PACKET_FIELD: app.config["PULSE_NAMESPACE"], **message})


def test_membership_packets_end_the_streams_whose_credentials_are_gone(app):
    student = factories.student()
    logged_out, kept = stream.open_stream(student, jti="a"), stream.open_stream(student, jti="b")
    assert "connected" in next(logged_out) and "connected" in next(kept)
    stream.HUB.dispatch(membership_packet(app, action="disconnect", user_id=student.id, jti="a"))
    assert list(logged_out) == []  # ended, nothing more
    stream.HUB.dispatch(membership_packet(app, action="refresh", user_id=student.id, rooms=[], role="student"))
    assert stream.HUB.stream_count() == 1  # still a student: the stream stays
    stream.HUB.dispatch(membership_packet(app, action="refresh", user_id=student.id, rooms=[], role="mentor"))
    assert list(kept) == []
    assert stream.HUB.stream_count() == 0
