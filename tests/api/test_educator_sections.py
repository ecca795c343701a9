"""Sections, enrolments, exams, grades and attendance: who may, all-or-nothing uploads, bad input."""

from app.services.identity import cohorts
from app.services.performance import teaching
from tests.educator_fixture import days_ago, enrol, exam, post, put, section
from tests.helpers import auth_for, make_user


def routes(section_id, exam_id, student_id):
    today = days_ago(0).isoformat()
    mark = [{"student_id": student_id, "status": "present"}]
    new_exam = {"section_id": section_id, "subject": "algebra", "name": "Q", "date": today, "total_marks": 10}
    return [
        ("get", "/educator/sections", None),
        ("post", "/educator/sections", {"name": "X", "subjects": ["a"]}),
        ("get", f"/educator/sections/{section_id}", None),
        ("patch", f"/educator/sections/{section_id}", {"name": "Y"}),
        ("post", f"/educator/sections/{section_id}/students", {"student_id": student_id}),
        ("delete", f"/educator/sections/{section_id}/students/{student_id}", None),
        ("put", f"/educator/sections/{section_id}/attendance?date={today}", mark),
        ("get", f"/educator/sections/{section_id}/attendance?date={today}", None),
        ("get", "/educator/exams", None),
        ("post", "/educator/exams", new_exam),
        ("get", f"/educator/exams/{exam_id}", None),
        ("patch", f"/educator/exams/{exam_id}", {"name": "Z"}),
        ("get", f"/educator/exams/{exam_id}/grades", None),
        ("put", f"/educator/exams/{exam_id}/grades", [{"student_id": student_id, "score": 5}]),
        ("delete", f"/educator/exams/{exam_id}", None),
        ("get", "/performance/overview", None),
        ("get", "/performance/sections", None),
        ("get", f"/performance/sections/{section_id}", None),
        ("get", "/performance/subjects", None),
        ("get", f"/performance/students/{student_id}", None),
        ("get", f"/performance/trends?section_id={section_id}", None),
        ("get", "/performance/export?format=csv", None),
        ("get", "/performance/exports/1", None),
    ]  # fmt: skip


def call(client, user, method, path, body):
    headers = auth_for(user) if user is not None else {}
    return getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)


def test_only_the_sections_educator_or_an_admin_may_touch_it(client):
    owner, other = make_user("educator"), make_user("educator")
    student = make_user()
    math = section(client, owner)
    enrol(client, owner, math["id"], student)
    test = exam(client, owner, math["id"], "algebra", 10, 1)
    lists = {"/educator/sections", "/educator/exams", "/performance/overview", "/performance/sections"}
    lists |= {"/performance/subjects", "/performance/export?format=csv"}
    for method, path, body in routes(math["id"], test["id"], student.id):
        for role in ("mentor", "student"):
            res = call(client, make_user(role), method, path, body)
            assert res.status_code == 403, (role, method, path, res.get_json())
        assert call(client, None, method, path, body).status_code == 401, path
        res = call(client, other, method, path, body)
        if method == "get" and path in lists:
            assert res.status_code == 200, (path, res.get_json())
            items = (res.get_json().get("items") if res.is_json else None) or []
            if not res.is_json:  # the CSV export: a header line only
                assert res.get_data(as_text=True).count("\n") == 1, res.get_data(as_text=True)
            # nothing of the owner's (the other educator's own new section may be listed)
            assert not [i for i in items if math["id"] in (i.get("section_id"), i.get("id"))], (path, items)
            if res.is_json and "total_students" in res.get_json():
                assert res.get_json()["total_students"] == 0
        elif method == "post" and path == "/educator/sections":
            assert res.status_code == 201  # their own new section
        else:
            assert res.status_code == 404, (method, path, res.get_json())
    # the owner's data is untouched by all of that
    assert (
        client.get(f"/api/v1/educator/exams/{test['id']}", headers=auth_for(owner)).get_json()["exam"]["name"]
        == (test["name"])
    )
    assert client.get("/api/v1/educator/sections", headers=auth_for(make_user("admin"))).status_code == 200


def test_sections_crud_enrolment_and_cohort(client):
    educator = make_user("educator")
    a, b = make_user(), make_user()
    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, a.id)
    teaching.assign(educator.id, cohort.id)
    created = section(client, educator, name="Physics", subjects=["mechanics", " mechanics ", "optics"], term="2026A",
                      cohort_id=cohort.id)  # fmt: skip
    assert created["subjects"] == ["mechanics", "optics"] and created["term"] == "2026A"
    assert [s["student_id"] for s in created["students"]] == [a.id]  # the cohort's member
    enrolment = enrol(client, educator, created["id"], b)
    assert enrolment["left_at"] is None and enrolment["enrolled_at"].endswith("Z")
    assert post(client, educator, f"/educator/sections/{created['id']}/students", {"student_id": b.id}, 409)
    res = client.delete(f"/api/v1/educator/sections/{created['id']}/students/{b.id}", headers=auth_for(educator))
    assert res.status_code == 204
    got = client.get(f"/api/v1/educator/sections/{created['id']}", headers=auth_for(educator)).get_json()["section"]
    assert [s["student_id"] for s in got["students"]] == [a.id]
    res = client.patch(
        f"/api/v1/educator/sections/{created['id']}", json={"name": "Physics 2"}, headers=auth_for(educator)
    )
    assert res.get_json()["section"]["name"] == "Physics 2"
    listed = client.get("/api/v1/educator/sections?term=2026A", headers=auth_for(educator)).get_json()["items"]
    assert [s["id"] for s in listed] == [created["id"]]
    # an admin names the educator
    admin = make_user("admin")
    assert post(client, admin, "/educator/sections", {"name": "A", "subjects": ["x"]}, 422)["error"]["details"][
        "educator_id"
    ]
    assert post(client, admin, "/educator/sections", {"name": "A", "subjects": ["x"], "educator_id": educator.id})


def test_bulk_grades_with_one_bad_row_change_nothing_and_list_every_bad_row(client):
    educator = make_user("educator")
    a, b, stranger = make_user(), make_user(), make_user()
    math = section(client, educator)
    enrol(client, educator, math["id"], a)
    enrol(client, educator, math["id"], b)
    test = exam(client, educator, math["id"], "algebra", 50, 1)
    path = f"/educator/exams/{test['id']}/grades"
    put(client, educator, path, [{"student_id": a.id, "score": 40}])
    rows = [
        {"student_id": a.id, "score": 45},  # fine on its own
        {"student_id": b.id, "score": 51},  # above total marks
        {"student_id": stranger.id, "score": 10},  # not enrolled
        {"student_id": "x", "score": "abc"},
        {"student_id": a.id, "score": 1},  # a second row for the same student
        "not an object",
    ]
    res = put(client, educator, path, rows, 422)
    bad = res["error"]["details"]["rows"]
    assert set(bad) == {"2", "3", "4", "5", "6"}
    assert bad["2"] == {"score": ["Must be between 0 and 50."]}
    assert "not enrolled" in bad["3"]["student_id"][0]
    assert set(bad["4"]) == {"student_id", "score"}
    assert "more than once" in bad["5"]["student_id"][0]
    grades = client.get(f"/api/v1{path}", headers=auth_for(educator)).get_json()["grades"]
    assert [(g["student_id"], g["score"]) for g in grades] == [(a.id, 40.0)]  # nothing saved

    # CSV: the same rule; line numbers count the header
    csv_body = f"student_id,score\n{a.id},45\n{b.id},-1\n"
    res = client.put(f"/api/v1{path}", data=csv_body, content_type="text/csv", headers=auth_for(educator))
    assert res.status_code == 422 and set(res.get_json()["error"]["details"]["rows"]) == {"3"}
    res = client.put(
        f"/api/v1{path}", data=f"{a.id},45\n{b.id},30.5\n", content_type="text/csv", headers=auth_for(educator)
    )
    assert res.status_code == 200, res.get_json()
    saved = {g["student_id"]: g for g in res.get_json()["grades"]}
    assert saved[b.id]["score"] == 30.5 and saved[b.id]["percentage"] == 61.0
    assert [(h["old_score"], h["new_score"]) for h in saved[a.id]["history"]] == [(None, 40.0), (40.0, 45.0)]
    # other content types are still refused
    res = client.put(f"/api/v1{path}", data="a=1", content_type="text/plain", headers=auth_for(educator))
    assert res.status_code == 415
    assert put(client, educator, path, [], 422)["error"]["code"] == "empty_upload"
    assert put(client, educator, path, {"nope": 1}, 422)["error"]["details"]["_schema"]
    res = client.put(f"/api/v1{path}", data="{bad json", content_type="application/json", headers=auth_for(educator))
    assert res.status_code == 400


def test_attendance_day_is_all_or_nothing(client):
    educator = make_user("educator")
    a, b = make_user(), make_user()
    math = section(client, educator)
    enrol(client, educator, math["id"], a)
    enrol(client, educator, math["id"], b)
    path = f"/educator/sections/{math['id']}/attendance?date={days_ago(1)}"
    res = put(
        client,
        educator,
        path,
        [{"student_id": a.id, "status": "present"}, {"student_id": b.id, "status": "asleep"}],
        422,
    )
    assert set(res["error"]["details"]["rows"]) == {"2"}
    assert client.get(f"/api/v1{path}", headers=auth_for(educator)).get_json()["attendance"] == []
    done = put(client, educator, path, [{"student_id": a.id, "status": "present", "remarks": "on time"},
                                         {"student_id": b.id, "status": "excused"}])["attendance"]  # fmt: skip
    assert [(x["student_id"], x["status"], x["date"]) for x in done] == [
        (a.id, "present", days_ago(1).isoformat()),
        (b.id, "excused", days_ago(1).isoformat()),
    ]
    # the same day again replaces the marks
    again = put(client, educator, path, [{"student_id": a.id, "status": "late"}])["attendance"]
    assert again[0]["status"] == "late"
    tomorrow = f"/educator/sections/{math['id']}/attendance?date={days_ago(-1)}"
    assert put(client, educator, tomorrow, [{"student_id": a.id, "status": "present"}], 422)["error"]["details"]["date"]
    no_date = f"/educator/sections/{math['id']}/attendance"
    assert put(client, educator, no_date, [{"student_id": a.id, "status": "present"}], 422)["error"]["details"]["date"]
    bad_date = f"/educator/sections/{math['id']}/attendance?date=2026-13-45"
    assert put(client, educator, bad_date, [], 422)["error"]["details"]["date"]


def test_exams_bad_input_is_422_with_field_details(client):
    educator = make_user("educator")
    math = section(client, educator)
    student = make_user()
    enrol(client, educator, math["id"], student)
    base = {"section_id": math["id"], "subject": "algebra", "name": "Q1", "date": "2026-11-01", "total_marks": 20}
    for field, value in (("total_marks", 0), ("total_marks", "many"), ("date", "yesterday"), ("subject", "art"),
                         ("name", ""), ("published", "maybe")):  # fmt: skip
        res = post(client, educator, "/educator/exams", base | {field: value}, 422)
        assert field in res["error"]["details"], (field, res)
    assert post(client, educator, "/educator/exams", base | {"extra": 1}, 422)["error"]["details"]["extra"]
    assert post(client, educator, "/educator/exams", base | {"section_id": 99999}, 404)
    created = post(client, educator, "/educator/exams", base)["exam"]
    assert created["published"] is False and created["date"] == "2026-11-01"
    put(client, educator, f"/educator/exams/{created['id']}/grades", [{"student_id": student.id, "score": 18}])
    res = client.patch(f"/api/v1/educator/exams/{created['id']}", json={"total_marks": 10}, headers=auth_for(educator))
    assert res.status_code == 422 and res.get_json()["error"]["details"]["total_marks"]
    res = client.patch(f"/api/v1/educator/exams/{created['id']}", json={"published": True}, headers=auth_for(educator))
    assert res.status_code == 200 and res.get_json()["exam"]["published"] is True
    listed = client.get(f"/api/v1/educator/exams?section_id={math['id']}&published=true", headers=auth_for(educator))
    assert [e["id"] for e in listed.get_json()["items"]] == [created["id"]]
    assert post(client, educator, "/educator/sections", {"name": "", "subjects": []}, 422)["error"][
        "details"
    ].keys() == {
        "name",
        "subjects",
    }
    res = client.delete(f"/api/v1/educator/exams/{created['id']}", headers=auth_for(educator))
    assert res.status_code == 204
    assert client.get(f"/api/v1/educator/exams/{created['id']}", headers=auth_for(educator)).status_code == 404
