"""flask users create and seed-demo."""

from app.extensions import db
from app.models import Cohort, Role, User
from app.services.demo import seed as demo


def test_users_create(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@x.test",
            "--password",
            "long-enough",
            "--name",
            "Boss",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.query(User).filter_by(email="boss@x.test").one().role == Role.ADMIN
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@x.test",
            "--password",
            "long-enough",
            "--name",
            "Boss",
            "--role",
            "admin",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "admin@pulse.test" in first.output
    counts = (db.session.query(User).count(), db.session.query(Cohort).count())
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert (db.session.query(User).count(), db.session.query(Cohort).count()) == counts
    assert counts[0] == len(demo.CREDENTIALS)
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has users" in skipped.output
    mentor = db.session.query(User).filter_by(email="mentor1@pulse.test").one()
    assert db.session.query(User).filter_by(mentor_id=mentor.id).count() == 3


def test_seed_demo_gives_the_first_mentor_real_portal_work(app, client):
    from app.models import Entry, Schedule, Task
    from tests.helpers import auth_for

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    counts = (db.session.query(Entry).count(), db.session.query(Task).count(), db.session.query(Schedule).count())
    assert counts == (3, 2, 2)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # nothing added twice
    assert (db.session.query(Entry).count(), db.session.query(Task).count()) == counts[:2]
    mentor = db.session.query(User).filter_by(email="mentor1@pulse.test").one()
    metrics = client.get("/api/v1/mentor/metrics", headers=auth_for(mentor)).get_json()
    assert metrics["entries"] == {"total": 3, "approved": 1, "pending": 1, "needs_revision": 1, "rejected": 0}
    assert metrics["tasks"] == {"open": 2, "overdue": 1}


def test_seed_demo_adds_a_free_and_a_paid_course_with_enrolments(app, client):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Course, Enrolment, Payment

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    assert [float(c.price) for c in courses] == [0.0, 49.0] and all(c.published for c in courses)
    statuses = sorted(db.session.scalars(select(Enrolment.status)))
    assert statuses == ["active", "active", "active", "pending_payment"]
    assert sorted(db.session.scalars(select(Payment.status))) == ["approved", "pending"]
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(Course.id))) == 2  # nothing added twice


def test_seed_demo_gives_the_educator_two_sections_with_figures(app, client):
    from tests.helpers import auth_for

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # nothing added twice
    educator = User.query.filter_by(email="educator@pulse.test").one()
    sections = client.get("/api/v1/educator/sections", headers=auth_for(educator)).get_json()["items"]
    assert [s["name"] for s in sections] == ["Math 10A", "Science 10B"]
    assert all(len(s["students"]) == 4 for s in sections)
    overview = client.get("/api/v1/performance/overview", headers=auth_for(educator)).get_json()
    assert overview["total_students"] == 6 and overview["overall_average"] is not None
    assert overview["cached"] is True  # computed by the seed
    assert overview["attendance_percentage"] is not None and overview["at_risk_count"] >= 1
    exams = client.get("/api/v1/educator/exams", headers=auth_for(educator)).get_json()["items"]
    assert len(exams) == 10 and all(e["published"] for e in exams)
    # the demo cohorts are the educator's: that is why the seed could enrol their students
    admin = User.query.filter_by(email="admin@pulse.test").one()
    path = f"/api/v1/admin/educators/{educator.id}/cohorts"
    assigned = client.get(path, headers=auth_for(admin)).get_json()["items"]
    assert [c["name"] for c in assigned] == demo.COHORTS
