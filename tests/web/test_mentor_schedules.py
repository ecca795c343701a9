"""The mentor's schedule pages with Flask's test client: the day by the hour, booking and
editing 1:1 and group sessions (readable errors beside the fields), attendance, and who may
open what."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Attendance, Schedule
from tests import factories
from tests.web.pages import csrf_token, sign_in

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2031, 3, 12)


@pytest.fixture
def mc(client):
    """A signed-in mentor in Paris with two students, one cohort holding one of them and
    another mentor's student."""
    mentor = factories.mentor(timezone="Europe/Paris")
    mine = factories.student(mentor=mentor, name="Ada Lovelace")
    second = factories.student(mentor=mentor, name="Alan Turing")
    theirs = factories.student(mentor=factories.mentor(), name="Grace Hopper")
    cohort = factories.cohort(mine, theirs, name="Spring cohort")
    sign_in(client, mentor)
    client.mentor, client.mine, client.second, client.theirs, client.cohort = mentor, mine, second, theirs, cohort
    client.token = csrf_token(client, "/mentor/schedules")
    return client


def form(c, **extra):
    body = {
        "csrf_token": c.token,
        "title": "Weekly check-in",
        "kind": "one",
        "student_id": str(c.mine.id),
        "day": DAY.isoformat(),
        "start": "14:00",
        "end": "15:00",
        "description": "",
        "focus": "react, flask",
    }
    return {**body, **extra}


def paris(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def test_the_day_view_shows_each_session_at_its_local_hour_with_prev_and_next(mc):
    factories.schedule(mc.mentor, start=paris(9, 30), hours=2, student=mc.mine, title="Morning review")
    factories.schedule(mc.mentor, start=paris(9, 0, DAY + timedelta(days=1)), student=mc.mine, title="Tomorrow")
    html = mc.get(f"/mentor/schedules?date={DAY}").get_data(as_text=True)
    assert "Wednesday 12 March 2031" in html and "Europe/Paris" in html
    assert "Morning review" in html and "Tomorrow" not in html
    assert "09:30–11:30" in html and "Ada Lovelace" in html
    assert 'data-hour="09:00"' in html and "continues: Morning review" in html
    assert f"/mentor/schedules?date={DAY - timedelta(days=1)}" in html
    assert f"/mentor/schedules?date={DAY + timedelta(days=1)}" in html
    part = mc.get(f"/mentor/schedules/_day?date={DAY}").get_data(as_text=True)
    assert "Morning review" in part and "<html" not in part


def test_the_day_view_says_what_to_do_when_empty_and_refuses_a_bad_date(mc):
    html = mc.get(f"/mentor/schedules?date={DAY}").get_data(as_text=True)
    assert "No sessions on this day" in html and "New session" in html
    bad = mc.get("/mentor/schedules?date=12/03/2031")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    assert mc.get("/mentor/schedules").status_code == 200  # today


def test_the_navigation_links_schedules(mc):
    assert 'href="/mentor/schedules">Schedules<' in mc.get("/mentor").get_data(as_text=True)


def test_book_a_one_to_one_session_in_the_mentors_time_zone(mc):
    answer = mc.post("/mentor/schedules", data=form(mc))
    assert answer.status_code == 303
    s = db.session.query(Schedule).one()
    assert answer.headers["Location"] == f"/mentor/schedules/{s.id}?saved=created"
    assert (s.student_id, s.cohort_id, s.is_group, s.title) == (mc.mine.id, None, False, "Weekly check-in")
    assert s.start_time == paris(14) and s.end_time == paris(15)
    assert s.focus_stack == ["react", "flask"]
    page = mc.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Session booked." in page and "Ada Lovelace" in page and "14:00–15:00" in page


def test_book_a_group_session_for_a_cohort_with_one_of_the_mentors_students(mc):
    new = mc.get(f"/mentor/schedules/new?date={DAY}").get_data(as_text=True)
    assert "Spring cohort" in new and "Grace Hopper" not in new and 'value="2031-03-12"' in new
    answer = mc.post("/mentor/schedules", data=form(mc, kind="group", cohort_id=str(mc.cohort.id), student_id=""))
    assert answer.status_code == 303
    s = db.session.query(Schedule).one()
    assert (s.cohort_id, s.student_id, s.is_group) == (mc.cohort.id, None, True)
    assert "Group: Spring cohort" in mc.get(f"/mentor/schedules?date={DAY}").get_data(as_text=True)


@pytest.mark.parametrize(
    "extra, field, text",
    [
        ({"start": "15:00", "end": "14:00"}, "end", "The end must be after the start."),
        ({"end": "14:00"}, "end", "The end must be after the start."),
        ({"title": ""}, "title", "Give a title of 1 to 200 characters."),
        ({"title": "x" * 201}, "title", "Give a title of 1 to 200 characters."),
        ({"start": "2pm"}, "start", "Give the start time (HH:MM)."),
        ({"day": "tomorrow"}, "day", "Choose a day (YYYY-MM-DD)."),
        ({"student_id": ""}, "student_id", "Choose the student."),
        ({"kind": "group", "cohort_id": ""}, "cohort_id", "Choose the cohort of the group session."),
        ({"kind": "party"}, "kind", "Choose a 1:1 or a group session."),
        ({"focus": "ok, " + "x" * 41}, "focus", "At most 20 tags, each of 1 to 40 characters."),
        ({"day": "2031-02-30"}, "day", "Choose a day (YYYY-MM-DD)."),
    ],
)
def test_a_bad_form_is_shown_again_with_the_message_beside_the_field(mc, extra, field, text):
    answer = mc.post("/mentor/schedules", data=form(mc, **extra))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'data-testid="error-{field}">{text}<' in html
    assert ('aria-invalid="true"' in html or field == "kind") and f'aria-describedby="{field}-error' in html
    assert db.session.query(Schedule).count() == 0


def test_a_student_or_cohort_that_is_not_the_mentors_is_refused_beside_the_field(mc):
    answer = mc.post("/mentor/schedules", data=form(mc, student_id=str(mc.theirs.id)))
    assert answer.status_code == 422
    assert "Choose one of your own students." in answer.get_data(as_text=True)
    other = factories.cohort(mc.theirs, name="Not yours")
    answer = mc.post("/mentor/schedules", data=form(mc, kind="group", cohort_id=str(other.id)))
    assert answer.status_code == 422
    assert "Choose a cohort that has at least one of your students." in answer.get_data(as_text=True)
    assert db.session.query(Schedule).count() == 0


def test_an_overlap_is_a_readable_message_with_a_link_to_the_other_session(mc):
    first = factories.schedule(mc.mentor, start=paris(14, 30), student=mc.second, title="Already booked")
    answer = mc.post("/mentor/schedules", data=form(mc))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "You already have a session at that time." in html
    assert f"/mentor/schedules/{first.id}" in html
    assert 'value="Weekly check-in"' in html  # what was typed is kept


def test_edit_a_session_times_title_and_make_it_a_group_session(mc):
    s = factories.schedule(mc.mentor, start=paris(10), student=mc.mine, title="Old title")
    edit = mc.get(f"/mentor/schedules/{s.id}/edit").get_data(as_text=True)
    assert 'value="Old title"' in edit and 'value="10:00"' in edit and "Save changes" in edit
    changes = form(mc, title="New title", start="16:00", end="17:30", kind="group", cohort_id=str(mc.cohort.id))
    answer = mc.post(f"/mentor/schedules/{s.id}", data=changes)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?saved=updated")
    db.session.refresh(s)
    assert (s.title, s.start_time, s.end_time) == ("New title", paris(16), paris(17, 30))
    assert (s.student_id, s.cohort_id, s.is_group) == (None, mc.cohort.id, True)
    bad = mc.post(f"/mentor/schedules/{s.id}", data=form(mc, start="18:00", end="17:00"))
    assert bad.status_code == 422 and "The end must be after the start." in bad.get_data(as_text=True)


def test_another_mentors_session_is_404_and_a_student_gets_403(mc):
    other = factories.schedule(factories.mentor(), start=paris(10), title="Theirs")
    for path in (f"/mentor/schedules/{other.id}", f"/mentor/schedules/{other.id}/edit"):
        assert mc.get(path).status_code == 404, path
    assert mc.post(f"/mentor/schedules/{other.id}", data=form(mc)).status_code == 404
    assert mc.post(f"/mentor/schedules/{other.id}/attendance", data={"csrf_token": mc.token}).status_code == 404


@pytest.mark.parametrize("path", ["/mentor/schedules", "/mentor/schedules/new", "/mentor/schedules/_day"])
def test_a_student_gets_403_and_anonymous_goes_to_login(client, path):
    assert client.get(path).status_code == 302
    sign_in(client, factories.student())
    assert client.get(path).status_code == 403


def test_without_the_csrf_token_a_session_is_not_booked(mc):
    assert (
        mc.post("/mentor/schedules", data={k: v for k, v in form(mc).items() if k != "csrf_token"}).status_code == 400
    )
    assert db.session.query(Schedule).count() == 0


def test_mark_attendance_for_the_mentors_own_students_of_a_group_session(mc):
    s = factories.schedule(mc.mentor, start=paris(10), cohort=mc.cohort, title="Group")
    page = mc.get(f"/mentor/schedules/{s.id}").get_data(as_text=True)
    assert "Ada Lovelace" in page and "Grace Hopper" not in page
    answer = mc.post(
        f"/mentor/schedules/{s.id}/attendance", data={"csrf_token": mc.token, f"status-{mc.mine.id}": "late"}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?saved=attendance")
    row = db.session.query(Attendance).one()
    assert (row.student_id, row.status, row.marked_by) == (mc.mine.id, "late", mc.mentor.id)
    page = mc.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Attendance saved." in page and "Marked late" in page
    # Another mentor's student in the same cohort is not this mentor's to mark: ignored.
    mc.post(f"/mentor/schedules/{s.id}/attendance", data={"csrf_token": mc.token, f"status-{mc.theirs.id}": "absent"})
    assert db.session.query(Attendance).count() == 1


def test_attendance_with_a_bad_status_or_nothing_chosen_is_a_readable_422(mc):
    s = factories.schedule(mc.mentor, start=paris(10), student=mc.mine)
    bad = mc.post(
        f"/mentor/schedules/{s.id}/attendance", data={"csrf_token": mc.token, f"status-{mc.mine.id}": "asleep"}
    )
    assert bad.status_code == 422 and "Choose present, late, absent or excused." in bad.get_data(as_text=True)
    empty = mc.post(f"/mentor/schedules/{s.id}/attendance", data={"csrf_token": mc.token})
    assert empty.status_code == 422 and "Choose a status for at least one student." in empty.get_data(as_text=True)
    canceled = factories.schedule(mc.mentor, start=paris(12), student=mc.mine, status="canceled")
    answer = mc.post(
        f"/mentor/schedules/{canceled.id}/attendance", data={"csrf_token": mc.token, f"status-{mc.mine.id}": "present"}
    )
    assert answer.status_code == 422 and "This session was canceled." in answer.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_without_the_csrf_token_attendance_and_edits_are_refused(mc):
    s = factories.schedule(mc.mentor, start=paris(10), student=mc.mine, title="Kept")
    assert mc.post(f"/mentor/schedules/{s.id}/attendance", data={f"status-{mc.mine.id}": "present"}).status_code == 400
    changes = {k: v for k, v in form(mc, title="Changed").items() if k != "csrf_token"}
    assert mc.post(f"/mentor/schedules/{s.id}", data=changes).status_code == 400
    db.session.refresh(s)
    assert s.title == "Kept" and db.session.query(Attendance).count() == 0


def test_complete_cancel_and_reopen_a_session(mc):
    s = factories.schedule(mc.mentor, start=paris(10), student=mc.mine)
    base = f"/mentor/schedules/{s.id}/status"
    answer = mc.post(base, data={"csrf_token": mc.token, "status": "completed"})
    assert answer.status_code == 303 and "Session marked completed." in mc.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    mc.post(base, data={"csrf_token": mc.token, "status": "canceled"})
    db.session.refresh(s)
    assert s.status == "canceled"
    factories.schedule(mc.mentor, start=paris(10, 30), student=mc.second, title="Took the slot")
    clash = mc.post(base, data={"csrf_token": mc.token, "status": "scheduled"})
    assert clash.status_code == 422 and "already has a session at that time" in clash.get_data(as_text=True)
    bad = mc.post(base, data={"csrf_token": mc.token, "status": "postponed"})
    assert bad.status_code == 422 and "Choose completed, canceled or scheduled." in bad.get_data(as_text=True)
    other = factories.schedule(factories.mentor(), start=paris(8))
    assert (
        mc.post(f"/mentor/schedules/{other.id}/status", data={"csrf_token": mc.token, "status": "canceled"}).status_code
        == 404
    )
