"""Issue 25: one open alert per student (attach, raise, re-notify, count), C-SSRS severity,
the model's part of the trigger, and reports of missed crises (route, export, training)."""

import csv
import io
from datetime import timedelta

from app.extensions import db
from app.models import CrisisAlert, Notification, OutboxEvent, utcnow
from app.services.crisis import alerts, missed
from tests.helpers import auth_for, crisis, make_user, post_intent


def alert_of(client, mentor, alert_id):
    res = client.get(f"/api/v1/mentor/alerts/{alert_id}", headers=auth_for(mentor))
    assert res.status_code == 200, res.get_json()
    return res.get_json()["alert"]


def live_notifications(mentor):
    return (
        db.session.query(OutboxEvent)
        .filter(OutboxEvent.event == "notification", OutboxEvent.room.in_([f"mentor:{mentor.id}", f"user:{mentor.id}"]))
        .count()
    )


def test_repeated_crisis_messages_attach_to_the_open_alert(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    first = post_intent(client, student.id, message="I feel awful today", intent="crisis", confidence=0.6).get_json()
    assert first["alert"]["severity"] == "high"
    second = crisis(client, student, "I keep thinking about killing myself")
    third = crisis(client, student, "i have saved up my pills and tonight is the night")
    ids = {first["alert"]["id"], second["alert"]["id"], third["alert"]["id"]}
    assert len(ids) == 1 and third["alert"]["status"] == "open"
    assert third["alert"]["severity"] == "critical"  # raised by the third message
    assert db.session.query(CrisisAlert).filter_by(student_id=student.id).count() == 1
    alert = alert_of(client, mentor, ids.pop())
    assert alert["message_count"] == 3 and alert["severity"] == "critical"
    messages = alert["trigger"]["messages"]
    assert [m["message"] for m in messages] == [
        "I feel awful today",
        "I keep thinking about killing myself",
        "i have saved up my pills and tonight is the night",
    ]
    assert all(m["created_at"].endswith("Z") for m in messages)
    assert alert["trigger"]["message"] == "I feel awful today"  # the first, as before
    assert [s["action"] for s in alert["steps"]].count("attached") == 2
    # the mentor is told each time, in the inbox and live
    notes = db.session.query(Notification).filter_by(user_id=mentor.id, type="crisis_alert").all()
    assert len(notes) == 3 and all(n.alert_id == alert["id"] for n in notes)
    assert "saved up my pills" in notes[-1].data["excerpt"]
    assert live_notifications(mentor) == 3


def test_an_acknowledged_alert_takes_the_message_and_restarts_its_clock(client, app):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    alert_id = crisis(client, student)["alert"]["id"]
    client.post(f"/api/v1/mentor/alerts/{alert_id}/acknowledge", headers=auth_for(mentor))
    again = crisis(client, student, "i want to end my life")
    assert again["alert"]["id"] == alert_id and again["alert"]["status"] == "open"
    row = db.session.get(CrisisAlert, alert_id)
    db.session.refresh(row)
    assert row.acknowledged_at is None and row.message_count == 2
    assert row.next_check_at > utcnow() + timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"] - 30)
    later = utcnow() + timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"] + 5)
    assert alerts.check(alert_id, later) == "escalated"


def test_a_resolved_alert_is_never_reopened(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    first = crisis(client, student)["alert"]["id"]
    client.post(f"/api/v1/mentor/alerts/{first}/resolve", json={"note": "talked"}, headers=auth_for(mentor))
    second = crisis(client, student)["alert"]
    assert second["id"] != first and second["status"] == "open"
    assert db.session.get(CrisisAlert, first).status == "resolved"
    assert alert_of(client, mentor, second["id"])["message_count"] == 1


def test_severity_never_drops_when_a_milder_message_attaches(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    alert_id = post_intent(client, student.id, message="x", intent="crisis", confidence=0.9, severity="critical")
    alert_id = alert_id.get_json()["alert"]["id"]
    assert post_intent(client, student.id, message="i feel hopeless", intent="crisis", severity="medium").status_code
    assert db.session.get(CrisisAlert, alert_id).severity == "critical"


def test_cssrs_a_wish_to_be_dead_with_saved_up_pills_is_critical(client):
    student = make_user(mentor=make_user("mentor"))
    body = post_intent(client, student.id, message="honestly i wish i was dead. saved up my mums pills", intent="chat")
    assert body.get_json()["alert"]["severity"] == "critical"


def test_a_model_only_hit_says_so_in_the_trigger(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    # means with no verb of dying: the rules are silent, the model is not
    message = "ich hab die tabletten von meiner oma gesammelt"
    body = post_intent(client, student.id, message=message, intent="small_talk", confidence=0.9).get_json()
    assert body["crisis"] is True, body
    trigger = alert_of(client, mentor, body["alert"]["id"])["trigger"]
    assert trigger["source"] == "text" and trigger["matched"] == []
    assert trigger["model"]["score"] >= trigger["model"]["threshold"]
    assert trigger["model"]["top_features"]


def test_a_rules_hit_keeps_its_phrases_and_label_only_has_no_model(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    body = post_intent(client, student.id, message="I feel awful", intent="crisis", confidence=0.9).get_json()
    assert alert_of(client, mentor, body["alert"]["id"])["trigger"]["model"] is None


def ordinary_message(client, student, message="i cant sleep, everything feels pointless lately"):
    body = post_intent(client, student.id, message=message, intent="small_talk", confidence=0.9).get_json()
    return body


def test_a_mentor_reports_a_missed_crisis_and_the_export_lists_it(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor)
    body = ordinary_message(client, student, "can you help me with fractions")
    assert body["crisis"] is False
    res = client.post(
        "/api/v1/mentor/missed-crisis",
        json={"intent_id": body["id"], "category": "wish_to_be_dead", "note": "she told me after"},
        headers=auth_for(mentor),
    )
    assert res.status_code == 201, res.get_json()
    report = res.get_json()["report"]
    assert report["intent_id"] == body["id"] and report["student_id"] == student.id
    again = client.post(
        "/api/v1/mentor/missed-crisis",
        json={"intent_id": body["id"], "category": "wish_to_be_dead"},
        headers=auth_for(mentor),
    )
    assert again.status_code == 409
    export = client.get("/api/v1/admin/crisis/feedback?format=csv&include_text=true", headers=auth_for(admin))
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    row = next(r for r in rows if r["source"] == "missed_report")
    assert row["outcome"] == "missed" and row["categories"] == "wish_to_be_dead"
    assert row["message"] == "can you help me with fractions" and row["student_id"] == str(student.id)
    # and the next training run learns from it
    field = missed.training_rows()
    assert {"text": "can you help me with fractions", "category": "wish_to_be_dead"}.items() <= field[0].items()


def test_missed_crisis_reports_check_who_asks(client):
    mentor, other = make_user("mentor"), make_user("mentor")
    student = make_user(mentor=mentor)
    intent_id = ordinary_message(client, student, "hello there")["id"]
    body = {"intent_id": intent_id, "category": "self_harm"}
    url = "/api/v1/mentor/missed-crisis"
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=auth_for(student)).status_code == 403
    assert client.post(url, json=body, headers=auth_for(other)).status_code == 404
    assert client.post(url, json=dict(body, intent_id=999_999), headers=auth_for(mentor)).status_code == 404
    assert client.post(url, json=dict(body, category="bogus"), headers=auth_for(mentor)).status_code == 422
    assert client.post(url, json={"category": "self_harm"}, headers=auth_for(mentor)).status_code == 422
    assert client.post(url, json=body, headers=auth_for(make_user("admin"))).status_code == 201
    alerted = crisis(client, student)["id"]
    res = client.post(url, json=dict(body, intent_id=alerted), headers=auth_for(mentor))
    assert res.status_code == 409
