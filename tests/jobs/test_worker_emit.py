"""A separate RQ worker process delivers events to sockets through Redis."""

from app.models import OutboxEvent
from app.services.realtime import outbox
from app.services.realtime.rooms import student_room
from app.services.shared.queues import enqueue
from tests import factories
from tests.helpers import token_for


def test_event_from_worker_job_reaches_client(live_server, live_client, run_worker, app):
    from app.extensions import db

    student = factories.student()
    client = live_client(live_server)
    client.connect(token_for(student))
    row = outbox.record("dashboard:updated", student_room(student.id), {"sections": ["today"]})
    db.session.commit()  # stored, not yet published: only the worker's job will send it

    enqueue("app.jobs.maintenance.relay_outbox")
    run_worker()

    data = client.wait_for("dashboard:updated")
    assert data == {"event_id": row.id, "sections": ["today"]}
    db.session.expire_all()
    assert db.session.get(OutboxEvent, row.id).sent_at is not None


def test_relay_is_safe_to_run_twice(live_server, live_client, app):
    from app.extensions import db

    student = factories.student()
    client = live_client(live_server)
    client.connect(token_for(student))
    outbox.record("dashboard:updated", student_room(student.id), {"n": 1})
    db.session.commit()
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    client.wait_for("dashboard:updated")
    assert len(client.received("dashboard:updated")) == 1
