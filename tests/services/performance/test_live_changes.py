"""What the educator's and the admins' live events say changed, read off the real Redis
channel the web processes deliver from (the recompute and the trailing job run in-process,
so the test drives them instead of waiting for a worker)."""

import json

import pytest

from app.extensions import db
from app.models import utcnow
from app.services.performance import changes, live, recompute
from app.services.shared import cache
from tests.educator_fixture import attendance, days_ago, enrol, exam, grade, section
from tests.helpers import auth_for, make_user


@pytest.fixture
def channel(app, redis_conn):
    listener = redis_conn.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(app.config["SOCKETIO_CHANNEL"])
    listener.get_message(timeout=1)

    def heard():
        out = []
        while (message := listener.get_message(timeout=0.3)) is not None:
            packet = json.loads(message["data"])
            out.append((packet["event"], packet["room"], packet["data"][0]))
        return out

    yield heard
    listener.close()


def run(section_id):
    """The recompute job's work, then a fresh interval (as if 2 s had passed) for the next."""
    result = recompute.recompute_section(section_id, now=utcnow(), summaries_now=True)
    cache.delete(cache.performance_throttle_key(section_id))
    return result


def to(room, events):
    return [(event, data) for event, r, data in events if r == room]


def test_each_event_says_what_changed(client, channel):
    educator = make_user("educator")
    noor, omar = make_user(name="Noor Novak"), make_user(name="Omar")
    math = section(client, educator, name="Math", subjects=["algebra"])
    room = f"educator:{educator.id}"
    enrol(client, educator, math["id"], noor)
    run(math["id"])
    ((event, data),) = to(room, channel())
    assert event == "roster:updated" and data["section"]["students"] == 1
    assert data["overview"]["total_students"] == 1
    assert data["change"] == {
        "type": "roster", "action": "enrolled", "student_id": noor.id, "student_name": "Noor Novak",
    }  # fmt: skip

    quiz = exam(client, educator, math["id"], "algebra", 50, 1, name="Algebra quiz 2")
    run(math["id"])
    ((event, data),) = to(room, channel())
    assert event == "exam:created" and data["changes"] == ["exam:created"]
    assert data["change"] == {
        "type": "exam", "exam_id": quiz["id"], "name": "Algebra quiz 2", "subject": "algebra",
        "date": quiz["date"], "total_marks": 50, "published": True, "section_id": math["id"], "section_name": "Math",
    }  # fmt: skip

    grade(client, educator, quiz["id"], [(noor.id, 42)])
    run(math["id"])
    ((event, data),) = to(room, channel())
    assert event == "grade:updated" and data["section"]["average"] == 84.0  # the figures stay
    assert data["change"] == {
        "type": "grade", "student_id": noor.id, "student_name": "Noor Novak", "exam_id": quiz["id"],
        "exam_name": "Algebra quiz 2", "subject": "algebra", "score": 42, "total_marks": 50, "percentage": 84.0,
    }  # fmt: skip
    assert data["change_log"] == [data["change"]] and data["changes_dropped"] == 0

    # attendance: the student's new attendance % in the section (1 of 2 days)
    attendance(client, educator, math["id"], 2, [(noor.id, "present")])
    run(math["id"])
    channel()
    attendance(client, educator, math["id"], 1, [(noor.id, "absent")])
    run(math["id"])
    ((event, data),) = to(room, channel())
    assert event == "attendance:updated"
    assert data["change"] == {
        "type": "attendance", "student_id": noor.id, "student_name": "Noor Novak",
        "date": days_ago(1).isoformat(), "status": "absent", "attendance_percentage": 50.0,
    }  # fmt: skip

    # the roster shrinks: the new total students travels with the event
    enrol(client, educator, math["id"], omar)
    run(math["id"])
    channel()
    res = client.delete(f"/api/v1/educator/sections/{math['id']}/students/{omar.id}", headers=auth_for(educator))
    assert res.status_code in (200, 204)
    run(math["id"])
    ((event, data),) = to(room, channel())
    assert event == "roster:updated" and data["section"]["students"] == 1 and data["overview"]["total_students"] == 1
    assert data["change"]["action"] == "left" and data["change"]["student_id"] == omar.id


def test_a_coalesced_event_carries_every_change_up_to_the_bound(client, channel):
    educator = make_user("educator")
    students = [make_user(name=f"S{i}") for i in range(changes.LIMIT + 5)]
    math = section(client, educator, name="Math", subjects=["algebra"])
    for s in students:
        enrol(client, educator, math["id"], s)
    quiz = exam(client, educator, math["id"], "algebra", 100, 1)
    run(math["id"])
    channel()

    # first write: sent at once and claims the interval; two more inside it fold into the trailing event
    grade(client, educator, quiz["id"], [(students[0].id, 10)])
    recompute.recompute_section(math["id"], now=utcnow())
    grade(client, educator, quiz["id"], [(students[1].id, 20)])
    recompute.recompute_section(math["id"], now=utcnow())
    attendance(client, educator, math["id"], 1, [(students[1].id, "late")])
    recompute.recompute_section(math["id"], now=utcnow())
    first, *rest = to(f"educator:{educator.id}", channel())
    assert first[1]["change"]["student_id"] == students[0].id and rest == []
    live.send_trailing(math["id"])  # the trailing job
    ((event, data),) = to(f"educator:{educator.id}", channel())
    assert event == "attendance:updated" and data["changes"] == ["grade:updated", "attendance:updated"]
    assert [(c["type"], c["student_id"]) for c in data["change_log"]] == [
        ("grade", students[1].id),
        ("attendance", students[1].id),
    ]
    assert data["change"]["status"] == "late" and data["changes_dropped"] == 0

    # one upload past the bound: the first LIMIT changes, and a count of the rest
    cache.delete(cache.performance_throttle_key(math["id"]))
    grade(client, educator, quiz["id"], [(s.id, 50) for s in students])
    run(math["id"])
    ((event, data),) = to(f"educator:{educator.id}", channel())
    assert len(data["change_log"]) == changes.LIMIT and data["changes_dropped"] == 5
    assert data["change"]["score"] == 50


def test_admins_hear_the_platform_overview(client, channel):
    admin, educator, other = make_user("admin"), make_user("educator"), make_user("educator")
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    mine = section(client, educator, name="Math", subjects=["algebra"])
    theirs = section(client, other, name="Art", subjects=["drawing"])
    enrol(client, educator, mine["id"], ana)
    enrol(client, other, theirs["id"], ben)
    run(mine["id"])
    run(theirs["id"])
    # the admin opens the platform's overview (every section): from then on it stays live
    res = client.get("/api/v1/performance/overview", headers=auth_for(admin))
    assert res.status_code == 200 and res.get_json()["total_students"] == 2
    channel()
    quiz = exam(client, educator, mine["id"], "algebra", 10, 1)
    grade(client, educator, quiz["id"], [(ana.id, 9)])
    run(mine["id"])
    events = channel()
    ((event, data),) = to("admins", events)
    assert data["scope"] == "all" and data["overview"]["total_students"] == 2
    assert data["overview"]["overall_average"] == 90.0 and data["section_id"] == mine["id"]
    ((_, own),) = to(f"educator:{educator.id}", events)
    assert own["overview"]["total_students"] == 1  # the educator's own overview, their sections only
    assert to(f"educator:{other.id}", events) == []
    again = client.get("/api/v1/performance/overview", headers=auth_for(admin)).get_json()
    assert again["cached"] is True and again["overall_average"] == data["overview"]["overall_average"]
    db.session.rollback()


def test_a_section_made_from_a_cohort_announces_its_roster(client, channel):
    from app.models import Cohort, CohortMember, EducatorCohort

    educator = make_user("educator")
    cohort = Cohort(name="Aurora")
    db.session.add(cohort)
    db.session.flush()
    members = [make_user(name=n) for n in ("Ana", "Ben")]
    for m in members:
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=m.id))
    db.session.add(EducatorCohort(educator_id=educator.id, cohort_id=cohort.id))  # an admin assigned it
    db.session.commit()
    made = section(client, educator, name="Math", subjects=["algebra"], cohort_id=cohort.id)
    run(made["id"])
    ((event, data),) = to(f"educator:{educator.id}", channel())
    assert event == "roster:updated" and data["section"]["students"] == 2
    assert [(c["action"], c["student_name"]) for c in data["change_log"]] == [("enrolled", "Ana"), ("enrolled", "Ben")]
