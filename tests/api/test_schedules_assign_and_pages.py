"""Sessions assigned after booking (PUT student_id / cohort_id), and the list paged newest first."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Notification, OutboxEvent
from app.services.identity import cohorts
from tests.helpers import auth_for, book_session, make_user

BASE = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_booked_session_is_assigned_to_a_student_then_a_cohort(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    student, stranger = make_user(mentor=mentor), make_user(mentor=other_mentor)
    s = book_session(client, mentor, BASE, title="Open slot")
    url = f"/api/v1/schedules/{s['id']}"
    h = auth_for(mentor)

    assert client.put(url, json={"student_id": stranger.id}, headers=h).status_code == 404
    res = client.put(url, json={"student_id": student.id}, headers=h)
    assert res.status_code == 200 and res.get_json()["schedule"]["student_id"] == student.id
    assigned = db.session.query(OutboxEvent).filter_by(event="schedule:assigned").one()
    assert assigned.room == f"student:{student.id}" and assigned.payload["schedule"]["id"] == s["id"]
    assert [n.type for n in db.session.query(Notification).filter_by(user_id=student.id)] == ["schedule_assigned"]
    assert client.get(url, headers=auth_for(student)).status_code == 200

    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, student.id)
    empty = cohorts.create_cohort("Nobody of mine")
    assert client.put(url, json={"cohort_id": empty.id, "student_id": None}, headers=h).status_code == 404
    res = client.put(url, json={"cohort_id": cohort.id, "student_id": None}, headers=h)
    body = res.get_json()["schedule"]
    assert res.status_code == 200 and (body["cohort_id"], body["student_id"], body["is_group"]) == (
        cohort.id,
        None,
        True,
    )
    rooms = [
        e.room for e in db.session.query(OutboxEvent).filter_by(event="schedule:assigned").order_by(OutboxEvent.id)
    ]
    assert rooms == [f"student:{student.id}", f"cohort:{cohort.id}"]

    both = client.put(url, json={"cohort_id": cohort.id, "student_id": student.id}, headers=h)
    assert both.status_code == 422
    assert client.put(url, json={"student_id": student.id}, headers=auth_for(other_mentor)).status_code == 404


def test_assigning_checks_overlaps_again(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    book_session(client, mentor, BASE, title="Taken", student_id=student.id)
    # a canceled session can be re-assigned freely; a live one may not sit on another
    s = book_session(client, mentor, BASE + timedelta(hours=2), title="Later")
    client.patch(f"/api/v1/schedules/{s['id']}/status", json={"status": "canceled"}, headers=auth_for(mentor))
    res = client.put(
        f"/api/v1/schedules/{s['id']}",
        json={
            "student_id": student.id,
            "start_time": BASE.isoformat(),
            "end_time": (BASE + timedelta(hours=1)).isoformat(),
        },
        headers=auth_for(mentor),
    )
    assert res.status_code == 200
    client.patch(f"/api/v1/schedules/{s['id']}/status", json={"status": "scheduled"}, headers=auth_for(mentor))
    db.session.expire_all()
    reopened = client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(mentor)).get_json()["schedule"]
    assert reopened["status"] == "canceled"  # reopening would overlap: 409, still canceled


def test_the_list_is_newest_first_with_dates_and_before_id(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    ids = [book_session(client, mentor, BASE + timedelta(days=d), student_id=student.id)["id"] for d in range(5)]
    h = auth_for(student)

    def page(query=""):
        return client.get(f"/api/v1/schedules{query}", headers=h).get_json()

    assert [s["id"] for s in page()["items"]] == ids[::-1]
    first = page("?limit=2")
    assert [s["id"] for s in first["items"]] == [ids[4], ids[3]] and first["next_before_id"] == ids[3]
    second = page(f"?limit=2&before_id={first['next_before_id']}")
    assert [s["id"] for s in second["items"]] == [ids[2], ids[1]]
    last = page(f"?limit=2&before_id={second['next_before_id']}")
    assert [s["id"] for s in last["items"]] == [ids[0]] and last["next_before_id"] is None
    # ?from= and ?to= are whole days (in ?tz=), both included
    assert [s["id"] for s in page("?from=2026-12-02&to=2026-12-03")["items"]] == [ids[2], ids[1]]
    assert [s["id"] for s in page("?from=2026-12-04")["items"]] == [ids[4], ids[3]]
    # 09:00 UTC on Dec 1 is still Nov 30 in Honolulu
    honolulu = page("?to=2026-11-30&tz=Pacific/Honolulu")["items"]
    assert [s["id"] for s in honolulu] == [ids[0]]
    moment = page("?from=2026-12-03T09:00:00Z")["items"]
    assert [s["id"] for s in moment] == [ids[4], ids[3], ids[2]]
    assert client.get("/api/v1/schedules?from=yesterday", headers=h).status_code == 422
    # the day view is unchanged: that day, by start, hour by hour
    day = page("?date=2026-12-02&tz=UTC")
    assert [s["id"] for s in day["items"]] == [ids[1]] and len(day["day"]["hours"]) == 24
