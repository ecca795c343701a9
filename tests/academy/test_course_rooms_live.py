"""Course rooms follow enrolments live, with real Socket.IO clients and a real web process:
only enrolled students' sockets hear course:updated, a socket joins the room the moment its
enrolment becomes active, and leaves it the moment the enrolment ends (same socket, no
reconnect). The HTTP requests run in the test's own process, so the room changes cross
processes through Redis as they do between web processes and workers."""

from app.services.realtime.rooms import course_room
from tests.academy.helpers import complete, enrol, make_course
from tests.helpers import auth_for, make_user, token_for


def _announce(client, educator, course_id, title):
    res = client.post(f"/api/v1/courses/{course_id}/announcements", json={"title": title}, headers=auth_for(educator))
    assert res.status_code == 201, res.get_json()


def _announcements(socket):
    return [d["announcement"]["title"] for d in socket.received("course:updated") if d["change"] == "announcement"]


def test_course_updates_reach_only_active_enrolments(client, live_server, live_client, live_worker):
    educator = make_user("educator")
    enrolled, late, outsider = make_user(), make_user(), make_user()
    course, (first, _second), module_id = make_course(client, educator)
    room = course_room(course["id"])
    enrolment = enrol(client, enrolled, course["id"])

    sockets = {}
    for name, user in (("enrolled", enrolled), ("late", late), ("outsider", outsider)):
        sockets[name] = live_client(live_server)
        session = sockets[name].connect(token_for(user))
        assert (room in session["rooms"]) == (name == "enrolled")

    _announce(client, educator, course["id"], "Welcome")
    assert sockets["enrolled"].wait_for("course:updated")["announcement"]["title"] == "Welcome"

    # a new enrolment joins the open socket at once: the room change travels on the Socket.IO
    # channel ahead of anything published after it, so the next announcement reaches it
    enrol(client, late, course["id"])
    _announce(client, educator, course["id"], "Week 2")
    sockets["late"].wait_for("course:updated", lambda d: d["announcement"]["title"] == "Week 2")
    sockets["enrolled"].wait_for("course:updated", lambda d: d["announcement"]["title"] == "Week 2")

    # a published lesson is a course change too
    res = client.post(
        f"/api/v1/courses/{course['id']}/lessons",
        json={"module_id": module_id, "title": "Bonus", "published": True},
        headers=auth_for(educator),
    )
    lesson_id = res.get_json()["lesson"]["id"]
    added = sockets["late"].wait_for("course:updated", lambda d: d["change"] == "lesson_added")
    assert added["lesson"]["id"] == lesson_id and added["course_id"] == course["id"]
    edited = client.patch(
        f"/api/v1/courses/{course['id']}/lessons/{lesson_id}", json={"title": "Bonus!"}, headers=auth_for(educator)
    )
    assert edited.status_code == 200
    sockets["enrolled"].wait_for("course:updated", lambda d: d["change"] == "lesson_updated")

    # the enrolment ends: the same open socket leaves the room
    res = client.post(f"/api/v1/enrolments/{enrolment['id']}/end", headers=auth_for(enrolled))
    assert res.status_code == 200 and res.get_json()["enrolment"]["status"] == "ended"
    _announce(client, educator, course["id"], "Week 3")
    sockets["late"].wait_for("course:updated", lambda d: d.get("announcement", {}).get("title") == "Week 3")
    # Events reach one socket in the order they were published: once the re-enrolment's
    # enrolment:confirmed (published after "Week 3") has arrived, "Week 3" is not on its way.
    enrol(client, enrolled, course["id"])
    sockets["enrolled"].wait_for("enrolment:confirmed")  # the socket connected after the first one
    assert _announcements(sockets["enrolled"]) == ["Welcome", "Week 2"]
    assert _announcements(sockets["outsider"]) == []
    assert sockets["outsider"].received("course:updated") == []

    # progress: the student hears progress:updated, the educator a course summary
    educator_socket = live_client(live_server)
    educator_socket.connect(token_for(educator))
    complete(client, late, course["id"], first)
    mine = sockets["late"].wait_for("progress:updated")
    assert mine["progress"]["completed"] == 1 and mine["lesson_id"] == first
    # coalesced: at once, or as the trailing event of the burst (a job on the worker)
    summary = educator_socket.wait_for("progress:updated", lambda d: d["summary"]["average_progress"] > 0, timeout=10)
    assert summary["course_id"] == course["id"] and summary["summary"]["enrolled"] == 2
    assert summary["summary"]["active_this_week"] == 1
    assert sockets["outsider"].received("progress:updated") == []
