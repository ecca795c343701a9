"""The mentor's work pages with Flask's test client: entries to review (approve, request
changes, comment), tasks (list, assign with readable field errors, mark done), the activity
feed (filter, load more, newer items), and who may open what."""

import pytest

from app.extensions import db
from app.models import Comment, Entry, OutboxEvent, Task
from app.services.portal import entries as entry_service
from tests import factories
from tests.web.pages import HX, csrf_token, sign_in


def _hx(c):
    return {**HX, "X-CSRFToken": c.token}


# -- who may open what -----------------------------------------------------------------------

PAGES = [
    "/mentor/activity",
    "/mentor/activity/_feed",
    "/mentor/entries",
    "/mentor/entries/_list",
    "/mentor/entries/1",
    "/mentor/entries/1/_detail",
    "/mentor/tasks",
    "/mentor/tasks/_list",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_student_gets_403_and_anonymous_goes_to_login(client, path):
    assert client.get(path).status_code == 302
    sign_in(client, factories.student())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/mentor/entries/1/review", "/mentor/tasks", "/mentor/tasks/1/status"])
def test_a_student_cannot_post_either(client, path):
    sign_in(client, factories.student())
    token = csrf_token(client, "/student")
    assert client.post(path, data={"csrf_token": token, "action": "approve", "status": "done"}).status_code == 403


def test_another_mentors_students_entry_and_task_are_404(mentor_client):
    c = mentor_client
    other = factories.student(mentor=factories.mentor())
    entry, task = factories.entry(other, title="Theirs"), factories.task(other)
    assert c.get(f"/mentor/entries/{entry.id}").status_code == 404
    assert c.get(f"/mentor/entries/{entry.id}/_detail").status_code == 404
    answer = c.post(f"/mentor/entries/{entry.id}/review", data={"action": "approve"}, headers=_hx(c))
    assert answer.status_code == 404
    assert c.post(f"/mentor/tasks/{task.id}/status", data={"status": "done"}, headers=_hx(c)).status_code == 404
    page = c.post("/mentor/tasks", data={"csrf_token": c.token, "student_id": str(other.id), "title": "Sneaky"})
    assert page.status_code == 404
    assert db.session.get(Entry, entry.id).status == "pending"
    assert db.session.get(Task, task.id).status == "open"
    assert db.session.query(Task).filter_by(title="Sneaky").count() == 0
    assert "Theirs" not in c.get("/mentor/entries?status=all").get_data(as_text=True)


def test_without_the_csrf_token_posts_are_refused(mentor_client):
    c = mentor_client
    entry, task = factories.entry(c.student), factories.task(c.student, mentor=c.mentor)
    assert c.post(f"/mentor/entries/{entry.id}/review", data={"action": "approve"}, headers=HX).status_code == 400
    assert c.post(f"/mentor/tasks/{task.id}/status", data={"status": "done"}).status_code == 400
    assert c.post("/mentor/tasks", data={"student_id": str(c.student.id), "title": "x"}).status_code == 400
    assert db.session.get(Entry, entry.id).status == "pending"
    assert db.session.get(Task, task.id).status == "open"


# -- entries ---------------------------------------------------------------------------------


def test_entries_waiting_for_review_and_the_empty_state(mentor_client):
    c = mentor_client
    assert "Nothing waiting for your review" in c.get("/mentor/entries").get_data(as_text=True)
    factories.entry(c.student, title="Waiting one")
    factories.entry(c.student, title="Done one", status="approved")
    html = c.get("/mentor/entries/_list").get_data(as_text=True)
    assert "Waiting one" in html and "Done one" not in html and c.student.name in html
    assert "Done one" in c.get("/mentor/entries?status=approved").get_data(as_text=True)
    assert "Done one" in c.get("/mentor/entries?status=all").get_data(as_text=True)
    assert c.get("/mentor/entries?status=nope").status_code == 422


def test_approve_answers_the_detail_and_tells_the_student(mentor_client):
    c = mentor_client
    entry = factories.entry(c.student, title="Parser")
    html = c.get(f"/mentor/entries/{entry.id}").get_data(as_text=True)
    assert "Parser" in html and "Request changes" in html and "Approve" in html
    answer = c.post(f"/mentor/entries/{entry.id}/review", data={"action": "approve"}, headers=_hx(c))
    assert answer.status_code == 200 and 'data-status="approved"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "approved"
    rooms = {e.room for e in db.session.query(OutboxEvent).filter_by(event="entry:statusChanged")}
    assert rooms == {f"student:{c.student.id}", f"mentor:{c.mentor.id}"}


def test_request_changes_needs_a_comment_and_keeps_it(mentor_client):
    c = mentor_client
    entry = factories.entry(c.student)
    bad = c.post(f"/mentor/entries/{entry.id}/review", data={"action": "request_changes"}, headers=_hx(c))
    assert bad.status_code == 422 and "Say what should change" in bad.get_json()["error"]["message"]
    assert db.session.get(Entry, entry.id).status == "pending"
    data = {"action": "request_changes", "comment": "Add tests please"}
    answer = c.post(f"/mentor/entries/{entry.id}/review", data=data, headers=_hx(c))
    assert answer.status_code == 200 and "Add tests please" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "needs_revision"
    assert [x.body for x in db.session.query(Comment).filter_by(entry_id=entry.id)] == ["Add tests please"]


def test_comment_only_and_bad_actions(mentor_client):
    c = mentor_client
    entry = factories.entry(c.student)
    assert c.post(f"/mentor/entries/{entry.id}/review", data={"action": "comment"}, headers=_hx(c)).status_code == 422
    url = f"/mentor/entries/{entry.id}/review"
    long = c.post(url, data={"action": "comment", "comment": "x" * 4001}, headers=_hx(c))
    assert long.status_code == 422 and "4000" in long.get_json()["error"]["message"]
    assert c.post(f"/mentor/entries/{entry.id}/review", data={"action": "nuke"}, headers=_hx(c)).status_code == 422
    # without JavaScript: a readable page, and a redirect back to the entry after success
    page = c.post(f"/mentor/entries/{entry.id}/review", data={"csrf_token": c.token, "action": "comment"})
    assert page.status_code == 422 and "Write a comment first" in page.get_data(as_text=True)
    ok = c.post(url, data={"csrf_token": c.token, "action": "comment", "comment": "Nice"})
    assert ok.status_code == 303 and ok.headers["Location"] == f"/mentor/entries/{entry.id}"
    assert db.session.get(Entry, entry.id).status == "pending"
    assert "Nice" in c.get(f"/mentor/entries/{entry.id}/_detail").get_data(as_text=True)


# -- tasks -----------------------------------------------------------------------------------


def test_tasks_list_filters_and_empty_states(mentor_client):
    c = mentor_client
    assert "No open tasks" in c.get("/mentor/tasks").get_data(as_text=True)
    factories.task(c.student, mentor=c.mentor, title="Read chapter 3")
    factories.task(c.student, mentor=c.mentor, title="Old one", status="done")
    html = c.get("/mentor/tasks/_list").get_data(as_text=True)
    assert "Read chapter 3" in html and "Old one" not in html
    assert "Old one" in c.get("/mentor/tasks?status=done").get_data(as_text=True)
    assert c.get("/mentor/tasks?status=late").status_code == 422


def test_assign_a_task_then_it_is_listed(mentor_client):
    c = mentor_client
    data = {
        "csrf_token": c.token,
        "student_id": str(c.student.id),
        "title": "Write a parser",
        "description": "Use recursion",
        "due": "2030-01-31",
        "est_hours": "2.5",
    }
    answer = c.post("/mentor/tasks", data=data)
    assert answer.status_code == 303
    task = db.session.query(Task).filter_by(title="Write a parser").one()
    assert (task.student_id, task.mentor_id, task.est_hours) == (c.student.id, c.mentor.id, 2.5)
    assert task.due_at.isoformat().startswith("2030-01-31T23:59")
    html = c.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Task “Write a parser” assigned to" in html
    assert db.session.query(OutboxEvent).filter_by(event="task:assigned").count() == 2


def test_a_bad_task_form_shows_every_error_beside_its_field(mentor_client):
    c = mentor_client
    data = {"csrf_token": c.token, "student_id": "", "title": " ", "due": "31/01/2030", "est_hours": "lots"}
    answer = c.post("/mentor/tasks", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for text in ("Choose a student.", "Give the task a title.", "A date, such as 2026-12-31.", "Hours as a number"):
        assert text in html, text
    assert 'aria-invalid="true"' in html and 'value="lots"' in html
    assert (
        html.count(" autofocus") == 1
        and 'is-invalid" autofocus aria-invalid="true" aria-describedby="task-student_id' in html
    )
    too_long = {**data, "student_id": str(c.student.id), "title": "x" * 201, "due": "", "est_hours": "-1"}
    html = c.post("/mentor/tasks", data=too_long).get_data(as_text=True)
    assert "At most 200 characters." in html and "Hours as a number" in html
    assert db.session.query(Task).count() == 0


def test_mark_done_and_reopen(mentor_client):
    c = mentor_client
    task = factories.task(c.student, mentor=c.mentor, title="Finish it")
    answer = c.post(f"/mentor/tasks/{task.id}/status", data={"status": "done", "shown": "all"}, headers=_hx(c))
    assert answer.status_code == 200 and "Reopen" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "done"
    page = c.post(f"/mentor/tasks/{task.id}/status", data={"csrf_token": c.token, "status": "open"})
    assert page.status_code == 303
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "open"
    assert c.post(f"/mentor/tasks/{task.id}/status", data={"status": "gone"}, headers=_hx(c)).status_code == 422


def test_no_students_means_no_task_form_but_a_hint(client):
    sign_in(client, factories.mentor())
    assert "no one to give a task to" in client.get("/mentor/tasks").get_data(as_text=True)


# -- activity feed ---------------------------------------------------------------------------


def test_the_feed_shows_what_happened_filters_and_pages(mentor_client):
    c = mentor_client
    assert "No activity yet" in c.get("/mentor/activity").get_data(as_text=True)
    for i in range(22):
        entry_service.create(c.student, title=f"Entry {i}")
    html = c.get("/mentor/activity").get_data(as_text=True)
    assert f"{c.student.name} submitted an entry “Entry 21”" in html and "Entry 1”" not in html
    assert "Load more" in html
    first = c.get("/mentor/activity/_feed").get_data(as_text=True)
    before = int(first.rsplit("before_id=", 1)[1].split('"')[0].split("&")[0])
    more = c.get(f"/mentor/activity/_items?before_id={before}").get_data(as_text=True)
    assert "Entry 1”" in more and "Entry 0”" in more and "Load more" not in more
    assert "Nothing of this type" in c.get("/mentor/activity?type=task:assigned").get_data(as_text=True)
    assert "Entry 21" in c.get("/mentor/activity?type=entry:created").get_data(as_text=True)


def test_newer_items_and_bad_queries(mentor_client):
    c = mentor_client
    entry_service.create(c.student, title="First")
    top = max(i for (i,) in db.session.execute(db.text("SELECT id FROM activity_events")))
    entry_service.create(c.student, title="Second")
    html = c.get(f"/mentor/activity/_items?after_id={top}").get_data(as_text=True)
    assert "Second" in html and "First" not in html and "data-feed-gap" not in html
    assert c.get("/mentor/activity?type=nope").status_code == 422
    assert c.get("/mentor/activity/_items", headers=HX).status_code == 422
    assert c.get("/mentor/activity/_items?before_id=abc", headers=HX).status_code == 422


def test_the_feed_hides_other_mentors_students(mentor_client):
    c = mentor_client
    entry_service.create(factories.student(mentor=factories.mentor()), title="Not yours")
    assert "Not yours" not in c.get("/mentor/activity").get_data(as_text=True)


@pytest.mark.parametrize(
    "kind, payload, text",
    [
        ("entry:created", {"title": "Parser"}, "Ann submitted an entry “Parser”"),
        ("entry:statusChanged", {"status": "needs_revision"}, "You asked for changes to an entry"),
        ("entry:statusChanged", {"status": "pending"}, "Ann resubmitted an entry"),
        ("comment:added", {}, "Ann commented on an entry"),
        ("task:assigned", {"title": "Read"}, "You assigned “Read” to Ann"),
        ("task:updated", {"changes": ["title"]}, "You changed a task"),
        ("task:completed", {"title": "Read"}, "Ann completed “Read”"),
        ("schedule:created", {"title": "1:1"}, "You booked the session “1:1”"),
        ("schedule:canceled", {"title": "1:1"}, "You canceled the session “1:1”"),
        ("attendance:marked", {"status": "late"}, "You marked Ann late"),
        ("student:registered", {}, "Ann is now your student"),
    ],
)
def test_each_feed_item_reads_as_a_sentence(kind, payload, text):
    from types import SimpleNamespace

    from app.web.mentor.activity import TYPES, describe

    mine = (
        kind.startswith(("task:assigned", "task:updated", "schedule:", "attendance:"))
        or payload.get("status") == "needs_revision"
    )
    item = SimpleNamespace(type=kind, payload=payload, actor_id=1 if mine else 2, student_id=2)
    assert kind in TYPES
    assert describe(item, {1: "Mo", 2: "Ann"}, me=1) == text
