"""`flask demo simulate`: keep the demo data moving so a person can watch the dashboards live.

Every change goes through the services, exactly as a request would, so every event path
moves: grades and attendance (grade:updated, attendance:updated, at-risk notices), new
exams now and then (exam:created), journal entries (entry:created), task completions
(task:assigned, task:updated, metrics:updated), lesson progress (course events), and now
and then a crisis message from a demo student through the intents service (crisis_alert).
It stops by itself after `duration` seconds (or `steps` changes).
"""

import random
import time

from sqlalchemy import select

from app.extensions import db
from app.models import Course, Enrolment, Lesson, LessonCompletion, Role, Section, Task, User, utcnow
from app.services.academy import catalog, enrolment, learning
from app.services.crisis import intents
from app.services.demo import seed
from app.services.performance import attendance as section_attendance
from app.services.performance import exams, grades, sections
from app.services.portal import entries, tasks
from app.services.shared.errors import DomainError
from app.services.shared.transaction import rollback

# One round: each everyday change four times, then one crisis message ("now and then").
EVERYDAY = ("grade", "attendance", "entry", "task", "lesson")
ROUND = EVERYDAY * 4 + ("crisis",)
NEW_EXAM_EVERY = 8  # grade steps: then the educator also adds a fresh exam
ENTRY_TITLES = ["Refactored my API", "Learned about queues", "Pair-programmed a feature", "Wrote more tests"]
CRISIS_MESSAGES = ["I can't cope with any of this anymore", "I feel like hurting myself tonight"]


def _by_email(email):
    return db.session.scalar(select(User).where(User.email == email))


def _students():
    return [u for u in (_by_email(s[0]) for s in seed.STUDENTS) if u is not None and u.is_active]


class Simulator:
    def __init__(self, rng):
        self.rng, self.grade_steps = rng, 0
        self.educator = _by_email(seed.EDUCATOR[0])

    def grade(self):
        section = self.rng.choice(self._sections())
        self.grade_steps += 1
        published = [e for e in exams.list_exams(self.educator, section_id=section.id) if e.published]
        if not published or self.grade_steps % NEW_EXAM_EVERY == 0:
            subject = self.rng.choice(section.subjects)
            published.append(
                exams.create(self.educator, section.id, subject, f"{subject.title()} pop quiz {self.grade_steps}",
                             utcnow().date(), 50, published=True)
            )  # fmt: skip
        exam = published[-1]
        student_id = self.rng.choice([e.student_id for e in sections.current_enrolments(section.id)])
        score = self.rng.randint(15, 50)
        grades.put_grades(self.educator, exam.id, [(1, {"student_id": student_id, "score": score})])
        return f"grade {score}/50 for student {student_id} in {exam.name}"

    def attendance(self):
        section = self.rng.choice(self._sections())
        student_id = self.rng.choice([e.student_id for e in sections.current_enrolments(section.id)])
        status = self.rng.choices(["present", "late", "absent", "excused"], [6, 2, 2, 1])[0]
        section_attendance.put_day(self.educator, section.id, utcnow().date(), [(1, {"student_id": student_id,
                                                                                     "status": status})])  # fmt: skip
        return f"{status} today for student {student_id} in {section.name}"

    def entry(self):
        student = self.rng.choice(_students())
        entry = entries.create(student, self.rng.choice(ENTRY_TITLES), "Written by the demo simulator.", ["python"])
        return f"entry {entry.id} by {student.name}"

    def task(self):
        student = self.rng.choice([s for s in _students() if s.mentor_id])
        task = db.session.scalar(
            select(Task).where(Task.student_id == student.id, Task.status != "done").order_by(Task.id).limit(1)
        )
        if task is None:
            task = tasks.create(
                student.mentor, student.id, "Practice task", "From the demo simulator.", None, ["python"], 1
            )
        tasks.set_status(student, task.id, "done")
        return f"task {task.id} done by {student.name}"

    def lesson(self):
        """Complete a lesson an active student has not; when none is left, the educator adds one."""
        for enrolled in db.session.scalars(
            select(Enrolment).where(Enrolment.status == "active").order_by(Enrolment.id)
        ):
            done = select(LessonCompletion.lesson_id).where(LessonCompletion.student_id == enrolled.student_id)
            lesson = db.session.scalar(
                select(Lesson)
                .where(Lesson.course_id == enrolled.course_id, Lesson.published.is_(True), Lesson.id.not_in(done))
                .order_by(Lesson.position, Lesson.id)
                .limit(1)
            )
            if lesson is not None:
                student = db.session.get(User, enrolled.student_id)
                learning.complete(student, enrolled.course_id, lesson.id)
                return f"lesson {lesson.title!r} completed by {student.name}"
        course = db.session.scalar(select(Course).where(Course.price == 0).order_by(Course.id))
        if course is None:
            return None
        owner = db.session.get(User, course.owner_id)
        newcomer = next((s for s in _students() if not _enrolled(s, course)), None)
        if newcomer is not None:
            enrolment.enrol(newcomer, course.id)
            return f"{newcomer.name} enrolled in {course.title}"
        module = course.modules[0]
        catalog.create_lesson(owner, course.id, module.id, f"Extra practice {utcnow():%H%M%S}", published=True)
        return f"a new lesson in {course.title}"

    def crisis(self):
        student = self.rng.choice(_students())
        body = {"message": self.rng.choice(CRISIS_MESSAGES), "intent": "crisis", "confidence": 0.95}
        answer, _ = intents.record(student, f"user:{student.id}", body)
        return f"crisis message from {student.name} (alert {answer['alert'] and answer['alert']['id']})"

    def _sections(self):
        return list(db.session.scalars(select(Section).where(Section.educator_id == self.educator.id)))


def _enrolled(student, course):
    return db.session.scalar(
        select(Enrolment.id).where(Enrolment.student_id == student.id, Enrolment.course_id == course.id)
    )


def simulate(rate=1.0, duration=60.0, steps=None, seed_value=None, echo=None, sleep=time.sleep, clock=time.monotonic):
    """Make about `rate` changes a second until `duration` seconds have passed (or `steps`
    changes were made); returns {kind: how many were made}. Seeds the demo data first when
    it is missing. `sleep` and `clock` are passed in by tests, which drive time."""
    if rate <= 0 or duration < 0:
        raise ValueError("rate must be above 0 and duration at least 0")
    seed.seed()
    if _by_email(seed.EDUCATOR[0]) is None or _by_email(seed.EDUCATOR[0]).role != Role.EDUCATOR:
        raise ValueError("the demo educator is missing: run `flask seed-demo` on an empty database")
    simulator, made = Simulator(random.Random(seed_value)), {}
    started, step = clock(), 0
    while (steps is None or step < steps) and clock() - started < duration:
        kind = ROUND[step % len(ROUND)]
        step += 1
        try:
            said = getattr(simulator, kind)()
        except DomainError as exc:  # e.g. a task a mentor changed meanwhile: skip this one
            rollback()
            said = f"skipped ({exc.message})"
        else:
            made[kind] = made.get(kind, 0) + 1
        if echo is not None:
            echo(f"{kind:<10} {said}")
        sleep(1.0 / rate)
    return made
