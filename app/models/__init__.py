"""One shared SQLAlchemy model, split by entity. Import every module so Alembic sees it."""

from app.models.academy import (  # noqa: F401
    Certificate,
    Course,
    CourseModule,
    Enrolment,
    Lesson,
    LessonCompletion,
    Payment,
)
from app.models.activity import ActivityEvent, AuditLog  # noqa: F401
from app.models.alerts import AlertMessage, AlertStep, CrisisAlert, MissedCrisisReport  # noqa: F401
from app.models.base import iso, utcnow  # noqa: F401
from app.models.chat import ChatIntent, IdempotencyRecord  # noqa: F401
from app.models.cohorts import Cohort, CohortMember  # noqa: F401
from app.models.concerns import CrisisConcern  # noqa: F401
from app.models.dashboard import (  # noqa: F401
    DashboardSnapshot,
    DashboardUpdateQueue,
    StudentAction,
    StudentDashboardCache,
)
from app.models.email import EmailMessage, NotificationPreference  # noqa: F401
from app.models.mentoring import Comment, Entry, EntryStatusChange, Task  # noqa: F401
from app.models.notifications import Notification  # noqa: F401
from app.models.outbox import OutboxEvent  # noqa: F401
from app.models.performance import PerformanceCache, PerformanceExport, StudentPerformanceSummary  # noqa: F401
from app.models.schedules import Attendance, Schedule  # noqa: F401
from app.models.sections import (  # noqa: F401
    EducatorCohort,
    Exam,
    Grade,
    GradeChange,
    Section,
    SectionAttendance,
    SectionEnrolment,
)
from app.models.tokens import RevokedToken  # noqa: F401
from app.models.users import Role, User  # noqa: F401
