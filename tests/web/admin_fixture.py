"""Pending payments for the admin pages' tests, made through the real API."""

from tests.academy.helpers import enrol, make_course
from tests.helpers import auth_for, make_user


def pending_payments(client, count=2):
    """`count` students each with a pending payment for one paid course; returns the payment ids."""
    educator = make_user("educator")
    course, _, _ = make_course(client, educator, price=30)
    ids = []
    for i in range(count):
        student = make_user(name=f"Payer {i}")
        enrolment = enrol(client, student, course["id"])
        res = client.post(
            f"/api/v1/enrolments/{enrolment['id']}/payment",
            json={"reference": f"REF-{i}", "amount": 30},
            headers=auth_for(student),
        )
        assert res.status_code == 201, res.get_json()
        ids.append(res.get_json()["payment"]["id"])
    return ids
