"""Who an educator teaches is decided by admins (issue 24, item 1): an educator builds
sections only from cohorts assigned to them and enrols only students of those cohorts."""

from app.services.identity import cohorts
from tests.educator_fixture import post, section
from tests.helpers import auth_for, make_user


def assign(client, admin, educator, cohort, expect=201):
    return post(client, admin, f"/admin/educators/{educator.id}/cohorts", {"cohort_id": cohort.id}, expect)


def test_admins_assign_list_and_take_away_an_educators_cohorts(client):
    admin, educator = make_user("admin"), make_user("educator")
    aurora, borealis = cohorts.create_cohort("Aurora"), cohorts.create_cohort("Borealis")
    path = f"/api/v1/admin/educators/{educator.id}/cohorts"
    assert client.get(path, headers=auth_for(admin)).get_json() == {"items": []}
    assert assign(client, admin, educator, aurora)["cohort"]["id"] == aurora.id
    assert assign(client, admin, educator, aurora)["cohort"]["id"] == aurora.id  # again: no change
    assign(client, admin, educator, borealis)
    listed = client.get(path, headers=auth_for(admin)).get_json()["items"]
    assert [c["id"] for c in listed] == [aurora.id, borealis.id] and listed[0]["name"] == "Aurora"
    assert client.delete(f"{path}/{aurora.id}", headers=auth_for(admin)).status_code == 204
    assert client.delete(f"{path}/{aurora.id}", headers=auth_for(admin)).status_code == 404
    assert [c["id"] for c in client.get(path, headers=auth_for(admin)).get_json()["items"]] == [borealis.id]


def test_only_admins_may_assign_and_bad_ids_are_4xx(client):
    admin, educator = make_user("admin"), make_user("educator")
    aurora = cohorts.create_cohort("Aurora")
    path = f"/api/v1/admin/educators/{educator.id}/cohorts"
    for role in ("educator", "mentor", "student"):
        headers = auth_for(educator if role == "educator" else make_user(role))
        assert client.get(path, headers=headers).status_code == 403
        assert client.post(path, json={"cohort_id": aurora.id}, headers=headers).status_code == 403
        assert client.delete(f"{path}/{aurora.id}", headers=headers).status_code == 403
    assert client.get(path).status_code == 401
    assert client.post(path, json={"cohort_id": aurora.id}).status_code == 401
    mentor = make_user("mentor")
    for bad in (f"/api/v1/admin/educators/{mentor.id}/cohorts", "/api/v1/admin/educators/999999/cohorts"):
        assert client.get(bad, headers=auth_for(admin)).status_code == 404
        assert client.post(bad, json={"cohort_id": aurora.id}, headers=auth_for(admin)).status_code == 404
    res = client.post(path, json={"cohort_id": 999999}, headers=auth_for(admin))
    assert res.status_code == 422 and "cohort_id" in res.get_json()["error"]["details"]
    for body in ({}, {"cohort_id": "1"}, {"cohort_id": 0}, {"cohort_id": 1, "x": 1}):
        assert client.post(path, json=body, headers=auth_for(admin)).status_code == 422, body


def test_an_educator_builds_sections_only_from_assigned_cohorts_and_never_sees_another_roster(client):
    admin, educator = make_user("admin"), make_user("educator")
    mine, theirs = cohorts.create_cohort("Mine"), cohorts.create_cohort("Theirs")
    ana, stranger = make_user(name="Ana"), make_user(name="Stranger", email="stranger@example.test")
    cohorts.add_member(mine.id, ana.id)
    cohorts.add_member(theirs.id, stranger.id)
    body = {"name": "Math", "subjects": ["algebra"], "cohort_id": theirs.id}
    res = client.post("/api/v1/educator/sections", json=body, headers=auth_for(educator))
    assert res.status_code == 422 and "stranger" not in res.get_data(as_text=True).lower()
    assert client.get("/api/v1/educator/sections", headers=auth_for(educator)).get_json()["items"] == []
    assign(client, admin, educator, mine)
    created = section(client, educator, cohort_id=mine.id)
    assert [s["student_id"] for s in created["students"]] == [ana.id]
    # an admin may build a section of any cohort for any educator
    for_them = section(client, admin, cohort_id=theirs.id, educator_id=educator.id)
    assert [s["student_id"] for s in for_them["students"]] == [stranger.id]


def test_an_educator_enrols_only_students_of_assigned_cohorts_an_admin_anyone(client):
    admin, educator = make_user("admin"), make_user("educator")
    mine, theirs = cohorts.create_cohort("Mine"), cohorts.create_cohort("Theirs")
    ana, in_theirs, in_none = make_user(), make_user(), make_user()
    cohorts.add_member(mine.id, ana.id)
    cohorts.add_member(theirs.id, in_theirs.id)
    assign(client, admin, educator, mine)
    math = section(client, educator)
    path = f"/educator/sections/{math['id']}/students"
    for student in (in_theirs, in_none):
        err = post(client, educator, path, {"student_id": student.id}, 422)["error"]
        # the same answer as an id that does not exist: no probing who is where
        assert err["details"] == {"student_id": [f"No active student with id {student.id}."]}
    assert post(client, educator, path, {"student_id": ana.id})["enrolment"]["student_id"] == ana.id
    # an admin may add anyone to any section
    assert post(client, admin, path, {"student_id": in_none.id})["enrolment"]["student_id"] == in_none.id
    # a cohort taken away: no new enrolments from it, those made stay
    assert (
        client.delete(f"/api/v1/admin/educators/{educator.id}/cohorts/{mine.id}", headers=auth_for(admin)).status_code
        == 204
    )
    newcomer = make_user()
    cohorts.add_member(mine.id, newcomer.id)
    post(client, educator, path, {"student_id": newcomer.id}, 422)
    got = client.get(f"/api/v1/educator/sections/{math['id']}", headers=auth_for(educator)).get_json()["section"]
    assert sorted(s["student_id"] for s in got["students"]) == sorted([ana.id, in_none.id])
