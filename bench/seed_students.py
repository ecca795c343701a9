"""Bulk-seed students with real work (cohorts, tasks, entries) for the dashboard benchmarks."""

from datetime import UTC, datetime, timedelta

SKILLS = ["python", "sql", "apis", "testing", "devops", "git", "design", "security"]
COHORT_SIZE = 25


def seed(count, password="bench-password"):
    """`count` students (in cohorts of 25, with a mentor each 25) with 4 tasks and 2 entries each."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.models import Cohort, CohortMember, Entry, Role, Task, User

    now = datetime.now(UTC)
    pw = generate_password_hash(password)  # one hash for all: hashing 10,000 would dominate
    groups = (count + COHORT_SIZE - 1) // COHORT_SIZE
    db.session.execute(
        insert(User),
        [
            {
                "email": f"mentor{g}@bench.test",
                "name": f"Mentor {g}",
                "role": Role.MENTOR,
                "password_hash": pw,
                "is_active": True,
                "created_at": now,
            }
            for g in range(groups)
        ],
    )
    db.session.execute(insert(Cohort), [{"name": f"Bench cohort {g}", "created_at": now} for g in range(groups)])
    mentors = list(db.session.scalars(select(User.id).where(User.role == Role.MENTOR).order_by(User.id)))
    cohorts = list(db.session.scalars(select(Cohort.id).order_by(Cohort.id)))
    db.session.execute(
        insert(User),
        [
            {
                "email": f"student{i}@bench.test",
                "name": f"Student {i}",
                "role": Role.STUDENT,
                "password_hash": pw,
                "is_active": True,
                "created_at": now,
                "mentor_id": mentors[i // COHORT_SIZE],
                "tier": "premium" if i % 2 else "free",
            }
            for i in range(count)
        ],
    )
    students = list(db.session.scalars(select(User.id).where(User.role == Role.STUDENT).order_by(User.id)))
    db.session.execute(
        insert(CohortMember),
        [{"cohort_id": cohorts[n // COHORT_SIZE], "user_id": sid, "joined_at": now} for n, sid in enumerate(students)],
    )
    tasks, entries = [], []
    for n, sid in enumerate(students):
        for k in range(4):
            done = (n + k) % 3 == 0
            tasks.append(
                {
                    "student_id": sid,
                    "mentor_id": mentors[n // COHORT_SIZE],
                    "title": f"Task {k}",
                    "description": "",
                    "skills": [SKILLS[(n + k) % 8], SKILLS[(n + 2 * k) % 8]],
                    "est_hours": 1.0 + k,
                    "due_at": now + timedelta(days=k - 1),
                    "status": "done" if done else "open",
                    "completed_at": now if done else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for k in range(2):
            entries.append(
                {
                    "student_id": sid,
                    "title": f"Entry {k}",
                    "body": "",
                    "skills": [SKILLS[(n + k) % 8]],
                    "status": ("approved", "needs_revision", "pending")[(n + k) % 3],
                    "created_at": now,
                    "updated_at": now,
                }
            )
    db.session.execute(insert(Task), tasks)
    db.session.execute(insert(Entry), entries)
    db.session.commit()
    return students
