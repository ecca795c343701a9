"""Exports: CSV streamed with the right rows (formula cells defused); PDF rendered by the
real worker, stored, announced with an expiring link, and readable."""

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.models import utcnow
from app.services.performance import exports
from app.services.shared.errors import Forbidden
from tests.educator_fixture import build, enrol, grade
from tests.helpers import auth_for, make_user


def csv_rows(client, user, scope):
    res = client.get(f"/api/v1/performance/export?format=csv&scope={scope}", headers=auth_for(user))
    assert res.status_code == 200 and res.mimetype == "text/csv", res.get_data(as_text=True)
    assert res.is_streamed
    return list(csv.reader(io.StringIO(res.get_data(as_text=True))))


def test_csv_overview_section_and_student_rows(client):
    f = build(client)
    s1, s2, s3 = f["students"]
    expected = [
        ["student_id", "name", "average", "band", "attendance_percentage", "trend", "graded_exams", "at_risk"],
        [str(s1.id), "Ana", "92.5", "A", "100.0", "", "2", ""],
        [str(s3.id), "Cy", "80.0", "B", "100.0", "", "1", "missing_grade"],
        [str(s2.id), "Ben", "55.0", "F", "0.0", "", "2", "low_attendance below_pass_mark"],
    ]
    assert csv_rows(client, f["educator"], "overview") == expected
    assert csv_rows(client, f["educator"], f"section:{f['section']['id']}") == expected
    e1, e2, _ = f["exams"]
    assert csv_rows(client, f["educator"], f"student:{s2.id}") == [
        ["exam_id", "section", "subject", "exam", "date", "total_marks", "score", "percentage"],
        [str(e1["id"]), "Math A", "algebra", e1["name"], e1["date"], "50.0", "30.0", "60.0"],
        [str(e2["id"]), "Math A", "geometry", e2["name"], e2["date"], "20.0", "10.0", "50.0"],
    ]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(client):
    f = build(client)
    for name in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR"):
        evil = make_user(name=name)
        enrol(client, f["educator"], f["section"]["id"], evil)
        grade(client, f["educator"], f["exams"][0]["id"], [(evil.id, 25)])
    names = [row[1] for row in csv_rows(client, f["educator"], "overview")[1:]]
    assert {"'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rCR"} <= set(names)
    assert "Ana" in names


def test_bad_export_requests(client):
    f = build(client)
    other = make_user("educator")
    for scope in ("everything", "section:abc", "student:", "section:1:2"):
        res = client.get(f"/api/v1/performance/export?format=csv&scope={scope}", headers=auth_for(f["educator"]))
        assert res.status_code == 422 and res.get_json()["error"]["details"]["scope"], scope
    res = client.get("/api/v1/performance/export?format=xls", headers=auth_for(f["educator"]))
    assert res.status_code == 422 and res.get_json()["error"]["details"]["format"]
    res = client.get(
        f"/api/v1/performance/export?format=pdf&scope=section:{f['section']['id']}", headers=auth_for(other)
    )
    assert res.status_code == 404


def test_pdf_is_rendered_by_the_worker_stored_and_linked(client, run_worker):
    f = build(client)
    educator = f["educator"]
    res = client.get(
        f"/api/v1/performance/export?format=pdf&scope=section:{f['section']['id']}", headers=auth_for(educator)
    )
    assert res.status_code == 202, res.get_json()
    export = res.get_json()["export"]
    assert export["status"] == "pending" and set(export) >= {"id", "status"}
    status = client.get(f"/api/v1/performance/exports/{export['id']}", headers=auth_for(educator)).get_json()
    assert status["export"]["status"] == "pending" and status["export"]["download_url"] is None
    run_worker()
    status = client.get(f"/api/v1/performance/exports/{export['id']}", headers=auth_for(educator)).get_json()["export"]
    assert status["status"] == "ready" and status["download_url"].startswith(
        f"/api/v1/performance/exports/{export['id']}/"
    )
    note = next(
        n
        for n in client.get("/api/v1/notifications", headers=auth_for(educator)).get_json()["items"]
        if n["type"] == "export_ready"
    )
    assert note["data"]["export_id"] == export["id"]
    pdf = client.get(note["data"]["download_url"])  # the link needs no login
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Math A", "Grade distribution", "Weekly trend", "Average: 75.83", "Pass rate %: 66.67", "Ben"):
        assert expected in text, (expected, text)
    # another educator cannot see its status; a forged link is refused
    assert (
        client.get(f"/api/v1/performance/exports/{export['id']}", headers=auth_for(make_user("educator"))).status_code
        == 404
    )
    forged = client.get(f"/api/v1/performance/exports/{export['id']}/download?token=forged")
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "link_invalid"
    token = note["data"]["download_url"].split("token=")[1]
    assert client.get(f"/api/v1/performance/exports/{export['id'] + 1}/download?token={token}").status_code == 403
    # the link expires (EXPORT_LINK_TTL); the time is passed in, not waited for
    with pytest.raises(Forbidden) as expired:
        exports.download(export["id"], token, now=utcnow() + timedelta(seconds=3601))
    assert expired.value.code == "link_expired"
    assert exports.download(export["id"], token, now=utcnow() + timedelta(seconds=3500)).content == pdf.data


def test_student_pdf_renders_too(client, run_worker):
    f = build(client)
    s2 = f["students"][1]
    res = client.get(f"/api/v1/performance/export?format=pdf&scope=student:{s2.id}", headers=auth_for(f["educator"]))
    run_worker()
    export = client.get(
        f"/api/v1/performance/exports/{res.get_json()['export']['id']}", headers=auth_for(f["educator"])
    )
    url = export.get_json()["export"]["download_url"]
    text = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "Performance of Ben" in text and "Average: 55.0" in text
