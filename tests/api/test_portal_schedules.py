"""Sessions: booking rules (end after start, no overlaps), group sessions, the day view in a
time zone, status, attendance windows, and who may see or change what."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Notification, OutboxEvent, Schedule
from app.services.identity import cohorts
from tests.helpers import auth_for, make_user

DAY = datetime(2026, 12, 3, tzinfo=UTC)


def at(hours, base=DAY):
    return (base + timedelta(hours=hours)).isoformat()


def book(client, mentor, start, end, expect=201, **extra):
    res = client.post(
        "/api/v1/schedules",
        json={"title": "1:1", "start_time": start, "end_time": end, **extra},
        headers=auth_for(mentor),
    )
    assert res.status_code == expect, res.get_json()
    return res.get_json().get("schedule") or res.get_json()


def test_book_a_session_with_a_student(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    s = book(client, mentor, at(9), at(10), student_id=student.id, focus_stack=["react", "testing"])
    assert s["status"] == "scheduled" and s["is_group"] is False and s["focus_stack"] == ["react", "testing"]
    assert s["start_time"] == "2026-12-03T09:00:00Z"
    events = {(e.event, e.room) for e in db.session.query(OutboxEvent)}
    assert ("schedule:created", f"mentor:{mentor.id}") in events
    assert ("schedule:assigned", f"student:{student.id}") in events
    inbox = client.get("/api/v1/notifications", headers=auth_for(student)).get_json()
    assert [n["type"] for n in inbox["items"]] == ["schedule_assigned"]


def test_end_before_start_and_overlaps_are_refused(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    err = book(client, mentor, at(10), at(9), expect=422, student_id=student.id)
    assert "end_time" in err["error"]["details"]
    assert "end_time" in book(client, mentor, at(10), at(10), expect=422)["error"]["details"]
    first = book(client, mentor, at(9), at(10), student_id=student.id)
    clash = book(client, mentor, at(9.5), at(11), expect=409)
    assert clash["error"]["code"] == "schedule_overlap" and clash["error"]["details"]["conflicting_ids"] == [
        first["id"]
    ]
    book(client, mentor, at(8), at(12), expect=409)  # encloses it
    book(client, mentor, at(10), at(11))  # back to back is fine
    # another mentor may use the same hour
    book(client, make_user("mentor"), at(9), at(10))
    # a canceled session frees its slot, and reopening it then clashes
    client.patch(f"/api/v1/schedules/{first['id']}/status", json={"status": "canceled"}, headers=auth_for(mentor))
    replacement = book(client, mentor, at(9), at(10))
    res = client.patch(
        f"/api/v1/schedules/{first['id']}/status", json={"status": "scheduled"}, headers=auth_for(mentor)
    )
    assert res.status_code == 409
    # moving a session onto another is refused too
    res = client.put(f"/api/v1/schedules/{replacement['id']}", json={"end_time": at(10.5)}, headers=auth_for(mentor))
    assert res.status_code == 409
    res = client.put(f"/api/v1/schedules/{replacement['id']}", json={"end_time": at(8)}, headers=auth_for(mentor))
    assert res.status_code == 422


def test_group_session_goes_to_the_cohort(client):
    mentor = make_user("mentor")
    member, outsider = make_user(mentor=mentor), make_user(mentor=mentor)
    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, member.id)
    s = book(client, mentor, at(14), at(15), cohort_id=cohort.id)
    assert s["is_group"] is True and s["student_id"] is None
    assert ("schedule:assigned", f"cohort:{cohort.id}") in {(e.event, e.room) for e in db.session.query(OutboxEvent)}
    assert db.session.query(Notification).filter_by(user_id=member.id, type="schedule_assigned").count() == 1
    assert client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(member)).status_code == 200
    assert client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(outsider)).status_code == 404
    # a mentor with no student in a cohort cannot book for it
    assert book(client, make_user("mentor"), at(14), at(15), expect=404, cohort_id=cohort.id)
    assert book(client, mentor, at(16), at(17), expect=422, cohort_id=cohort.id, student_id=member.id)


def test_day_view_in_the_callers_time_zone(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    morning = book(client, mentor, at(14), at(15.5), student_id=student.id)  # 09:00-10:30 in New York
    late = book(client, mentor, at(27), at(28), student_id=student.id)  # 22:00 on the 3rd in New York, the 4th in UTC
    book(client, mentor, at(40), at(41), student_id=student.id)  # the 4th everywhere here

    res = client.get(
        f"/api/v1/schedules?studentId={student.id}&date=2026-12-03&tz=America/New_York", headers=auth_for(student)
    )
    body = res.get_json()
    assert [s["id"] for s in body["items"]] == [morning["id"], late["id"]]
    assert body["items"][0]["local_start"] == "2026-12-03T09:00:00-05:00"
    hours = {h["hour"]: h["schedule_ids"] for h in body["day"]["hours"]}
    assert len(body["day"]["hours"]) == 24
    assert hours["09:00"] == [morning["id"]] and hours["10:00"] == [morning["id"]] and hours["11:00"] == []
    assert hours["22:00"] == [late["id"]]

    utc = client.get("/api/v1/schedules?date=2026-12-03", headers=auth_for(mentor)).get_json()
    assert [s["id"] for s in utc["items"]] == [morning["id"]]
    # the day daylight saving ends has 25 hours
    dst = client.get("/api/v1/schedules?date=2026-11-01&tz=America/New_York", headers=auth_for(mentor)).get_json()
    assert len(dst["day"]["hours"]) == 25
    for bad in ("tz=Mars/Olympus", "date=2026-13-01", "date=yesterday", "status=done", "limit=0"):
        res = client.get(f"/api/v1/schedules?{bad}", headers=auth_for(mentor))
        assert res.status_code == 422, bad


def test_complete_session_and_attendance(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    s = book(client, mentor, at(9), at(10), student_id=student.id)
    res = client.post(
        f"/api/v1/schedules/{s['id']}/attendance",
        json={"student_id": student.id, "status": "late"},
        headers=auth_for(mentor),
    )
    assert res.status_code == 200 and res.get_json()["schedule"]["attendance"][0]["status"] == "late"
    res = client.post(
        f"/api/v1/schedules/{s['id']}/attendance",
        json={"student_id": student.id, "status": "present"},
        headers=auth_for(mentor),
    )
    assert [a["status"] for a in res.get_json()["schedule"]["attendance"]] == ["present"]
    res = client.patch(f"/api/v1/schedules/{s['id']}/status", json={"status": "completed"}, headers=auth_for(mentor))
    assert res.get_json()["schedule"]["status"] == "completed"
    updated = [e for e in db.session.query(OutboxEvent).filter_by(event="schedule:updated")]
    assert {e.room for e in updated} == {f"student:{student.id}", f"mentor:{mentor.id}"}
    log = client.get(f"/api/v1/audit-logs/schedule/{s['id']}", headers=auth_for(student)).get_json()["items"]
    assert [a["action"] for a in log] == ["create", "attendance", "attendance", "status"]
    assert log[2]["old_value"] == {"student_id": student.id, "status": "late"}
    assert log[2]["new_value"] == {"student_id": student.id, "status": "present"}
    attendance_events = db.session.query(OutboxEvent).filter_by(event="attendance:updated").count()
    assert attendance_events == 4  # two marks, each to the student and the mentor


def test_student_marks_own_attendance_only_while_the_session_runs(client):
    mentor = make_user("mentor")
    student, classmate = make_user(mentor=mentor), make_user(mentor=mentor)
    now = datetime.now(UTC)
    running = book(
        client,
        mentor,
        (now - timedelta(minutes=10)).isoformat(),
        (now + timedelta(minutes=50)).isoformat(),
        student_id=student.id,
    )
    later = book(client, mentor, at(24 * 30), at(24 * 30 + 1), student_id=student.id)
    url = f"/api/v1/schedules/{running['id']}/attendance"
    assert client.post(url, json={"status": "present"}, headers=auth_for(student)).status_code == 200
    res = client.post(
        f"/api/v1/schedules/{later['id']}/attendance", json={"status": "present"}, headers=auth_for(student)
    )
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "outside_session_window"
    assert client.post(url, json={"status": "excused"}, headers=auth_for(student)).status_code == 422
    res = client.post(url, json={"status": "present", "student_id": classmate.id}, headers=auth_for(student))
    assert res.status_code == 403
    assert client.post(url, json={"status": "present"}, headers=auth_for(classmate)).status_code == 404
    res = client.post(url, json={"status": "present", "student_id": classmate.id}, headers=auth_for(mentor))
    assert res.status_code == 422  # not an attendee of this session
    assert client.post(url, json={"status": "present"}, headers=auth_for(mentor)).status_code == 422


def test_delete_keeps_the_record(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor)
    s = book(client, mentor, at(9), at(10), student_id=student.id)
    assert client.delete(f"/api/v1/schedules/{s['id']}", headers=auth_for(mentor)).status_code == 204
    assert client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(mentor)).status_code == 404
    log = client.get(f"/api/v1/audit-logs/schedule/{s['id']}", headers=auth_for(admin)).get_json()["items"]
    assert [a["action"] for a in log] == ["create", "delete"] and log[1]["old_value"]["title"] == "1:1"
    assert client.get(f"/api/v1/audit-logs/schedule/{s['id']}", headers=auth_for(mentor)).status_code == 404
    assert db.session.query(Notification).filter_by(user_id=student.id, type="schedule_updated").count() == 1


def test_wrong_mentor_and_wrong_student_get_404_on_every_schedule_route(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    student, other_student = make_user(mentor=mentor), make_user(mentor=other_mentor)
    s = book(client, mentor, at(9), at(10), student_id=student.id)
    sid = s["id"]
    assert book(client, other_mentor, at(12), at(13), expect=404, student_id=student.id)
    for user in (other_mentor, other_student):
        h = auth_for(user)
        calls = [
            client.get(f"/api/v1/schedules/{sid}", headers=h),
            client.post(f"/api/v1/schedules/{sid}/attendance", json={"status": "present"}, headers=h),
            client.get(f"/api/v1/audit-logs/schedule/{sid}", headers=h),
            client.get(f"/api/v1/schedules?student_id={student.id}", headers=h),
        ]
        if user is other_mentor:
            calls += [
                client.put(f"/api/v1/schedules/{sid}", json={"title": "x"}, headers=h),
                client.patch(f"/api/v1/schedules/{sid}/status", json={"status": "canceled"}, headers=h),
                client.delete(f"/api/v1/schedules/{sid}", headers=h),
            ]
        assert [c.status_code for c in calls] == [404] * len(calls), [c.get_json() for c in calls]
        assert client.get("/api/v1/schedules", headers=h).get_json()["items"] == []
    h = auth_for(student)
    assert client.put(f"/api/v1/schedules/{sid}", json={"title": "x"}, headers=h).status_code == 403
    assert client.delete(f"/api/v1/schedules/{sid}", headers=h).status_code == 403
    assert (
        client.post(
            "/api/v1/schedules", json={"title": "x", "start_time": at(1), "end_time": at(2)}, headers=h
        ).status_code
        == 403
    )


def test_focus_stack_takes_a_comma_separated_string_and_answers_the_list(client):
    mentor = make_user("mentor")
    student = make_user("student", mentor=mentor)
    s = book(client, mentor, at(9), at(10), student_id=student.id, focus_stack="react, flask ,,testing")
    assert s["focus_stack"] == ["react", "flask", "testing"]
    res = client.put(f"/api/v1/schedules/{s['id']}", json={"focus_stack": "sql"}, headers=auth_for(mentor))
    assert res.status_code == 200 and res.get_json()["schedule"]["focus_stack"] == ["sql"]
    res = client.put(f"/api/v1/schedules/{s['id']}", json={"focus_stack": ""}, headers=auth_for(mentor))
    assert res.status_code == 200 and res.get_json()["schedule"]["focus_stack"] == []
    # a row holding text (seed 002 wrote the tags as one string) still answers the list
    row = db.session.get(Schedule, s["id"])
    row.focus_stack = "go,rust"
    db.session.commit()
    got = client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(mentor)).get_json()["schedule"]
    assert got["focus_stack"] == ["go", "rust"]


def test_bad_schedule_input(client):
    mentor = make_user("mentor")
    h = auth_for(mentor)
    cases = [
        ({"start_time": at(1), "end_time": at(2)}, "title"),
        ({"title": "x", "end_time": at(2)}, "start_time"),
        ({"title": "x", "start_time": "soon", "end_time": at(2)}, "start_time"),
        ({"title": "x", "start_time": at(1), "end_time": at(2), "student_id": "7"}, "student_id"),
        ({"title": "x", "start_time": at(1), "end_time": at(2), "focus_stack": ["x" * 41]}, "focus_stack"),
        ({"title": "x", "start_time": at(1), "end_time": at(2), "room": "A"}, "room"),
    ]
    for body, field in cases:
        res = client.post("/api/v1/schedules", json=body, headers=h)
        assert res.status_code == 422 and field in res.get_json()["error"]["details"], (body, res.get_json())
    s = book(client, mentor, at(1), at(2))
    assert client.patch(f"/api/v1/schedules/{s['id']}/status", json={"status": "done"}, headers=h).status_code == 422
    assert client.put(f"/api/v1/schedules/{s['id']}", json={}, headers=h).status_code == 422
    res = client.post(f"/api/v1/schedules/{s['id']}/attendance", json={"status": "sleeping"}, headers=h)
    assert res.status_code == 422


def test_group_session_attendance_stays_with_each_mentors_own_students(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    mine, theirs = make_user(mentor=mentor), make_user(mentor=other_mentor)
    cohort = cohorts.create_cohort("Mixed")
    cohorts.add_member(cohort.id, mine.id)
    cohorts.add_member(cohort.id, theirs.id)
    now = datetime.now(UTC)
    s = book(
        client,
        mentor,
        (now - timedelta(minutes=5)).isoformat(),
        (now + timedelta(hours=1)).isoformat(),
        cohort_id=cohort.id,
    )
    url = f"/api/v1/schedules/{s['id']}/attendance"

    # the session's mentor marks only their own student; the other student marks themselves
    res = client.post(url, json={"student_id": theirs.id, "status": "absent"}, headers=auth_for(mentor))
    assert res.status_code == 404
    assert (
        client.post(url, json={"student_id": mine.id, "status": "present"}, headers=auth_for(mentor)).status_code == 200
    )
    assert client.post(url, json={"status": "late"}, headers=auth_for(theirs)).status_code == 200

    def attendance(user):
        body = client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(user)).get_json()["schedule"]
        return [(a["student_id"], a["status"]) for a in body["attendance"]]

    def audited(user):
        log = client.get(f"/api/v1/audit-logs/schedule/{s['id']}", headers=auth_for(user)).get_json()["items"]
        return [a["new_value"]["student_id"] for a in log if a["action"] == "attendance"]

    assert attendance(mentor) == [(mine.id, "present")] and audited(mentor) == [mine.id]
    assert attendance(mine) == [(mine.id, "present")] and audited(mine) == [mine.id]
    assert attendance(theirs) == [(theirs.id, "late")] and audited(theirs) == [theirs.id]
    events = db.session.query(OutboxEvent).filter_by(event="schedule:assigned").all()
    assert all(e.payload["schedule"]["attendance"] == [] for e in events)


def test_time_zones_and_dates_out_of_range_are_422_not_500(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    h = auth_for(mentor)
    for query in ("tz=America", "tz=Etc", "tz=../../etc/passwd", "date=9999-12-31", "date=0001-01-01&tz=Asia/Tokyo"):
        res = client.get(f"/api/v1/schedules?{query}", headers=h)
        assert res.status_code == 422, (query, res.get_json())
    assert client.get("/api/v1/mentor/metrics?tz=Europe", headers=h).status_code == 422
    for start, end in (
        ("9999-12-31T23:00:00-05:00", "9999-12-31T23:30:00-05:00"),
        ("0001-01-01T00:30:00+01:00", at(1)),
    ):
        res = client.post("/api/v1/schedules", json={"title": "x", "start_time": start, "end_time": end}, headers=h)
        assert res.status_code == 422 and "start_time" in res.get_json()["error"]["details"]
    res = client.post(
        "/api/v1/tasks", json={"student_id": student.id, "title": "x", "due_at": "9999-12-31T23:59:59-05:00"}, headers=h
    )
    assert res.status_code == 422 and "due_at" in res.get_json()["error"]["details"]
