"""Issue 32: the review tier. A message with risk signals but no clear crisis becomes a
concern (stored with the intent), listed for the student's mentor, dismissed or raised to an
alert that pages, exported as training feedback, escalated to the admins after a day."""

import csv
import io
from datetime import timedelta

from app.extensions import db
from app.models import ChatIntent, CrisisAlert, CrisisConcern, Notification
from app.services.crisis import concerns
from app.services.shared.queues import enqueue
from tests.helpers import auth_for, make_user, post_intent

WEAK = "honestly whats the point of trying anymore"


def concern_for(client, student, message=WEAK, label="study_help"):
    res = post_intent(client, student.id, message=message, intent=label, confidence=0.6)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["crisis"] is False and body["alert"] is None, body
    assert body["concern"] == {"id": body["concern"]["id"], "status": "open"}
    return body["concern"]["id"]


def test_risk_signals_without_a_crisis_make_a_concern_with_the_intent(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor, name="Lea Roth")
    concern_id = concern_for(client, student)
    concern = db.session.get(CrisisConcern, concern_id)
    assert concern.intent_id == db.session.query(ChatIntent).one().id
    assert concern.mentor_id == mentor.id and concern.source == "text"
    assert concern.categories == ["burden_hopelessness"] and concern.matched
    # an ordinary, non-urgent notification: not pinned, not a crisis alert, no alert at all
    n = db.session.query(Notification).filter_by(user_id=mentor.id).one()
    assert n.type == "crisis_concern" and n.alert_id is None and n.data["concern_id"] == concern_id
    assert db.session.query(CrisisAlert).count() == 0


def test_a_crisis_never_carries_a_concern_and_ordinary_text_neither(client):
    student = make_user(mentor=make_user("mentor"))
    body = post_intent(client, student.id, message="i want to kill myself", intent="study_help").get_json()
    assert body["crisis"] is True and body["concern"] is None
    body = post_intent(client, student.id, message="can you explain fractions?").get_json()
    assert body["crisis"] is False and body["concern"] is None
    assert db.session.query(CrisisConcern).count() == 0


def test_a_chatbot_concern_label_makes_a_concern(client):
    student = make_user(mentor=make_user("mentor"))
    concern_id = concern_for(client, student, message="ok thanks", label="distress")
    assert db.session.get(CrisisConcern, concern_id).source == "label"


def test_list_is_the_mentors_own_students_and_admins_see_all(client):
    mentor, other, admin = make_user("mentor"), make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor, name="Lea Roth")
    concern_id = concern_for(client, student)
    res = client.get("/api/v1/mentor/concerns?status=open", headers=auth_for(mentor))
    assert res.status_code == 200
    [item] = res.get_json()["items"]
    assert item["id"] == concern_id and item["student_id"] == student.id and item["student_name"] == "Lea Roth"
    assert item["excerpt"] == WEAK and item["categories"] == ["burden_hopelessness"]
    assert item["status"] == "open" and item["created_at"].endswith("Z")
    assert client.get("/api/v1/mentor/concerns", headers=auth_for(other)).get_json()["items"] == []
    assert [i["id"] for i in client.get("/api/v1/mentor/concerns", headers=auth_for(admin)).get_json()["items"]] == [
        concern_id
    ]
    assert client.get("/api/v1/mentor/concerns?status=dismissed", headers=auth_for(mentor)).get_json()["items"] == []
    assert client.get("/api/v1/mentor/concerns?status=bogus", headers=auth_for(mentor)).status_code == 422


def test_who_may_review(client):
    mentor, other = make_user("mentor"), make_user("mentor")
    concern_id = concern_for(client, make_user(mentor=mentor))
    for path in ("dismiss", "raise"):
        url = f"/api/v1/mentor/concerns/{concern_id}/{path}"
        assert client.post(url).status_code == 401
        assert client.post(url, json={}, headers=auth_for(other)).status_code == 404
        for role in ("student", "educator"):
            assert client.post(url, json={}, headers=auth_for(make_user(role))).status_code == 403
    for role in ("student", "educator"):
        assert client.get("/api/v1/mentor/concerns", headers=auth_for(make_user(role))).status_code == 403
    assert client.post("/api/v1/mentor/concerns/999999/dismiss", json={}, headers=auth_for(mentor)).status_code == 404
    bad = client.post(f"/api/v1/mentor/concerns/{concern_id}/dismiss", json={"note": 5}, headers=auth_for(mentor))
    assert bad.status_code == 422 and bad.get_json()["error"]
    assert db.session.get(CrisisConcern, concern_id).status == "open"


def test_dismiss_then_export_as_not_a_crisis(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    concern_id = concern_for(client, make_user(mentor=mentor))
    res = client.post(
        f"/api/v1/mentor/concerns/{concern_id}/dismiss", json={"note": "talked, fine"}, headers=auth_for(mentor)
    )
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["concern"]["status"] == "dismissed" and res.get_json()["concern"]["id"] == concern_id
    again = client.post(f"/api/v1/mentor/concerns/{concern_id}/dismiss", json={}, headers=auth_for(mentor))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "concern_reviewed"
    rows = export(client, admin)
    [row] = [r for r in rows if r["kind"] == "concern"]
    assert row["concern_id"] == str(concern_id) and row["outcome"] == "dismissed" and row["crisis"] == "false"
    assert row["alert_id"] == "" and row["categories"] == "burden_hopelessness" and "message" not in row


def export(client, admin, text=False):
    url = "/api/v1/admin/crisis/feedback?format=csv" + ("&include_text=true" if text else "")
    res = client.get(url, headers=auth_for(admin))
    assert res.status_code == 200
    return list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))


def test_raise_pages_like_any_alert_and_exports_as_a_crisis(client, app):
    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor)
    concern_id = concern_for(client, student)
    res = client.post(f"/api/v1/mentor/concerns/{concern_id}/raise", json={}, headers=auth_for(mentor))
    assert res.status_code == 201, res.get_json()
    alert = res.get_json()["alert"]
    assert alert["status"] == "open" and alert["student_id"] == student.id and alert["severity"] == "high"
    assert alert["next_check_at"] and alert["trigger"]["message"] == WEAK
    assert [s["action"] for s in alert["steps"]] == ["created", "notified", "raised_from_concern"]
    page = db.session.query(Notification).filter_by(user_id=mentor.id, type="crisis_alert").one()
    assert page.alert_id == alert["id"] and page.data["student_id"] == student.id
    concern = db.session.get(CrisisConcern, concern_id)
    assert concern.status == "raised" and concern.alert_id == alert["id"] and concern.reviewed_by == mentor.id
    assert client.post(f"/api/v1/mentor/concerns/{concern_id}/raise", headers=auth_for(mentor)).status_code == 409
    # the escalation ladder applies as usual
    from app.services.crisis import alerts

    later = db.session.get(CrisisAlert, alert["id"]).created_at + timedelta(
        seconds=app.config["CRISIS_ACK_TIMEOUT"] + 1
    )
    assert alerts.check(alert["id"], now=later) == "escalated"
    rows = export(client, admin, text=True)
    [row] = [r for r in rows if r["kind"] == "concern"]
    assert row["outcome"] == "raised" and row["crisis"] == "true" and row["alert_id"] == str(alert["id"])
    assert row["message"] == WEAK


def test_unreviewed_concerns_go_to_the_admins_once_after_the_window(client, app, run_worker):
    mentor, admin = make_user("mentor"), make_user("admin")
    concern_id = concern_for(client, make_user(mentor=mentor))
    dismissed = concern_for(client, make_user(mentor=mentor))
    client.post(f"/api/v1/mentor/concerns/{dismissed}/dismiss", json={}, headers=auth_for(mentor))
    created = db.session.get(CrisisConcern, concern_id).created_at
    window = timedelta(seconds=app.config["CONCERN_REVIEW_WINDOW"])
    assert window == timedelta(days=1)

    assert concerns.due_concern_ids(created + window - timedelta(seconds=5)) == []
    later = created + window + timedelta(seconds=1)
    assert concerns.due_concern_ids(later) == [concern_id]
    enqueue("app.jobs.concerns.escalate_unreviewed_concerns", now=later.isoformat())
    enqueue("app.jobs.concerns.escalate_unreviewed_concerns", now=later.isoformat())  # twice: told once
    enqueue("app.jobs.concerns.escalate_concern", concern_id, now=later.isoformat())
    run_worker()
    db.session.expire_all()
    told = db.session.query(Notification).filter_by(user_id=admin.id, type="crisis_concern").all()
    assert len(told) == 1 and told[0].data["concern_id"] == concern_id and told[0].data["escalated"] is True
    assert db.session.get(CrisisConcern, concern_id).escalated_at is not None
    assert concerns.due_concern_ids(later + window) == []


def test_the_escalation_job_is_scheduled():
    from app.jobs.schedule import PERIODIC
    from app.services.shared.queues import JOBS

    [periodic] = [p for p in PERIODIC if p.job == "app.jobs.concerns.escalate_unreviewed_concerns"]
    assert periodic.job in JOBS and periodic.interval <= 3600


def test_a_retry_with_the_same_idempotency_key_makes_no_second_concern(client):
    from tests.helpers import CHATBOT_KEY

    student = make_user(mentor=make_user("mentor"))
    headers = {"X-Chatbot-Key": CHATBOT_KEY, "Idempotency-Key": "concern-retry-1"}
    first = post_intent(client, student.id, message=WEAK, headers=headers)
    again = post_intent(client, student.id, message=WEAK, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and first.get_json()["concern"]["status"] == "open"
    assert db.session.query(CrisisConcern).count() == 1


def test_source_for():
    from app.services.crisis.detection import detect

    labels = ["concern", "distress"]
    assert concerns.source_for("study_help", detect(WEAK), labels) == "text"
    assert concerns.source_for("Distress", detect(WEAK), labels) == "both"
    assert concerns.source_for("distress", detect("hello"), labels) == "label"
    assert concerns.source_for("study_help", detect("hello"), labels) is None
