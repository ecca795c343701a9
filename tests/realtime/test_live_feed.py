"""The mentor dashboard stays true without a reload: the badge in every tab, the live feed
only to those allowed, task and entry edits, attendance privacy, metrics in the mentor's zone.
Real Socket.IO clients on a real web process."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.identity import cohorts
from tests.helpers import auth_for, book_session, make_user, token_for


def test_the_unread_badge_stays_true_in_a_second_tab(client, live_server, live_client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    tab1, tab2 = live_client(live_server), live_client(live_server)
    tab1.connect(token_for(mentor))
    tab2.connect(token_for(mentor))
    for title in ("One", "Two"):
        assert client.post("/api/v1/entries", json={"title": title}, headers=auth_for(student)).status_code == 201
    for tab in (tab1, tab2):
        tab.wait_for("notification", lambda d: d["unread_count"] == 2)
    first = tab1.received("notification")[0]
    assert first["unread_count"] == 1 and first["data"]["student_id"] == student.id

    assert client.post(f"/api/v1/notifications/{first['id']}/read", headers=auth_for(mentor)).status_code == 200
    read_one = tab2.wait_for("notifications:read")
    assert (read_one["ids"], read_one["unread_count"]) == ([first["id"]], 1) and "all" not in read_one
    assert client.post("/api/v1/notifications/read-all", headers=auth_for(mentor)).status_code == 200
    read_all = tab2.wait_for("notifications:read", lambda d: d.get("all"))
    assert read_all["unread_count"] == 0
    assert client.delete("/api/v1/mentor/notifications", headers=auth_for(mentor)).status_code == 204
    cleared = tab2.wait_for("notifications:read", lambda d: d.get("cleared"))
    assert cleared["all"] is True and cleared["unread_count"] == 0


def test_activity_new_reaches_only_those_allowed(client, live_server, live_client):
    mentor, other_mentor, admin = make_user("mentor"), make_user("mentor"), make_user("admin")
    student, other_student = make_user(mentor=mentor), make_user(mentor=other_mentor)
    socks = {user: live_client(live_server) for user in (mentor, other_mentor, admin, student, other_student)}
    for user, sock in socks.items():
        sock.connect(token_for(user))
    entry = client.post("/api/v1/entries", json={"title": "Mine"}, headers=auth_for(student)).get_json()["entry"]
    for allowed in (mentor, admin, student):
        item = socks[allowed].wait_for("activity:new", lambda d: d["type"] == "entry:created")
        assert item["target_id"] == entry["id"] and item["student_id"] == student.id
    for other in (other_mentor, other_student):
        assert socks[other].nothing_more("activity:new", f"user:{other.id}") == []
    # what the socket said is what the feed says
    feed = client.get("/api/v1/activity-feed", headers=auth_for(mentor)).get_json()["items"]
    live = socks[mentor].received("activity:new")[0]
    assert {k: v for k, v in live.items() if k != "event_id"} == feed[0]


def test_entry_edits_and_task_changes_reach_sockets_as_their_own_events(client, live_server, live_client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    mentor_sock, student_sock = live_client(live_server), live_client(live_server)
    mentor_sock.connect(token_for(mentor))
    student_sock.connect(token_for(student))
    entry = client.post("/api/v1/entries", json={"title": "Draft"}, headers=auth_for(student)).get_json()["entry"]
    res = client.patch(f"/api/v1/entries/{entry['id']}", json={"title": "Final"}, headers=auth_for(student))
    assert res.status_code == 200
    updated = mentor_sock.wait_for("entry:updated")
    assert updated["entry"]["title"] == "Final" and updated["changes"] == ["title"]

    task = client.post(
        "/api/v1/tasks", json={"student_id": student.id, "title": "Read"}, headers=auth_for(mentor)
    ).get_json()["task"]
    client.patch(f"/api/v1/tasks/{task['id']}", json={"title": "Read twice"}, headers=auth_for(mentor))
    assert student_sock.wait_for("task:updated")["task"]["title"] == "Read twice"
    client.patch(f"/api/v1/tasks/{task['id']}/status", json={"status": "done"}, headers=auth_for(student))
    done = mentor_sock.wait_for("task:updated", lambda d: d["task"]["status"] == "done")
    assert done["changes"] == ["status"]


def test_group_session_attendance_goes_live_only_to_the_students_own_mentor(client, live_server, live_client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    mine, theirs = make_user(mentor=mentor), make_user(mentor=other_mentor)
    cohort = cohorts.create_cohort("Mixed live")
    cohorts.add_member(cohort.id, mine.id)
    cohorts.add_member(cohort.id, theirs.id)
    now = datetime.now(UTC)
    s = book_session(client, mentor, now - timedelta(minutes=5), 1, cohort_id=cohort.id)
    session_mentor, own_mentor = live_client(live_server), live_client(live_server)
    session_mentor.connect(token_for(mentor))
    own_mentor.connect(token_for(other_mentor))
    res = client.post(f"/api/v1/schedules/{s['id']}/attendance", json={"status": "late"}, headers=auth_for(theirs))
    assert res.status_code == 200
    assert own_mentor.wait_for("attendance:updated")["student_id"] == theirs.id
    assert session_mentor.nothing_more("attendance:updated", f"mentor:{mentor.id}") == []
    assert session_mentor.nothing_more("activity:new", f"mentor:{mentor.id}") == []


def test_metrics_updated_counts_sessions_today_in_the_zone_the_mentor_asked_for(client, live_server, live_client):
    mentor = make_user("mentor")
    zone = "Pacific/Kiritimati"  # UTC+14: its "today" is rarely UTC's
    res = client.get(f"/api/v1/mentor/metrics?tz={zone}", headers=auth_for(mentor))
    assert res.status_code == 200 and res.get_json()["tz"] == zone
    sock = live_client(live_server)
    sock.connect(token_for(mentor))
    local_noon = datetime.combine(datetime.now(ZoneInfo(zone)).date(), time(12), ZoneInfo(zone))
    book_session(client, mentor, local_noon.astimezone(UTC), 1)
    pushed = sock.wait_for("metrics:updated")["metrics"]
    assert pushed["tz"] == zone and pushed["sessions_today"]["total"] == 1
    asked = client.get(f"/api/v1/mentor/metrics?tz={zone}", headers=auth_for(mentor)).get_json()
    assert asked["sessions_today"] == pushed["sessions_today"]
    # without ?tz= the answer stays in UTC, as before
    assert client.get("/api/v1/mentor/metrics", headers=auth_for(mentor)).get_json()["tz"] == "UTC"
