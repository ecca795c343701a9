"""The performance figures in the rest of Pulse: the mentor's insights and the student's readiness."""

from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Grade, Section, SectionEnrolment
from app.services.dashboard import readiness
from app.services.identity import users
from app.services.performance import live, rules, summaries
from app.services.portal import insights


def grade_evidence(student_id):
    """Readiness evidence: each graded published exam adds percentage/100 points to its subject's skill."""
    points = {}
    rows = db.session.execute(
        select(Exam.subject, Grade.score, Exam.total_marks)
        .join(Grade, Grade.exam_id == Exam.id)
        .where(Grade.student_id == student_id, Exam.published.is_(True))
    )
    for subject, score, total in rows:
        points[subject] = points.get(subject, 0.0) + rules.percentage(score, total) / 100.0
    return {subject: round(value, 4) for subject, value in points.items()}


def student_renamed(user):
    """A rename, in its transaction: every section that ever had the student is stale (its cached
    figures, the overviews merged from them and the CSV/PDF exports read from them carry names)
    and is recomputed after the commit."""
    sections = db.session.scalars(
        select(Section)
        .join(SectionEnrolment, SectionEnrolment.section_id == Section.id)
        .where(SectionEnrolment.student_id == user.id)
    )
    for section in sections.unique():
        live.changed(section)


def register():
    """Plug performance into insights, readiness and renames (idempotent: create_app may run many times)."""
    insights.register_section("performance", summaries.summary_for)
    users.on_rename(student_renamed)
    if grade_evidence not in readiness.EXTRA_EVIDENCE:
        readiness.register_evidence(grade_evidence)
