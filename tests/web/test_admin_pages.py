"""The admin's pages with Flask's test client: the pending payments queue, approve and
reject with a note (the same service as the API), the event that keeps every admin's page
live, /admin/rq/ through the web session, and the not-allowed paths."""

from app.extensions import db
from app.models import Payment
from tests import factories
from tests.web.admin_fixture import pending_payments
from tests.web.pages import csrf_token, sign_in

HTMX = {"HX-Request": "true"}


def test_the_queue_lists_pending_payments_and_a_decision_removes_one(client):
    first, second = pending_payments(client)
    admin = factories.admin()
    sign_in(client, admin)
    html = client.get("/admin/payments").get_data(as_text=True)
    assert f'data-payment="{first}"' in html and f'data-payment="{second}"' in html and "REF-0" in html
    token = csrf_token(client, "/admin/payments")
    answer = client.post(
        f"/admin/payments/{first}/approve", data={"note": "Matched.", "csrf_token": token}, headers=HTMX
    )
    assert answer.status_code == 200
    part = answer.get_data(as_text=True)
    assert f'data-payment="{first}"' not in part and f'data-payment="{second}"' in part and "<html" not in part
    payment = db.session.get(Payment, first)
    db.session.refresh(payment)
    assert payment.status == "approved" and payment.note == "Matched." and payment.decided_by == admin.id
    again = client.post(f"/admin/payments/{first}/reject", data={"csrf_token": token}, headers=HTMX)
    assert again.status_code == 409, again.get_data(as_text=True)
    assert again.get_json()["error"]["code"] == "payment_decided"
    plain = client.post(f"/admin/payments/{second}/reject", data={"csrf_token": token})
    assert plain.status_code == 302 and plain.headers["Location"] == "/admin/payments"
    assert client.post(f"/admin/payments/{second}/approve", data={}).status_code == 400  # no CSRF token
    assert client.post("/admin/payments/999999/approve", data={"csrf_token": token}).status_code == 404


def test_a_decision_tells_every_admin_page_through_the_outbox(client):
    from app.models import OutboxEvent

    (payment,) = pending_payments(client, 1)
    sign_in(client, factories.admin())
    token = csrf_token(client, "/admin/payments")
    client.post(f"/admin/payments/{payment}/reject", data={"csrf_token": token}, headers=HTMX)
    events = [(e.event, e.room, e.payload) for e in db.session.query(OutboxEvent).order_by(OutboxEvent.id)]
    assert ("payment:changed", "admins", {"payment_id": payment, "status": "pending"}) in events
    assert ("payment:changed", "admins", {"payment_id": payment, "status": "rejected"}) in events


def test_other_roles_cannot_open_admin_pages(client, app):
    (payment,) = pending_payments(client, 1)
    for role in ("student", "mentor", "educator"):
        other = app.test_client()
        sign_in(other, factories.user(role))
        assert other.get("/admin").status_code == 403, role
        assert other.get("/admin/payments").status_code == 403, role
        token = csrf_token(other, f"/{role}")
        assert other.post(f"/admin/payments/{payment}/approve", data={"csrf_token": token}).status_code == 403
    assert db.session.get(Payment, payment).status == "pending"


def test_admins_signed_in_on_the_web_use_the_job_queues(client, app):
    anonymous = app.test_client()
    assert anonymous.get("/admin/rq/").status_code == 401
    sign_in(client, factories.admin())
    page = client.get("/admin/rq/")
    assert page.status_code == 200 and 'id="queues"' in page.get_data(as_text=True)
    assert "'unsafe-eval'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in client.get("/admin").headers["Content-Security-Policy"]
    educator = app.test_client()
    sign_in(educator, factories.user("educator"))
    assert educator.get("/admin/rq/").status_code == 401


def test_users_search_filter_page_create_deactivate_role_and_mentor(client, app):
    from app.models import User

    admin = factories.admin()
    mentor = factories.mentor(name="Mia Mentor")
    student = factories.student(name="Sam Student")
    for i in range(26):
        factories.user("educator", name=f"Edu {i:02d}")
    sign_in(client, admin)
    html = client.get("/admin/users?q=sam").get_data(as_text=True)
    assert f'data-user="{student.id}"' in html and f'data-user="{mentor.id}"' not in html
    educators = client.get("/admin/users?role=educator").get_data(as_text=True)
    assert "26 user(s) · page 1 of 2" in educators and "Next" in educators
    second = client.get("/admin/users?role=educator&page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and "Previous" in second and second.count('data-user="') == 1
    token = csrf_token(client, "/admin/users")
    back = "/admin/users?q=sam"
    made = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "next": back,
            "email": "new@example.test",
            "password": "a-long-password-1",
            "name": "New Person",
            "role": "mentor",
        },
    )
    assert made.status_code == 302 and made.headers["Location"] == back
    assert db.session.query(User).filter_by(email="new@example.test").one().role.value == "mentor"
    assert client.post("/admin/users", data={"csrf_token": token, "email": "x"}).status_code == 422

    off = client.post(f"/admin/users/{student.id}", data={"csrf_token": token, "action": "deactivate", "next": back})
    assert off.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, student.id).is_active
    client.post(f"/admin/users/{student.id}", data={"csrf_token": token, "action": "reactivate"})
    db.session.expire_all()
    assert db.session.get(User, student.id).is_active
    assigned = client.post(f"/admin/students/{student.id}/mentor", data={"csrf_token": token, "mentor_id": mentor.id})
    assert assigned.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).mentor_id == mentor.id
    busy = client.post(f"/admin/users/{mentor.id}", data={"csrf_token": token, "action": "role", "role": "educator"})
    assert busy.status_code == 409  # a mentor who still has students (as PATCH /admin/users)
    promoted = client.post(f"/admin/users/{student.id}", data={"csrf_token": token, "action": "role", "role": "admin"})
    assert promoted.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).role.value == "admin"
    assert client.post(f"/admin/users/{admin.id}", data={"csrf_token": token, "action": "bogus"}).status_code == 422
    evil = client.post(
        f"/admin/users/{mentor.id}", data={"csrf_token": token, "action": "deactivate", "next": "https://evil.example/"}
    )
    assert evil.headers["Location"] == "/admin/users"

    educator = app.test_client()
    sign_in(educator, factories.user("educator"))
    assert educator.get("/admin/users").status_code == 403


def test_crisis_oversight_lists_unresolved_alerts_oldest_first_with_who_was_told(client, app):
    from datetime import timedelta

    from app.models import AlertStep, AuditLog, utcnow

    mentor = factories.mentor(name="Mia Mentor")
    old_student, new_student = factories.student(mentor, name="Olga Old"), factories.student(mentor, name="Ned New")
    now = utcnow()
    old = factories.alert(old_student, created_at=now - timedelta(hours=3, minutes=5), escalation_level=1)
    new = factories.alert(new_student, created_at=now - timedelta(minutes=7))
    done = factories.alert(new_student, status="resolved", resolved_at=now, outcome="false_alarm")
    db.session.add_all(
        [
            AlertStep(alert_id=old.id, action="notified", note=f"mentor:{mentor.id}"),
            AlertStep(alert_id=old.id, action="escalated", note=f"mentor:{mentor.id}, admins"),
        ]
    )
    db.session.commit()
    admin = factories.admin()
    sign_in(client, admin)
    html = client.get("/admin/crisis").get_data(as_text=True)
    assert html.index(f'data-alert="{old.id}"') < html.index(f'data-alert="{new.id}"')
    assert f'data-alert="{done.id}"' not in html
    row = html[html.index(f'data-alert="{old.id}"') : html.index(f'data-alert="{new.id}"')]
    assert "3 h 5 min" in row and "Mia Mentor (mentor), admins" in row and "level 1" in row
    assert client.get("/admin/crisis/_alerts").status_code == 200

    plain = client.get("/admin/crisis/feedback.csv")
    assert plain.status_code == 200 and plain.mimetype == "text/csv"
    assert "message" not in plain.get_data(as_text=True).splitlines()[0]
    assert db.session.query(AuditLog).filter_by(action="exported_with_text").count() == 0
    with_text = client.get("/admin/crisis/feedback.csv?include_text=on").get_data(as_text=True)
    assert with_text.splitlines()[0].endswith("matched,message") and "I feel unsafe" in with_text
    assert db.session.query(AuditLog).filter_by(action="exported_with_text").count() == 1

    mentor_client = app.test_client()
    sign_in(mentor_client, mentor)
    assert mentor_client.get("/admin/crisis").status_code == 403
    assert mentor_client.get("/admin/crisis/feedback.csv?include_text=on").status_code == 403


def test_cohorts_create_open_close_join_code_and_members(client, app):
    from app.models import Cohort, CohortMember

    student = factories.student(name="Cora Cohort")
    sign_in(client, factories.admin())
    token = csrf_token(client, "/admin/cohorts")
    made = client.post("/admin/cohorts", data={"csrf_token": token, "name": "Spring 27", "join_code": "SPRING-27"})
    assert made.status_code == 302
    cohort = db.session.query(Cohort).filter_by(name="Spring 27").one()
    assert cohort.join_code == "SPRING-27" and not cohort.is_open
    assert client.post("/admin/cohorts", data={"csrf_token": token, "name": "Spring 27"}).status_code == 409
    client.post(f"/admin/cohorts/{cohort.id}", data={"csrf_token": token, "open": "on", "join_code": ""})
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert cohort.is_open and cohort.join_code is None
    client.post(f"/admin/cohorts/{cohort.id}/members", data={"csrf_token": token, "student_id": str(student.id)})
    page = client.get("/admin/cohorts").get_data(as_text=True)
    assert f'data-member="{student.id}"' in page and "Cora Cohort" in page and ">open<" in page
    client.post(f"/admin/cohorts/{cohort.id}/members", data={"csrf_token": token, "remove": str(student.id)})
    assert db.session.query(CohortMember).filter_by(cohort_id=cohort.id).count() == 0
    assert client.post("/admin/cohorts/999999", data={"csrf_token": token}).status_code == 404
    bad = client.post(f"/admin/cohorts/{cohort.id}/members", data={"csrf_token": token, "student_id": "x"})
    assert bad.status_code == 422
    mentor = app.test_client()
    sign_in(mentor, factories.mentor())
    assert mentor.get("/admin/cohorts").status_code == 403
