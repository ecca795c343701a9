"""A student is charged once: only a pending payment of an enrolment still awaiting it is
approved (409 otherwise); a paid enrolment that ended re-opens active, asking no new payment;
the database refuses a second approved payment for one enrolment."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Enrolment, Payment
from tests.academy.helpers import enrol, make_course
from tests.helpers import auth_for, make_user


def _report(client, student, enrolment_id, reference, expect=201):
    res = client.post(
        f"/api/v1/enrolments/{enrolment_id}/payment",
        json={"reference": reference, "amount": 30},
        headers=auth_for(student),
    )
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def _decide(client, admin, payment_id, decision, expect=200):
    res = client.post(f"/api/v1/admin/payments/{payment_id}/{decision}", headers=auth_for(admin))
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def _end(client, user, enrolment_id):
    res = client.post(f"/api/v1/enrolments/{enrolment_id}/end", headers=auth_for(user))
    assert res.status_code == 200, res.get_json()


def test_a_payment_of_an_ended_enrolment_is_not_approved(client):
    admin, educator, student = make_user("admin"), make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price="30.00", title="Paid")
    enrolment = enrol(client, student, course["id"])
    payment = _report(client, student, enrolment["id"], "BANK-1")["payment"]
    _end(client, student, enrolment["id"])

    refused = _decide(client, admin, payment["id"], "approve", 409)
    assert refused["error"]["code"] == "not_awaiting_payment"
    assert db.session.get(Payment, payment["id"]).status == "pending"
    assert db.session.get(Enrolment, enrolment["id"]).status == "ended"
    _decide(client, admin, payment["id"], "reject")  # the admin tells the student instead
    assert _decide(client, admin, payment["id"], "approve", 409)["error"]["code"] == "payment_decided"


def test_a_paid_enrolment_ended_and_re_enrolled_stays_paid(client):
    admin, educator, student = make_user("admin"), make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price="30.00", title="Paid")
    enrolment = enrol(client, student, course["id"])
    payment = _report(client, student, enrolment["id"], "BANK-1")["payment"]
    _decide(client, admin, payment["id"], "approve")
    _end(client, educator, enrolment["id"])

    again = enrol(client, student, course["id"])
    assert (again["id"], again["status"]) == (enrolment["id"], "active")
    assert _report(client, student, enrolment["id"], "BANK-2", 409)["error"]["code"] == "not_awaiting_payment"
    assert db.session.query(Payment).filter_by(enrolment_id=enrolment["id"]).count() == 1
    listed = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"]
    assert [i["enrolment"]["status"] for i in listed] == ["active"]


def test_ended_while_pending_then_re_enrolled_the_waiting_payment_is_approved_once(client):
    admin, educator, student = make_user("admin"), make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price="30.00", title="Paid")
    enrolment = enrol(client, student, course["id"])
    payment = _report(client, student, enrolment["id"], "BANK-1")["payment"]
    _end(client, student, enrolment["id"])
    assert enrol(client, student, course["id"])["status"] == "pending_payment"
    _report(client, student, enrolment["id"], "BANK-2", 409)  # the first one still waits
    _decide(client, admin, payment["id"], "approve")
    assert db.session.get(Enrolment, enrolment["id"]).status == "active"


def test_the_database_refuses_two_approved_payments_for_one_enrolment(client):
    educator, student = make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price="30.00", title="Paid")
    enrolment = enrol(client, student, course["id"])
    for reference in ("A", "B"):
        db.session.add(
            Payment(enrolment_id=enrolment["id"], reference=reference, amount=Decimal("30"), status="approved")
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # rejected ones are as many as happened
    for reference in ("C", "D"):
        db.session.add(
            Payment(enrolment_id=enrolment["id"], reference=reference, amount=Decimal("30"), status="rejected")
        )
    db.session.commit()


def test_a_second_approval_finds_the_enrolment_already_paid(client):
    """Approved by hand (an operator's SQL), then a waiting payment is approved: 409, not a second charge."""
    admin, educator, student = make_user("admin"), make_user("educator"), make_user()
    course, _lessons, _module = make_course(client, educator, price="30.00", title="Paid")
    enrolment = enrol(client, student, course["id"])
    payment = _report(client, student, enrolment["id"], "BANK-1")["payment"]
    db.session.add(Payment(enrolment_id=enrolment["id"], reference="HAND", amount=Decimal("30"), status="approved"))
    db.session.commit()
    assert _decide(client, admin, payment["id"], "approve", 409)["error"]["code"] == "already_paid"
    assert db.session.query(Payment).filter_by(enrolment_id=enrolment["id"], status="approved").count() == 1
