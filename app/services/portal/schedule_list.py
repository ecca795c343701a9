"""Reading sessions: the list (newest start first, ?from=/?to=, before_id paging) and the
day view (?date=&tz=, hour by hour). Who sees which session is decided in schedules.py."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Cohort, CohortMember, Role, Schedule, User
from app.services.identity import access
from app.services.portal.schedules import visibility


def day_window(date, tz):
    """A calendar day in `tz` as a UTC [start, end) (23 or 25 hours long on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(date, time(), zone)
    end = datetime.combine(date + timedelta(days=1), time(), zone)
    return start, end


def _bound(value, tz, next_day=False):
    """A ?from= / ?to= value as a UTC moment: a date means its midnight in `tz` (for ?to=, the next one)."""
    if isinstance(value, datetime) or value is None:
        return value
    return day_window(value, tz)[1 if next_day else 0]


def list_schedules(
    user, student_id=None, date=None, tz="UTC", status=None, limit=200, start_from=None, start_to=None, before_id=None
):
    """Sessions the caller may see. With `date`: that day in `tz`, by start, hour by hour.
    Otherwise newest start first, within ?from=/?to=, paged by `before_id` (start, then id).
    The route dumps the rows as the caller sees them, with local times in `tz`."""
    query = select(Schedule)
    visible = visibility(user)
    if visible is not None:
        query = query.where(visible)
    if student_id is not None:
        student = access.visible_student(user, student_id)
        query = query.where(
            or_(Schedule.student_id == student.id, Schedule.cohort_id.in_(access.cohort_ids_of(student.id)))
        )
    if status:
        query = query.where(Schedule.status == status)
    if date is not None:  # the day view, as it always was
        window = day_window(date, tz)
        query = query.where(Schedule.start_time < window[1], Schedule.end_time > window[0])
        rows = db.session.scalars(query.order_by(Schedule.start_time, Schedule.id).limit(limit)).all()
        return {"items": rows, "day": _hours(rows, date, tz, *window)}
    if start_from is not None:
        query = query.where(Schedule.start_time >= _bound(start_from, tz))
    if start_to is not None:
        query = query.where(Schedule.start_time < _bound(start_to, tz, next_day=True))
    if before_id is not None:
        # Keyset on (start_time, id), the order of the list: stable while sessions are added.
        cursor = db.session.get(Schedule, before_id)
        if cursor is not None:
            query = query.where(
                or_(
                    Schedule.start_time < cursor.start_time,
                    (Schedule.start_time == cursor.start_time) & (Schedule.id < cursor.id),
                )
            )
        else:
            query = query.where(Schedule.id < before_id)
    rows = db.session.scalars(query.order_by(Schedule.start_time.desc(), Schedule.id.desc()).limit(limit + 1)).all()
    items = rows[:limit]
    return {"items": items, "next_before_id": items[-1].id if len(rows) > limit else None}


def _hours(rows, date, tz, start, end):
    """The day as hour slots in local time, each naming the sessions that overlap it."""
    zone = ZoneInfo(tz)
    hours = []
    slot = start.astimezone(ZoneInfo("UTC"))
    end = end.astimezone(ZoneInfo("UTC"))
    while slot < end:
        nxt = slot + timedelta(hours=1)
        hours.append(
            {
                "hour": slot.astimezone(zone).strftime("%H:%M"),
                "start": slot,
                "schedule_ids": [s.id for s in rows if s.start_time < nxt and s.end_time > slot],
            }
        )
        slot = nxt
    return {"date": date, "tz": tz, "hours": hours}


def group_cohorts(mentor):
    """The cohorts a mentor may hold a group session for (schedules._group_cohort's rule: one
    that has at least one of their students), by name."""
    mine = select(User.id).where(User.mentor_id == mentor.id, User.role == Role.STUDENT)
    query = select(Cohort).order_by(Cohort.name, Cohort.id)
    if mentor.role != Role.ADMIN:
        query = query.where(Cohort.id.in_(select(CohortMember.cohort_id).where(CohortMember.user_id.in_(mine))))
    return list(db.session.scalars(query))


def audience_names(rows):
    """{session id: who it is for} for display: the student's name, "Group: <cohort>", or None."""
    student_ids = {s.student_id for s in rows if s.student_id}
    cohort_ids = {s.cohort_id for s in rows if s.cohort_id}
    students = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(student_ids))).all())
        if student_ids
        else {}
    )
    cohorts = (
        dict(db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids))).all())
        if cohort_ids
        else {}
    )
    names = {}
    for s in rows:
        if s.student_id:
            names[s.id] = students.get(s.student_id)
        elif s.cohort_id:
            names[s.id] = f"Group: {cohorts.get(s.cohort_id, 'a cohort')}"
        else:
            names[s.id] = None
    return names
