"""Educator sections (classes): enrolments, exams, grades with their history, daily attendance."""

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

SECTION_ATTENDANCE_STATUSES = ("present", "late", "absent", "excused")


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # Subject names taught in this section; every exam names one of them.
    subjects: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    term: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    enrolments = relationship("SectionEnrolment", cascade="all, delete-orphan", order_by="SectionEnrolment.student_id")


class EducatorCohort(db.Model):
    """A cohort an admin assigned to an educator: the educator builds sections from it and may
    enrol only its students (docs/performance.md)."""

    __tablename__ = "educator_cohorts"
    __table_args__ = (UniqueConstraint("educator_id", "cohort_id", name="uq_educator_cohort"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    assigned_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class SectionEnrolment(db.Model):
    """A student in a section from enrolled_at until left_at (null while still enrolled)."""

    __tablename__ = "section_enrolments"
    __table_args__ = (UniqueConstraint("section_id", "student_id", name="uq_section_enrolment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), nullable=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    enrolled_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    left_at = mapped_column(UTCDateTime, nullable=True)

    student = relationship("User")


class Exam(db.Model):
    __tablename__ = "exams"
    __table_args__ = (
        CheckConstraint("total_marks > 0", name="ck_exams_total_positive"),
        Index("ix_exams_section_date", "section_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), nullable=False)
    subject: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    date = mapped_column(Date, nullable=False)
    total_marks: Mapped[float] = mapped_column(Float, nullable=False)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    grades = relationship("Grade", cascade="all, delete-orphan", order_by="Grade.student_id")


class Grade(db.Model):
    __tablename__ = "grades"
    __table_args__ = (
        UniqueConstraint("exam_id", "student_id", name="uq_grade_exam_student"),
        CheckConstraint("score >= 0", name="ck_grades_score_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), nullable=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    history = relationship("GradeChange", cascade="all, delete-orphan", order_by="GradeChange.id")
    exam = relationship("Exam", viewonly=True)


class GradeChange(db.Model):
    """Every change of a grade's score (the first entry has old_score null)."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id", ondelete="CASCADE"), nullable=False, index=True)
    old_score: Mapped[float | None] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float, nullable=False)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class SectionAttendance(db.Model):
    """One student's attendance on one day of a section."""

    __tablename__ = "section_attendance"
    __table_args__ = (
        UniqueConstraint("section_id", "student_id", "day", name="uq_section_attendance_day"),
        Index("ix_section_attendance_section_day", "section_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), nullable=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    day = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    remarks: Mapped[str] = mapped_column(Text, nullable=False, default="")
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
