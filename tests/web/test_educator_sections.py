"""The educator's sections pages with Flask's test client: list, section roster (sortable),
grades CSV upload (every bad row shown, nothing saved until all are valid), the student
drill-down, and someone else's section/exam/student as 404."""

from app.extensions import db
from app.models import Grade
from tests import educator_fixture as fx
from tests import factories
from tests.web.pages import csrf_token, sign_in

HTMX = {"HX-Request": "true"}


def test_sections_list_section_roster_and_drill_down(client):
    built = fx.build(client)
    ana, ben, cy = built["students"]
    sign_in(client, built["educator"])
    sid = built["section"]["id"]
    listing = client.get("/educator/sections?sort=-average").get_data(as_text=True)
    assert f'data-section="{sid}"' in listing and "75.83 %" in listing
    page = client.get(f"/educator/sections/{sid}?sort=name").get_data(as_text=True)
    order = [page.index(f'data-student="{s.id}"') for s in (ana, ben, cy)]
    assert order == sorted(order)  # Ana, Ben, Cy by name
    by_avg = client.get(f"/educator/sections/{sid}?sort=-average").get_data(as_text=True)
    assert (
        by_avg.index(f'data-student="{ana.id}"')
        < by_avg.index(f'data-student="{cy.id}"')
        < by_avg.index(f'data-student="{ben.id}"')
    )
    assert 'aria-sort="descending"' in by_avg
    drill = client.get(f"/educator/students/{ben.id}").get_data(as_text=True)
    assert "55.0 %" in drill and "low attendance, below pass mark" in drill and 'id="student-attendance"' in drill


def test_a_grades_upload_with_one_bad_row_saves_nothing_and_shows_the_row(client):
    built = fx.build(client)
    ana, ben, cy = built["students"]
    geometry = built["exams"][1]["id"]
    sign_in(client, built["educator"])
    token = csrf_token(client, f"/educator/sections/{built['section']['id']}")
    before = {g.student_id: g.score for g in db.session.query(Grade).filter_by(exam_id=geometry)}
    bad = f"student_id,score\n{ben.id},20\n{cy.id},99\n"
    answer = client.post(f"/educator/exams/{geometry}/grades", data={"csv": bad, "csrf_token": token}, headers=HTMX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-testid="upload-failed"' in html
    assert '<tr data-line="3" class="table-danger" data-row-error>' in html and "Must be between 0 and 20." in html
    assert '<tr data-line="2">' in html
    db.session.expire_all()
    assert {g.student_id: g.score for g in db.session.query(Grade).filter_by(exam_id=geometry)} == before
    plain = client.post(f"/educator/exams/{geometry}/grades", data={"csv": bad, "csrf_token": token})
    assert plain.status_code == 422
    good = f"student_id,score\n{ben.id},20\n{cy.id},18\n"
    saved = client.post(f"/educator/exams/{geometry}/grades", data={"csv": good, "csrf_token": token}, headers=HTMX)
    assert 'data-testid="upload-saved"' in saved.get_data(as_text=True)
    db.session.expire_all()
    after = {g.student_id: float(g.score) for g in db.session.query(Grade).filter_by(exam_id=geometry)}
    assert after[ben.id] == 20 and after[cy.id] == 18


def test_another_educators_section_exam_and_student_are_404(client, app):
    built = fx.build(client)
    stranger = app.test_client()
    sign_in(stranger, factories.user("educator"))
    sid, exam = built["section"]["id"], built["exams"][0]["id"]
    assert stranger.get(f"/educator/sections/{sid}").status_code == 404
    assert stranger.get(f"/educator/students/{built['students'][0].id}").status_code == 404
    token = csrf_token(stranger, "/educator")
    upload = stranger.post(f"/educator/exams/{exam}/grades", data={"csv": "1,1", "csrf_token": token})
    assert upload.status_code == 404
    student = app.test_client()
    sign_in(student, built["students"][0])
    for path in ("/educator/sections", f"/educator/sections/{sid}", f"/educator/students/{built['students'][0].id}"):
        assert student.get(path).status_code == 403, path


def test_create_and_edit_an_exam_and_mark_a_days_attendance(client, app):
    from app.models import Exam, SectionAttendance

    built = fx.build(client)
    ana, ben, cy = built["students"]
    sid = built["section"]["id"]
    sign_in(client, built["educator"])
    page = client.get(f"/educator/sections/{sid}").get_data(as_text=True)
    assert 'id="new-exam"' in page and "Edit this exam" in page
    token = csrf_token(client, f"/educator/sections/{sid}")
    form = {"csrf_token": token, "name": "Quiz 1", "subject": "geometry", "date": "2026-12-01", "total_marks": "10"}
    created = client.post(f"/educator/sections/{sid}/exams", data=form)
    assert created.status_code == 302 and created.headers["Location"] == f"/educator/sections/{sid}"
    exam = db.session.query(Exam).filter_by(name="Quiz 1").one()
    assert exam.subject == "geometry" and exam.total_marks == 10 and not exam.published
    bad = client.post(f"/educator/sections/{sid}/exams", data=form | {"subject": "poetry", "total_marks": "-1"})
    assert bad.status_code == 422
    edited = client.post(f"/educator/exams/{exam.id}", data=form | {"name": "Quiz one", "published": "on"})
    assert edited.status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert exam.name == "Quiz one" and exam.published

    day = fx.days_ago(4).isoformat()
    sheet = client.get(f"/educator/sections/{sid}/attendance?date={day}").get_data(as_text=True)
    assert f'id="status-{ana.id}"' in sheet and f'id="status-{cy.id}"' in sheet
    marks = {
        "csrf_token": token,
        "student_id": [str(ana.id), str(ben.id), str(cy.id)],
        f"status-{ana.id}": "present",
        f"status-{ben.id}": "absent",
        f"status-{cy.id}": "late",
    }
    wrong = client.post(f"/educator/sections/{sid}/attendance?date={day}", data=marks | {f"status-{cy.id}": "asleep"})
    assert wrong.status_code == 422 and "Nothing was saved." in wrong.get_data(as_text=True)
    assert db.session.query(SectionAttendance).filter_by(section_id=sid, day=fx.days_ago(4)).count() == 0
    saved = client.post(f"/educator/sections/{sid}/attendance?date={day}", data=marks)
    assert saved.status_code == 200 and "Saved 3 mark(s)" in saved.get_data(as_text=True)
    rows = db.session.query(SectionAttendance).filter_by(section_id=sid, day=fx.days_ago(4))
    got = {m.student_id: m.status for m in rows}
    assert got == {ana.id: "present", ben.id: "absent", cy.id: "late"}

    stranger = app.test_client()
    sign_in(stranger, factories.user("educator"))
    other = csrf_token(stranger, "/educator")
    assert stranger.get(f"/educator/sections/{sid}/attendance").status_code == 404
    assert stranger.post(f"/educator/sections/{sid}/exams", data=form | {"csrf_token": other}).status_code == 404
    assert stranger.post(f"/educator/exams/{exam.id}", data=form | {"csrf_token": other}).status_code == 404
