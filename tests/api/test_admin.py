"""Admin endpoints: create users of any role, set mentors, cohorts and members."""

from app.extensions import db
from app.models import User
from tests.helpers import auth_for, make_user


def test_admin_creates_users_of_any_role(client):
    admin = make_user("admin")
    for role in ("student", "mentor", "educator", "admin"):
        res = client.post(
            "/api/v1/admin/users",
            json={"email": f"{role}@x.test", "password": "long-enough", "name": role, "role": role},
            headers=auth_for(admin),
        )
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["user"]["role"] == role
    bad = client.post(
        "/api/v1/admin/users",
        json={"email": "x@x.test", "password": "long-enough", "name": "x", "role": "wizard"},
        headers=auth_for(admin),
    )
    assert bad.status_code == 422 and "role" in bad.get_json()["error"]["details"]


def test_non_admins_are_forbidden(client):
    for role in ("student", "mentor", "educator"):
        user = make_user(role)
        res = client.post(
            "/api/v1/admin/users",
            json={"email": "x@x.test", "password": "long-enough", "name": "x", "role": "admin"},
            headers=auth_for(user),
        )
        assert res.status_code == 403
        assert res.get_json()["error"]["code"] == "forbidden"
    assert db.session.query(User).filter_by(email="x@x.test").count() == 0


def test_set_mentor(client):
    admin, mentor, other, student = make_user("admin"), make_user("mentor"), make_user("mentor"), make_user()
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": mentor.id}, headers=auth_for(admin)
    )
    assert res.status_code == 200 and res.get_json()["user"]["mentor_id"] == mentor.id
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": other.id}, headers=auth_for(admin)
    )
    assert res.get_json()["user"]["mentor_id"] == other.id  # one mentor: replaced, not added
    # the mentor must be a mentor, the student a student
    assert (
        client.put(
            f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": student.id}, headers=auth_for(admin)
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/api/v1/admin/students/{mentor.id}/mentor", json={"mentor_id": other.id}, headers=auth_for(admin)
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": "7"}, headers=auth_for(admin)
        ).status_code
        == 422
    )


def test_cohorts_and_members(client):
    admin, student = make_user("admin"), make_user()
    res = client.post("/api/v1/admin/cohorts", json={"name": "Aurora"}, headers=auth_for(admin))
    assert res.status_code == 201
    cohort = res.get_json()["cohort"]
    assert set(cohort) >= {"id", "name"} and cohort["name"] == "Aurora"
    assert client.post("/api/v1/admin/cohorts", json={"name": "Aurora"}, headers=auth_for(admin)).status_code == 409
    add = client.post(
        f"/api/v1/admin/cohorts/{cohort['id']}/members", json={"student_id": student.id}, headers=auth_for(admin)
    )
    assert add.status_code == 201
    again = client.post(
        f"/api/v1/admin/cohorts/{cohort['id']}/members", json={"student_id": student.id}, headers=auth_for(admin)
    )
    assert again.status_code == 409
    assert (
        client.post(
            "/api/v1/admin/cohorts/999/members", json={"student_id": student.id}, headers=auth_for(admin)
        ).status_code
        == 404
    )
    db.session.refresh(student)
    assert student.cohort_ids == [cohort["id"]]


def test_assigning_an_inactive_mentor_is_refused(client):
    from tests.helpers import auth_for, make_user

    admin = make_user("admin")
    student, mentor = make_user(), make_user("mentor", active=False)
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": mentor.id}, headers=auth_for(admin)
    )
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "mentor_inactive"
