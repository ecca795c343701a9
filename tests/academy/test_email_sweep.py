"""An email whose send job was lost (Redis down when its change committed) is not lost: the
row is the record, and the sweep enqueues it again; the worker then delivers it once."""

from datetime import timedelta

from app.extensions import db
from app.models import EmailMessage, utcnow
from app.models.email import SENT
from app.services.notifications.mail import queue
from app.services.shared.queues import enqueue
from tests.helpers import make_user


def record_email(user, minutes_ago):
    row = EmailMessage(
        user_id=user.id,
        to_address=user.email,
        type="enrolment_confirmed",
        template="enrolment_confirmed",
        context={"course": "Lost and found"},
        critical=False,
        created_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_recorded_email_whose_job_was_lost_is_delivered_by_the_sweep(smtp, run_worker):
    student = make_user(name="Lee Lost", email="lee@example.test")
    lost = record_email(student, minutes_ago=20)  # recorded, never enqueued
    fresh = record_email(student, minutes_ago=1)  # its job may still be on its way: left alone
    enqueue("app.jobs.email.requeue_stale_emails")
    run_worker()
    smtp.inbox.wait_for(lambda m: m["To"] == "lee@example.test")
    assert [m["To"] for m in smtp.inbox.messages] == ["lee@example.test"]
    db.session.expire_all()
    assert db.session.get(EmailMessage, lost).status == SENT
    assert db.session.get(EmailMessage, fresh).status != SENT
    # Run again: the sent one is not queued again, nothing is sent twice.
    assert queue.requeue_stale(utcnow() + timedelta(minutes=10)) == 1  # only `fresh` is stale by then
    run_worker()
    smtp.inbox.wait_for(lambda _m: len(smtp.inbox.messages) >= 2)
    assert len(smtp.inbox.messages) == 2
