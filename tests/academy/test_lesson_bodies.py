"""Lesson bodies are the paid content: only the course's editors, admins and students with an
active enrolment read them; anyone else signed in sees the outline (titles, no bodies)."""

from tests.academy.helpers import enrol, make_course
from tests.helpers import auth_for, make_user


def _lessons(client, user, course_id):
    res = client.get(f"/api/v1/courses/{course_id}", headers=auth_for(user))
    assert res.status_code == 200, res.get_json()
    return [lesson for module in res.get_json()["course"]["modules"] for lesson in module["lessons"]]


def test_lesson_bodies_only_for_editors_admins_and_active_students(client):
    owner, other, admin = make_user("educator"), make_user("educator"), make_user("admin")
    outsider, pending, active, ended, mentor = make_user(), make_user(), make_user(), make_user(), make_user("mentor")
    course, _lessons_ids, _module = make_course(client, owner, price="20.00", title="Paid")
    enrol(client, pending, course["id"])  # pending_payment: not paid yet
    free, _ids, _m = make_course(client, owner, title="Free")
    enrol(client, active, free["id"])
    left = enrol(client, ended, free["id"])
    assert client.post(f"/api/v1/enrolments/{left['id']}/end", headers=auth_for(ended)).status_code == 200

    for user in (owner, admin):
        assert [lesson["body"] for lesson in _lessons(client, user, course["id"])] == ["Read this."] * 2
    assert [lesson["body"] for lesson in _lessons(client, active, free["id"])] == ["Read this."] * 2
    for user, course_id in (
        (outsider, course["id"]),
        (pending, course["id"]),
        (other, course["id"]),
        (mentor, course["id"]),
        (outsider, free["id"]),
        (ended, free["id"]),
        (active, course["id"]),  # enrolled elsewhere only
    ):
        lessons = _lessons(client, user, course_id)
        assert [lesson["title"] for lesson in lessons] == ["Lesson 1", "Lesson 2"]
        assert all("body" not in lesson for lesson in lessons), (user.id, course_id)
