"""Join cohort: admins open cohorts or give them a code; students list what they may join and join."""

from app.extensions import db
from app.models import CohortMember, DashboardUpdateQueue
from app.services.identity import cohorts
from tests.helpers import auth_for, make_user


def test_admins_create_open_and_coded_cohorts(client):
    admin, student = make_user("admin"), make_user()
    res = client.post("/api/v1/admin/cohorts", json={"name": "Open", "open": True}, headers=auth_for(admin))
    assert res.status_code == 201
    assert res.get_json()["cohort"] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "name": "Open",
        "open": True,
        "join_code": None,
        "created_at": "",
    }
    coded = client.post(
        "/api/v1/admin/cohorts", json={"name": "Coded", "join_code": "PULSE-42"}, headers=auth_for(admin)
    )
    assert coded.status_code == 201 and coded.get_json()["cohort"]["join_code"] == "PULSE-42"
    cid = coded.get_json()["cohort"]["id"]
    res = client.patch(f"/api/v1/admin/cohorts/{cid}", json={"join_code": None, "open": True}, headers=auth_for(admin))
    assert res.status_code == 200 and res.get_json()["cohort"] | {"created_at": ""} == {
        "id": cid,
        "name": "Coded",
        "open": True,
        "join_code": None,
        "created_at": "",
    }
    assert (
        client.patch(f"/api/v1/admin/cohorts/{cid}", json={"open": True}, headers=auth_for(student)).status_code == 403
    )
    assert client.patch("/api/v1/admin/cohorts/999", json={"open": True}, headers=auth_for(admin)).status_code == 404
    bad = client.post("/api/v1/admin/cohorts", json={"name": "X", "join_code": "ab"}, headers=auth_for(admin))
    assert bad.status_code == 422 and "join_code" in bad.get_json()["error"]["details"]
    # Renaming to another cohort's name is a 409, not a unique-constraint 500; its own name is fine.
    taken = client.patch(f"/api/v1/admin/cohorts/{cid}", json={"name": " Open "}, headers=auth_for(admin))
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "cohort_exists"
    same = client.patch(f"/api/v1/admin/cohorts/{cid}", json={"name": "Coded"}, headers=auth_for(admin))
    assert same.status_code == 200


def test_joinable_lists_open_and_coded_cohorts_without_the_code(client):
    student, mentor = make_user(), make_user("mentor")
    opened = cohorts.create_cohort("Aurora", is_open=True)
    coded = cohorts.create_cohort("Borealis", join_code="SECRET-1")
    cohorts.create_cohort("Closed")
    mine = cohorts.create_cohort("Mine", is_open=True)
    cohorts.add_member(mine.id, student.id)
    items = client.get("/api/v1/cohorts?joinable=true", headers=auth_for(student)).get_json()["items"]
    assert [(c["id"], c["open"], c["requires_code"]) for c in items] == [
        (opened.id, True, False),
        (coded.id, False, True),
    ]
    assert all("join_code" not in c for c in items)
    own = client.get("/api/v1/cohorts", headers=auth_for(student)).get_json()["items"]
    assert [c["id"] for c in own] == [mine.id]
    assert client.get("/api/v1/cohorts?joinable=true", headers=auth_for(mentor)).get_json()["items"] == []
    assert client.get("/api/v1/cohorts?joinable=maybe", headers=auth_for(student)).status_code == 422
    assert client.get("/api/v1/cohorts?joinable=true").status_code == 401


def test_joining(client):
    student, mentor = make_user(), make_user("mentor")
    opened = cohorts.create_cohort("Aurora", is_open=True)
    coded = cohorts.create_cohort("Borealis", join_code="SECRET-1")
    closed = cohorts.create_cohort("Closed")

    def join(cohort_id, body=None, user=student):
        return client.post(f"/api/v1/cohorts/{cohort_id}/join", json=body or {}, headers=auth_for(user))

    res = join(opened.id)
    assert res.status_code == 201 and res.get_json()["cohort"]["id"] == opened.id
    assert join(opened.id).status_code == 409
    missing = join(coded.id)
    assert missing.status_code == 422 and "code" in missing.get_json()["error"]["details"]
    wrong = join(coded.id, {"code": "guess"})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "join_code_invalid"
    assert join(coded.id, {"code": "SECRET-1"}).status_code == 201
    assert join(closed.id).status_code == 404 and join(999).status_code == 404
    assert join(opened.id, user=mentor).status_code == 403
    assert join(opened.id, {"surprise": 1}).status_code == 422
    members = {(m.cohort_id, m.user_id) for m in db.session.query(CohortMember)}
    assert members == {(opened.id, student.id), (coded.id, student.id)}
    assert db.session.query(DashboardUpdateQueue).filter_by(student_id=student.id).one().reason == "cohort:joined"


def test_join_attempts_are_rate_limited(make_app):
    student = make_user()
    coded = cohorts.create_cohort("Borealis", join_code="SECRET-1")
    limited = make_app(COHORT_JOIN_RATE_LIMIT="2 per minute").test_client()
    codes = [
        limited.post(f"/api/v1/cohorts/{coded.id}/join", json={"code": f"g{i}"}, headers=auth_for(student)).status_code
        for i in range(3)
    ]
    assert codes == [403, 403, 429]


def test_admins_remove_members(client):
    admin, student = make_user("admin"), make_user()
    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, student.id)
    url = f"/api/v1/admin/cohorts/{cohort.id}/members/{student.id}"
    assert client.delete(url, headers=auth_for(student)).status_code == 403
    assert client.delete(url, headers=auth_for(admin)).status_code == 204
    assert client.delete(url, headers=auth_for(admin)).status_code == 404
    assert db.session.query(CohortMember).count() == 0
