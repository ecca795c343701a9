"""A certificate prints the student's legal name, fixed at the first enrolment or by an admin,
never the display name they choose (issue 24, item 12)."""

from sqlalchemy import select

from app.extensions import db
from app.models import Certificate, User
from app.services.academy import certificates
from tests.academy.helpers import complete, make_course
from tests.helpers import auth_for, make_user


def _enrol(client, student, course_id, body=None, expect=201):
    res = client.post(f"/api/v1/courses/{course_id}/enrol", json=body, headers=auth_for(student))
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def _finish(client, student, course, lessons, enrolment_id):
    """Complete every lesson and issue the certificate (the job's service, in process)."""
    for lesson in lessons:
        complete(client, student, course["id"], lesson)
    certificate, _created = certificates.issue(enrolment_id)
    return client.get(f"/api/v1/certificates/verify/{certificate.code}").get_json()["certificate"]


def _rename(client, user, name):
    res = client.patch("/api/v1/auth/me", json={"name": name}, headers=auth_for(user))
    assert res.status_code == 200, res.get_json()


def test_the_certificate_shows_the_legal_name_given_at_enrolment_not_the_display_name(client):
    educator = make_user("educator")
    student = make_user(name="Ada L.")
    course, lessons, _ = make_course(client, educator, title="Engines")
    enrolment = _enrol(client, student, course["id"], {"legal_name": "  Ada Lovelace "})["enrolment"]
    _rename(client, student, "Charles Babbage")  # the display name is the student's to choose

    shown = _finish(client, student, course, lessons, enrolment["id"])
    assert shown["name"] == "Ada Lovelace"
    stored = db.session.scalar(select(Certificate).where(Certificate.student_id == student.id))
    assert stored.student_name == "Ada Lovelace"

    # Fixed: the student cannot send another one, nor change it through their profile.
    other, _lessons, _ = make_course(client, educator, title="Looms")
    refused = _enrol(client, student, other["id"], {"legal_name": "Charles Babbage"}, expect=409)
    assert refused["error"]["code"] == "legal_name_fixed"
    assert _enrol(client, student, other["id"], {"legal_name": "Ada Lovelace"})["enrolment"]["status"] == "active"
    patched = client.patch("/api/v1/auth/me", json={"legal_name": "Charles Babbage"}, headers=auth_for(student))
    assert patched.status_code == 422
    assert db.session.get(User, student.id).legal_name == "Ada Lovelace"


def test_without_one_the_display_name_at_enrolment_is_fixed(client):
    educator = make_user("educator")
    student = make_user(name="Bea Real")
    course, lessons, _ = make_course(client, educator)
    enrolment = _enrol(client, student, course["id"])["enrolment"]  # no body, as before
    _rename(client, student, "Famous Person")
    assert _finish(client, student, course, lessons, enrolment["id"])["name"] == "Bea Real"


def test_admins_set_the_legal_name_and_issued_certificates_keep_theirs(client):
    educator, admin = make_user("educator"), make_user("admin")
    student = make_user(name="Cy Typo")
    first, first_lessons, _ = make_course(client, educator, title="One")
    enrolment = _enrol(client, student, first["id"])["enrolment"]
    code_shown = _finish(client, student, first, first_lessons, enrolment["id"])
    assert code_shown["name"] == "Cy Typo"

    path = f"/api/v1/admin/users/{student.id}/legal-name"
    assert client.put(path, json={"legal_name": "Cyrus Tyler"}).status_code == 401
    assert client.put(path, json={"legal_name": "Me"}, headers=auth_for(student)).status_code == 403
    assert client.put(path, json={"legal_name": ""}, headers=auth_for(admin)).status_code == 422
    assert client.put(path, json={}, headers=auth_for(admin)).status_code == 422
    missing = client.put("/api/v1/admin/users/999999/legal-name", json={"legal_name": "X"}, headers=auth_for(admin))
    assert missing.status_code == 404
    res = client.put(path, json={"legal_name": "Cyrus Tyler"}, headers=auth_for(admin))
    assert res.status_code == 200 and res.get_json()["user"]["legal_name"] == "Cyrus Tyler"

    second, second_lessons, _ = make_course(client, educator, title="Two")
    enrolment = _enrol(client, student, second["id"], {"legal_name": "Cyrus Tyler"})["enrolment"]
    assert _finish(client, student, second, second_lessons, enrolment["id"])["name"] == "Cyrus Tyler"
    old = db.session.scalar(select(Certificate).where(Certificate.course_id == first["id"]))
    assert client.get(f"/api/v1/certificates/verify/{old.code}").get_json()["certificate"]["name"] == "Cy Typo"
