"""The whole paid enrolment flow over HTTP, with a real RQ worker sending each email to a
real SMTP server that the test reads."""

from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage, Notification
from tests.academy.helpers import enrol, html_of, make_course, text_of
from tests.helpers import auth_for, make_user


def _types(user):
    return [n.type for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def test_paid_enrolment_payment_rejected_then_approved(client, smtp, run_worker):
    admin, educator = make_user("admin"), make_user("educator")
    student = make_user(name="Pat Payer", email="pat@example.test")
    course, _lessons, _module = make_course(client, educator, price="49.50", title="Paid Python")

    enrolment = enrol(client, student, course["id"])
    assert enrolment["status"] == "pending_payment"
    again = client.post(f"/api/v1/courses/{course['id']}/enrol", headers=auth_for(student))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_enrolled"
    # nothing in the course room for a pending enrolment: /student/courses says pending
    listed = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"]
    assert [i["enrolment"]["status"] for i in listed] == ["pending_payment"]

    # the wrong amount is refused; the right one is recorded once per Idempotency-Key
    url = f"/api/v1/enrolments/{enrolment['id']}/payment"
    wrong = client.post(url, json={"reference": "BANK-1", "amount": 5}, headers=auth_for(student))
    assert wrong.status_code == 422 and "amount" in wrong.get_json()["error"]["details"]
    headers = {**auth_for(student), "Idempotency-Key": "pay-1"}
    first = client.post(url, json={"reference": "BANK-1", "amount": 49.5}, headers=headers)
    assert first.status_code == 201, first.get_json()
    payment = first.get_json()["payment"]
    assert payment["status"] == "pending"
    replay = client.post(url, json={"reference": "BANK-1", "amount": "49.50"}, headers=headers)
    assert replay.status_code == 201 and replay.get_json()["payment"]["id"] == payment["id"]
    # a retry says it is one, like every other idempotent create; the first answer does not
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    reused = client.post(url, json={"reference": "BANK-2", "amount": 49.5}, headers=headers)
    assert reused.status_code == 409
    assert "payment_reported" in _types(admin)

    # rejected: in-app notification and an email (critical: no List-Unsubscribe)
    res = client.post(
        f"/api/v1/admin/payments/{payment['id']}/reject", json={"note": "No such transfer."}, headers=auth_for(admin)
    )
    assert res.status_code == 200 and res.get_json()["payment"]["status"] == "rejected"
    run_worker()
    rejected = smtp.inbox.wait_for(lambda m: "not accepted" in m["Subject"])
    assert rejected["To"] == "pat@example.test"
    assert "No such transfer." in text_of(rejected) and "No such transfer." in html_of(rejected)
    assert rejected["List-Unsubscribe"] is None
    assert "payment_rejected" in _types(student)
    twice = client.post(f"/api/v1/admin/payments/{payment['id']}/approve", headers=auth_for(admin))
    assert twice.status_code == 409

    # reported again and approved: the enrolment is active, two emails arrive
    second = client.post(url, json={"reference": "BANK-1b", "amount": 49.5}, headers=auth_for(student))
    assert second.status_code == 201
    payment_id = second.get_json()["payment"]["id"]
    pending = client.get("/api/v1/admin/payments", headers=auth_for(admin)).get_json()["items"]
    assert [p["id"] for p in pending] == [payment_id]
    res = client.post(f"/api/v1/admin/payments/{payment_id}/approve", headers=auth_for(admin))
    assert res.status_code == 200 and res.get_json()["payment"]["status"] == "approved"
    run_worker()
    approved = smtp.inbox.wait_for(lambda m: m["Subject"].startswith("Payment approved"))
    assert "Paid Python" in approved["Subject"] and approved["List-Unsubscribe"] is None
    confirmed = smtp.inbox.wait_for(lambda m: m["Subject"].startswith("You are enrolled"))
    assert confirmed["List-Unsubscribe"].startswith("<http") and "Pat Payer" in text_of(confirmed)
    assert {"payment_approved", "enrolment_confirmed"} <= set(_types(student))

    listed = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"]
    assert listed[0]["enrolment"]["status"] == "active"
    assert listed[0]["progress"] == {"course_id": course["id"], "completed": 0, "total": 2, "percent": 0}
    assert listed[0]["course"]["price"] == 49.5
    # a payment on an active enrolment is a conflict; another student's enrolment does not exist
    assert client.post(url, json={"reference": "X", "amount": 49.5}, headers=auth_for(student)).status_code == 409
    other = make_user()
    assert client.post(url, json={"reference": "X", "amount": 49.5}, headers=auth_for(other)).status_code == 404
    sent = db.session.scalars(select(EmailMessage.status).where(EmailMessage.user_id == student.id)).all()
    assert sent == ["sent", "sent", "sent"]


def test_a_failing_mail_server_never_breaks_the_request(client, run_worker, monkeypatch):
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:9")  # nothing listens on the discard port
    educator, student = make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price=0)
    assert enrol(client, student, course["id"])["status"] == "active"
    run_worker()
    row = db.session.scalar(select(EmailMessage).where(EmailMessage.user_id == student.id))
    assert row.status == "queued" and row.attempts == 1 and "Connection refused" in row.last_error
