"""The inbox service, on data built by the factories: every read path gives the schema's shape,
with an open crisis alert's notification pinned."""

from app.extensions import db
from app.models.alerts import RESOLVED
from app.services.notifications import inbox as notifications
from app.services.shared.transaction import commit
from tests import factories


def inbox_of_a_mentor_with_an_open_alert():
    mentor = factories.mentor()
    alert = factories.alert(factories.student(mentor))
    pinned = factories.notification(mentor, "crisis_alert", "Crisis alert", alert_id=alert.id)
    plain = [factories.notification(mentor, title=f"Note {i}") for i in range(3)]
    return mentor, alert, pinned, plain


def test_every_read_path_pins_the_open_alert_and_writes_times_with_z():
    mentor, _alert, pinned, plain = inbox_of_a_mentor_with_an_open_alert()
    cold = notifications.list_for(mentor)  # rebuilt from the database into the Redis fast list
    warm = notifications.list_for(mentor)  # read back from Redis
    assert cold == warm
    assert [(i["id"], i["pinned"]) for i in cold["items"]] == [
        (plain[2].id, False),
        (plain[1].id, False),
        (plain[0].id, False),
        (pinned.id, True),
    ]
    assert cold["unread_count"] == 4
    assert set(cold["items"][0]) == {"id", "type", "title", "body", "data", "created_at", "read_at", "pinned"}
    assert cold["items"][0]["created_at"].endswith("Z") and cold["items"][0]["read_at"] is None

    # a short page still shows the pinned one; replay and filters read the database
    assert [i["id"] for i in notifications.list_for(mentor, limit=1)["items"]] == [plain[2].id, pinned.id]
    replay = notifications.list_for(mentor, since_id=0)["items"]
    assert [(i["id"], i["pinned"]) for i in replay] == [(pinned.id, True)] + [(n.id, False) for n in plain]
    assert notifications.list_for(mentor, type="crisis_alert")["items"] == [cold["items"][-1]]


def test_a_live_notification_joins_the_fast_list_without_its_event_envelope():
    mentor, alert, pinned, _plain = inbox_of_a_mentor_with_an_open_alert()
    notifications.list_for(mentor)  # warm the fast list
    fresh = notifications.notify(mentor, "info", "Just now")
    commit()
    first = notifications.list_for(mentor)["items"][0]
    assert first["id"] == fresh.id and first["title"] == "Just now" and "event_id" not in first

    alert.status = RESOLVED
    db.session.commit()
    notifications.invalidate_fast_list(mentor)
    assert [i["pinned"] for i in notifications.list_for(mentor)["items"]] == [False] * 5
