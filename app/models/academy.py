"""Academy: courses with modules and lessons in order, enrolments, payments, progress, certificates."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

PENDING_PAYMENT, ACTIVE, ENDED = "pending_payment", "active", "ended"
ENROLMENT_STATUSES = (PENDING_PAYMENT, ACTIVE, ENDED)
PAYMENT_PENDING, PAYMENT_APPROVED, PAYMENT_REJECTED = "pending", "approved", "rejected"
SUMMARY_LENGTH = 200  # characters of a description shown in lists (the summary)
DESCRIPTION_HEAD = SUMMARY_LENGTH + 1  # one more, to know whether it was cut


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("price >= 0", name="ck_courses_price_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    price = mapped_column(Numeric(10, 2), nullable=False, default=0)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # The description's start, for lists: loaded only when asked for, so a catalogue page
    # never reads whole descriptions (they may be 50,000 characters each).
    description_head = column_property(func.substr(description, 1, DESCRIPTION_HEAD), deferred=True)

    modules = relationship(
        "CourseModule", back_populates="course", order_by="CourseModule.position", cascade="all, delete-orphan"
    )

    @property
    def is_free(self):
        return not self.price


class CourseModule(db.Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    course = relationship("Course", back_populates="modules")
    lessons = relationship("Lesson", back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan")


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), nullable=False)
    # Kept beside module_id so progress counts a course's lessons without a join.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    module = relationship("CourseModule", back_populates="lessons")


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "student_id", name="uq_enrolment_course_student"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    activated_at = mapped_column(UTCDateTime, nullable=True)
    ended_at = mapped_column(UTCDateTime, nullable=True)
    # The highest percent ever shown: progress never goes backwards (docs/academy.md).
    best_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    completed_at = mapped_column(UTCDateTime, nullable=True)  # first reached 100%
    last_activity_at = mapped_column(UTCDateTime, nullable=True)

    course = relationship("Course")
    student = relationship("User")


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_payments_amount_not_negative"),
        # Never two approved payments for one enrolment: a student is charged once (the service
        # checks first; this holds even against a concurrent or a hand-made approval).
        Index(
            "uq_payments_one_approved_per_enrolment",
            "enrolment_id",
            unique=True,
            postgresql_where=text(f"status = '{PAYMENT_APPROVED}'"),
            sqlite_where=text(f"status = '{PAYMENT_APPROVED}'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    provider: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")
    reference: Mapped[str] = mapped_column(String(120), nullable=False)
    amount = mapped_column(Numeric(10, 2), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PAYMENT_PENDING, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    enrolment = relationship("Enrolment")


class LessonCompletion(db.Model):
    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("student_id", "lesson_id", name="uq_lesson_completion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    completed_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Certificate(db.Model):
    __tablename__ = "certificates"
    # One per student and course: a second run of the issuing job collides here.
    __table_args__ = (UniqueConstraint("student_id", "course_id", name="uq_certificate_student_course"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    student_name: Mapped[str] = mapped_column(String(120), nullable=False)  # as printed on the PDF
    course_title: Mapped[str] = mapped_column(String(200), nullable=False)
    pdf = mapped_column(LargeBinary, nullable=False)
    issued_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
