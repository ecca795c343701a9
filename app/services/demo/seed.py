"""Demo data: an admin, two mentors, an educator (two sections with exams, grades and attendance),
six students in two cohorts (both assigned to the educator), and two courses (one free, one paid)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Cohort, CohortMember, Course, EducatorCohort, Role, Section, User, utcnow
from app.services.academy import catalog, enrolment, learning, payments
from app.services.performance import attendance as section_attendance
from app.services.performance import exams, grades, recompute, sections
from app.services.portal import entries, schedules, tasks

PASSWORD = "pulse-demo-1"
ADMIN = ("admin@pulse.test", "Ada Admin", Role.ADMIN)
MENTORS = [("mentor1@pulse.test", "Maya Mentor"), ("mentor2@pulse.test", "Omar Mentor")]
EDUCATOR = ("educator@pulse.test", "Eli Educator", Role.EDUCATOR)
COHORTS = ["Cohort Aurora", "Cohort Borealis"]
# Cohorts students may join by themselves: (name, open, join code)
JOINABLE = [("Cohort Comet", True, None), ("Cohort Delta", False, "DELTA-2026")]
# (email, name, mentor index, cohort index)
STUDENTS = [
    ("student1@pulse.test", "Sam Student", 0, 0),
    ("student2@pulse.test", "Lena Learner", 0, 0),
    ("student3@pulse.test", "Kai Kim", 0, 1),
    ("student4@pulse.test", "Noor Novak", 1, 0),
    ("student5@pulse.test", "Theo Tran", 1, 1),
    ("student6@pulse.test", "Ivy Ito", 1, 1),
]
CREDENTIALS = (
    [(ADMIN[0], PASSWORD, "admin")]
    + [(email, PASSWORD, "mentor") for email, _ in MENTORS]
    + [(EDUCATOR[0], PASSWORD, "educator")]
    + [(s[0], PASSWORD, "student") for s in STUDENTS]
)


def _user(email, name, role, created):
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        created.append(user)
    return user


def _cohort(name):
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is None:
        cohort = Cohort(name=name)
        db.session.add(cohort)
    return cohort


def seed(only_if_empty=False):
    """Create what is missing; returns how many users were new, or None if skipped."""
    if only_if_empty and db.session.scalar(select(func.count(User.id))):
        return None
    created = []
    _user(*ADMIN, created)
    educator = _user(*EDUCATOR, created)
    mentors = [_user(email, name, Role.MENTOR, created) for email, name in MENTORS]
    cohorts = [_cohort(name) for name in COHORTS]
    for name, is_open, code in JOINABLE:
        joinable = _cohort(name)
        joinable.is_open, joinable.join_code = is_open, code
    db.session.flush()
    for email, name, mentor_index, cohort_index in STUDENTS:
        student = _user(email, name, Role.STUDENT, created)
        student.mentor = mentors[mentor_index]
        db.session.flush()
        cohort = cohorts[cohort_index]
        if not any(m.cohort_id == cohort.id for m in student.cohort_memberships):
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=student.id))
    _assign_cohorts(educator, cohorts)
    db.session.commit()
    if created:
        _portal_work(mentors[0], cohorts[0])
    _academy(admin=_user(*ADMIN, created), educator=_user(*EDUCATOR, created))
    if not db.session.scalar(select(func.count(Section.id)).where(Section.educator_id == educator.id)):
        _educator_work(educator)
    return len(created)


def _assign_cohorts(educator, cohorts):
    """The demo educator teaches the demo cohorts (an educator enrols only students of theirs)."""
    assigned = set(
        db.session.scalars(select(EducatorCohort.cohort_id).where(EducatorCohort.educator_id == educator.id))
    )
    for cohort in cohorts:
        if cohort.id not in assigned:
            db.session.add(EducatorCohort(educator_id=educator.id, cohort_id=cohort.id))


# (title, description, price, [(module, [lessons])])
COURSES = [
    (
        "Flask from zero",
        "Routes, templates, tests: a first web app.",
        0,
        [("Getting started", ["Install and run", "Your first route", "Templates"])],
    ),
    (
        "Real-time apps with Socket.IO",
        "Rooms, events and scaling with a message queue.",
        49,
        [("Events", ["Connect and emit", "Rooms"]), ("Scaling", ["The Redis message queue"])],
    ),
]


def _academy(admin, educator):
    """Two courses (one free, one paid) through the real services, with enrolments at each stage."""
    if db.session.scalar(select(Course.id).where(Course.title == COURSES[0][0])):
        return
    made = []
    for title, description, price, modules in COURSES:
        course = catalog.create_course(educator, title, description, price, published=True)
        lessons = []
        for module_title, lesson_titles in modules:
            module = catalog.create_module(educator, course.id, module_title)
            lessons += [catalog.create_lesson(educator, course.id, module.id, t, published=True) for t in lesson_titles]
        made.append((course, lessons))
    (free, free_lessons), (paid, _paid_lessons) = made
    students = [db.session.scalar(select(User).where(User.email == s[0])) for s in STUDENTS[:3]]
    enrolment.enrol(students[0], free.id)
    learning.complete(students[0], free.id, free_lessons[0].id)
    enrolment.enrol(students[1], free.id)
    pending = enrolment.enrol(students[1], paid.id)  # paid, payment reported, waiting for an admin
    payments.report(students[1], pending.id, "BANK-2041", paid.price)
    active = enrolment.enrol(students[2], paid.id)
    answer, _status = payments.report(students[2], active.id, "BANK-2040", paid.price)
    payments.approve(admin, answer["payment"]["id"], "Received, thank you.")


def _portal_work(mentor, cohort):
    """A little mentoring history for the first mentor's students, through the real services."""
    from datetime import timedelta

    students = sorted(
        (s for s in db.session.scalars(select(User).where(User.mentor_id == mentor.id))), key=lambda u: u.id
    )
    first, second = students[0], students[1]
    approved = entries.create(first, "Built a REST API", "Flask, tests, docs.", ["python", "apis"])
    entries.review(mentor, approved.id, "approved", "Solid work.")
    revise = entries.create(second, "CSS layout practice", "Grid and flexbox.", ["css"])
    entries.review(mentor, revise.id, "needs_revision", "Add a mobile layout.")
    entries.create(first, "Week 2 journal", "Learned about queues.", ["python"])
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    tasks.create(mentor, first.id, "Write unit tests", "Cover the API.", now - timedelta(days=1), ["testing"], 3)
    tasks.create(mentor, second.id, "Read about accessibility", "", now + timedelta(days=3), ["css", "a11y"], 2)
    schedules.create(mentor, "Weekly 1:1", now + timedelta(hours=2), now + timedelta(hours=3), student_id=first.id)
    schedules.create(
        mentor,
        "Cohort demo day",
        now + timedelta(days=1),
        now + timedelta(days=1, hours=2),
        cohort_id=cohort.id,
        focus_stack=["react", "flask"],
    )


# (section, subjects, student indexes into STUDENTS)
SECTIONS = [
    ("Math 10A", ["algebra", "geometry"], [0, 1, 2, 3]),
    ("Science 10B", ["physics", "chemistry"], [2, 3, 4, 5]),
]


def _educator_work(educator):
    """Two sections with five weeks of exams, grades and attendance, through the real services."""
    now = utcnow()
    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.role == Role.STUDENT))}
    for number, (name, subjects, picks) in enumerate(SECTIONS):
        section = sections.create(educator, name, subjects, term="2026 autumn")
        students = [by_email[STUDENTS[i][0]] for i in picks]
        for student in students:
            sections.enrol(educator, section.id, student.id, enrolled_at=now - timedelta(days=45))
        for week in range(5):
            subject = subjects[week % 2]
            exam = exams.create(
                educator, section.id, subject, f"{subject.title()} quiz {week + 1}",
                (now - timedelta(days=35 - 7 * week)).date(), 50, published=True,
            )  # fmt: skip
            # a spread of results; the last student of each section slips week by week
            rows = [
                {"student_id": s.id, "score": max(5, 47 - 6 * i - (7 * week if i == len(students) - 1 else 0) + number)}
                for i, s in enumerate(students)
            ]
            grades.put_grades(educator, exam.id, list(enumerate(rows, start=1)))
        for back in range(1, 11):
            day = (now - timedelta(days=back)).date()
            statuses = ["present", "present", "late", "absent" if back % 3 else "excused"]
            rows = [{"student_id": s.id, "status": statuses[i]} for i, s in enumerate(students)]
            section_attendance.put_day(educator, section.id, day, list(enumerate(rows, start=1)), now=now)
        recompute.recompute_section(section.id, summaries_now=True)  # ready without waiting for a worker
