"""Grades: a whole exam's grades in one all-or-nothing upload, every change kept in history."""

from sqlalchemy import select

from app.extensions import db
from app.models import Grade, GradeChange, Section, SectionEnrolment, utcnow
from app.services.dashboard.queue import queue_refresh
from app.services.performance import access, changes, live, rows
from app.services.shared.transaction import commit

COLUMNS = ["student_id", "score"]


def _checker(exam, enrolled):
    check_student = rows.student_checker(COLUMNS, enrolled)

    def check(row):
        errors = {}
        student_id = check_student(row, errors)
        try:
            score = rows.as_number(row.get("score"))
            if not 0 <= score <= exam.total_marks:
                errors["score"] = [f"Must be between 0 and {exam.total_marks:g}."]
        except (TypeError, ValueError):
            score = None
            errors["score"] = ["A number is required."]
        return (student_id, score), errors

    return check


def put_grades(user, exam_id, upload):
    """Set grades from `upload` (numbered rows): all are saved, or none and every bad row is listed."""
    exam = access.visible_exam(user, exam_id, lock=True)  # one upload per exam at a time
    section = db.session.get(Section, exam.section_id)
    enrolled = set(
        db.session.scalars(
            select(SectionEnrolment.student_id).where(
                SectionEnrolment.section_id == section.id, SectionEnrolment.left_at.is_(None)
            )
        )
    )
    clean = rows.check_all(upload, _checker(exam, enrolled))
    existing = {g.student_id: g for g in db.session.scalars(select(Grade).where(Grade.exam_id == exam.id))}
    now, saved, moved = utcnow(), [], []
    for student_id, score in clean:
        grade = existing.get(student_id)
        if grade is None or grade.score != score:
            moved.append((student_id, score))
        if grade is None:
            grade = Grade(exam_id=exam.id, student_id=student_id, score=score, graded_by=user.id, graded_at=now)
            db.session.add(grade)
            grade.history.append(GradeChange(old_score=None, new_score=score, changed_by=user.id, changed_at=now))
        elif grade.score != score:
            grade.history.append(
                GradeChange(old_score=grade.score, new_score=score, changed_by=user.id, changed_at=now)
            )
            grade.score, grade.graded_by, grade.graded_at = score, user.id, now
        saved.append(grade)
    names = changes.student_names(sid for sid, _ in moved)
    told = [changes.grade(sid, names.get(sid), exam, score) for sid, score in moved[: changes.LIMIT]]
    live.changed(section, "grade:updated", told, total=len(moved))
    if exam.published:
        queue_refresh([s for s, _ in clean], f"grades:exam:{exam.id}", "normal")  # readiness counts grades
    commit()
    return saved


def grades_of(user, exam_id):
    exam = access.visible_exam(user, exam_id)
    return db.session.scalars(select(Grade).where(Grade.exam_id == exam.id).order_by(Grade.student_id)).all()
