"""CSV grade uploads that the csv module cannot read are a 422 naming the row, never a 500,
and nothing is saved."""

import pytest

from tests.educator_fixture import enrol, exam, put, section
from tests.helpers import auth_for, make_user


@pytest.mark.parametrize(
    "body, row, says",
    [
        ("student_id,score\r{a},45\r{b},30\r", "1", "carriage return"),
        ("student_id,score\n{a},45\n{b}," + "9" * 131_073 + "\n", "3", "longer than"),
        ('student_id,score\n{a},45\n{b},"' + "x" * 140_000 + '"\n', "3", "longer than"),
    ],
)
def test_unreadable_csv_is_422_with_the_row_and_saves_nothing(client, body, row, says):
    educator = make_user("educator")
    a, b = make_user(), make_user()
    math = section(client, educator)
    enrol(client, educator, math["id"], a)
    enrol(client, educator, math["id"], b)
    test = exam(client, educator, math["id"], "algebra", 50, 1)
    path = f"/api/v1/educator/exams/{test['id']}/grades"
    put(client, educator, path.removeprefix("/api/v1"), [{"student_id": a.id, "score": 40}])

    res = client.put(path, data=body.format(a=a.id, b=b.id), content_type="text/csv", headers=auth_for(educator))
    assert res.status_code == 422, res.get_data(as_text=True)[:300]
    error = res.get_json()["error"]
    assert error["code"] == "invalid_rows"
    assert list(error["details"]["rows"]) == [row]
    assert says in error["details"]["rows"][row]["_row"][0]
    grades = client.get(path, headers=auth_for(educator)).get_json()["grades"]
    assert [(g["student_id"], g["score"]) for g in grades] == [(a.id, 40.0)]
