"""Course editing rights and bad input everywhere: a 404, 403, 409 or 422, never a 500."""

from tests.academy.helpers import enrol, make_course
from tests.helpers import auth_for, make_user


def test_course_catalogue_and_editing_rights(client):
    owner, other, admin = make_user("educator"), make_user("educator"), make_user("admin")
    student = make_user()
    course, (first, _second), module_id = make_course(client, owner)
    draft = client.post("/api/v1/courses", json={"title": "Draft"}, headers=auth_for(owner)).get_json()["course"]
    client.post(
        f"/api/v1/courses/{course['id']}/lessons",
        json={"module_id": module_id, "title": "Hidden", "published": False},
        headers=auth_for(owner),
    )

    listed = client.get("/api/v1/courses", headers=auth_for(student)).get_json()["items"]
    assert [c["id"] for c in listed] == [course["id"]]
    assert client.get("/api/v1/courses").status_code == 401
    seen = client.get(f"/api/v1/courses/{course['id']}", headers=auth_for(student)).get_json()["course"]
    assert [lesson["title"] for lesson in seen["modules"][0]["lessons"]] == ["Lesson 1", "Lesson 2"]
    full = client.get(f"/api/v1/courses/{course['id']}", headers=auth_for(owner)).get_json()["course"]
    assert [lesson["title"] for lesson in full["modules"][0]["lessons"]] == ["Lesson 1", "Lesson 2", "Hidden"]
    assert client.get(f"/api/v1/courses/{draft['id']}", headers=auth_for(student)).status_code == 404
    assert client.get(f"/api/v1/courses/{draft['id']}", headers=auth_for(other)).status_code == 404

    # another educator cannot touch it: 404 everywhere, as if it did not exist
    base = f"/api/v1/courses/{course['id']}"
    for method, url, body in (
        ("patch", base, {"title": "Mine now"}),
        ("post", f"{base}/modules", {"title": "M"}),
        ("patch", f"{base}/modules/{module_id}", {"title": "M"}),
        ("post", f"{base}/lessons", {"module_id": module_id, "title": "L"}),
        ("patch", f"{base}/lessons/{first}", {"title": "L"}),
        ("post", f"{base}/announcements", {"title": "Hi"}),
    ):
        res = getattr(client, method)(url, json=body, headers=auth_for(other))
        assert res.status_code == 404, (method, url, res.get_json())
        assert res.get_json()["error"]["code"] == "course_not_found"
        assert getattr(client, method)(url, json=body, headers=auth_for(student)).status_code == 403
    # the owner and an admin can
    assert client.patch(base, json={"price": 10}, headers=auth_for(owner)).get_json()["course"]["price"] == 10.0
    assert client.patch(base, json={"title": "Renamed"}, headers=auth_for(admin)).status_code == 200
    made = client.post("/api/v1/courses", json={"title": "For Eli", "owner_id": owner.id}, headers=auth_for(admin))
    assert made.status_code == 201 and made.get_json()["course"]["owner_id"] == owner.id
    bad_owner = client.post("/api/v1/courses", json={"title": "X", "owner_id": student.id}, headers=auth_for(admin))
    assert bad_owner.status_code == 422


def test_bad_input_is_a_clear_4xx(client):
    educator, other, admin, student = make_user("educator"), make_user("educator"), make_user("admin"), make_user()
    course, (first, _), module_id = make_course(client, educator)
    other_course, _lessons, other_module = make_course(client, other, title="Other")
    h = auth_for(educator)
    base = f"/api/v1/courses/{course['id']}"
    cases = [
        ("post", "/api/v1/courses", {"title": "Neg", "price": -1}, 422),
        ("post", "/api/v1/courses", {"title": "NaN", "price": "NaN"}, 422),
        ("post", "/api/v1/courses", {"title": "", "price": 1}, 422),
        ("post", "/api/v1/courses", {"title": "x" * 201}, 422),
        ("post", "/api/v1/courses", {"title": "Huge", "price": 10**9}, 422),
        ("post", "/api/v1/courses", {"price": 1}, 422),
        ("post", "/api/v1/courses", {"title": "T", "extra": 1}, 422),
        ("patch", base, {"price": -0.01}, 422),
        ("patch", base, {"published": "maybe"}, 422),
        ("patch", "/api/v1/courses/999999", {"title": "T"}, 404),
        ("post", f"{base}/modules", {"title": "M", "position": -1}, 422),
        ("patch", f"{base}/modules/999999", {"title": "M"}, 404),
        ("patch", f"{base}/modules/{other_module}", {"title": "M"}, 404),
        ("post", f"{base}/lessons", {"module_id": other_module, "title": "L"}, 404),
        ("post", f"{base}/lessons", {"module_id": "one", "title": "L"}, 422),
        ("post", f"{base}/lessons", {"title": "L"}, 422),
        ("patch", f"{base}/lessons/999999", {"title": "L"}, 404),
        ("post", f"{base}/announcements", {}, 422),
    ]
    for method, url, body, status in cases:
        res = getattr(client, method)(url, json=body, headers=h)
        assert res.status_code == status, (method, url, body, res.get_json())
        assert "error" in res.get_json()
    assert client.post(base, data="not json", headers={**h, "Content-Type": "application/json"}).status_code in (
        400,
        405,
        422,
    )

    # enrolment and payments
    assert client.post("/api/v1/courses/999999/enrol", headers=auth_for(student)).status_code == 404
    assert client.post(f"{base}/enrol", headers=auth_for(educator)).status_code == 403
    enrolment = enrol(client, student, course["id"])
    res = client.post(f"{base}/enrol", headers=auth_for(student))
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_enrolled"
    pay = f"/api/v1/enrolments/{enrolment['id']}/payment"
    assert client.post(pay, json={"reference": "R", "amount": -5}, headers=auth_for(student)).status_code == 422
    assert client.post(pay, json={"amount": 5}, headers=auth_for(student)).status_code == 422
    assert client.post(pay, json={"reference": "R", "amount": 0}, headers=auth_for(student)).status_code == 409
    long_key = {**auth_for(student), "Idempotency-Key": "k" * 200}
    assert client.post(pay, json={"reference": "R", "amount": 0}, headers=long_key).status_code == 422
    missing = "/api/v1/enrolments/999999/payment"
    assert client.post(missing, json={"reference": "R", "amount": 1}, headers=auth_for(student)).status_code == 404
    for action in ("approve", "reject"):
        url = f"/api/v1/admin/payments/999999/{action}"
        assert client.post(url, headers=auth_for(admin)).status_code == 404
        assert client.post(url, headers=auth_for(student)).status_code == 403
        assert client.post(url, json={"note": 5}, headers=auth_for(admin)).status_code == 422
    assert client.post("/api/v1/enrolments/999999/end", headers=auth_for(student)).status_code == 404
    stranger = make_user()
    assert client.post(f"/api/v1/enrolments/{enrolment['id']}/end", headers=auth_for(stranger)).status_code == 404
    assert client.post(f"/api/v1/enrolments/{enrolment['id']}/end", headers=auth_for(other)).status_code == 404
    assert client.post(f"/api/v1/enrolments/{enrolment['id']}/end", headers=auth_for(educator)).status_code == 200
    # unpublished course: not enrollable
    draft = client.post("/api/v1/courses", json={"title": "Draft"}, headers=h).get_json()["course"]
    assert client.post(f"/api/v1/courses/{draft['id']}/enrol", headers=auth_for(student)).status_code == 404
    # lessons of another course
    url = f"{base}/lessons/{first}/complete"
    assert client.post(
        url.replace(str(course["id"]), str(other_course["id"]), 1), headers=auth_for(student)
    ).status_code in (403, 404)
    assert client.get("/api/v1/student/courses", headers=auth_for(educator)).status_code == 403
    assert client.get("/api/v1/certificates/verify/" + "x" * 300).status_code == 404


def test_the_catalogue_is_paged_newest_first_with_short_summaries(client):
    educator, student = make_user("educator"), make_user()
    long_text = "word " * 9_000  # 45,000 characters (the most is 50,000)
    ids = []
    for i in range(5):
        res = client.post(
            "/api/v1/courses",
            json={"title": f"C{i}", "description": long_text if i == 4 else "Short.", "published": True},
            headers=auth_for(educator),
        )
        ids.append(res.get_json()["course"]["id"])
    h = auth_for(student)
    first = client.get("/api/v1/courses?limit=2", headers=h).get_json()
    assert [c["id"] for c in first["items"]] == [ids[4], ids[3]]
    assert first["next_before_id"] == ids[3]
    assert all("description" not in c for c in first["items"])
    summary = first["items"][0]["summary"]
    assert len(summary) <= 200 and summary.startswith("word word") and summary.endswith("\u2026")
    assert first["items"][1]["summary"] == "Short."
    second = client.get(f"/api/v1/courses?limit=2&before_id={first['next_before_id']}", headers=h).get_json()
    assert [c["id"] for c in second["items"]] == [ids[2], ids[1]]
    last = client.get(f"/api/v1/courses?limit=2&before_id={second['next_before_id']}", headers=h).get_json()
    assert [c["id"] for c in last["items"]] == [ids[0]] and last["next_before_id"] is None
    assert len(client.get("/api/v1/courses", headers=h).get_json()["items"]) == 5  # default page of 20
    for bad in ("limit=0", "limit=201", "limit=x", "before_id=0"):
        assert client.get(f"/api/v1/courses?{bad}", headers=h).status_code == 422, bad
    # the course itself still has the whole description
    detail = client.get(f"/api/v1/courses/{ids[4]}", headers=h).get_json()["course"]
    assert detail["description"] == long_text
