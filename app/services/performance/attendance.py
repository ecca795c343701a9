"""A section's attendance, one whole day per call, all or nothing."""

from sqlalchemy import select

from app.extensions import db
from app.models import SectionAttendance, SectionEnrolment, utcnow
from app.models.sections import SECTION_ATTENDANCE_STATUSES
from app.services.performance import access, changes, live, rows
from app.services.shared.errors import Invalid
from app.services.shared.transaction import commit

FIELDS = ("student_id", "status", "remarks")
MAX_REMARKS = 2000


def _checker(known):
    check_student = rows.student_checker(FIELDS, known)

    def check(row):
        errors = {}
        student_id = check_student(row, errors)
        status = row.get("status")
        if status not in SECTION_ATTENDANCE_STATUSES:
            errors["status"] = [f"One of: {', '.join(SECTION_ATTENDANCE_STATUSES)}."]
        remarks = row.get("remarks") or ""
        if not isinstance(remarks, str) or len(remarks) > MAX_REMARKS:
            errors["remarks"] = [f"Text of at most {MAX_REMARKS} characters."]
        return (student_id, status, remarks), errors

    return check


def put_day(user, section_id, day, upload, now=None):
    """Record the section's attendance on `day`: every row saved, or none and every bad row listed.

    Students who were ever enrolled may be marked; days outside their enrolment are kept
    but never count (rules.attendance_tally)."""
    now = now or utcnow()
    if day > now.date():
        raise Invalid(details={"date": ["Attendance cannot be recorded for a future day."]})
    section = access.visible_section(user, section_id, lock=True)
    known = set(
        db.session.scalars(select(SectionEnrolment.student_id).where(SectionEnrolment.section_id == section.id))
    )
    clean = rows.check_all(upload, _checker(known))
    existing = {
        a.student_id: a
        for a in db.session.scalars(
            select(SectionAttendance).where(SectionAttendance.section_id == section.id, SectionAttendance.day == day)
        )
    }
    saved, moved = [], []
    for student_id, status, remarks in clean:
        mark = existing.get(student_id)
        if mark is None:
            mark = SectionAttendance(section_id=section.id, student_id=student_id, day=day)
            db.session.add(mark)
        if mark.status != status:
            moved.append((student_id, status))
        mark.status, mark.remarks, mark.marked_by, mark.marked_at = status, remarks, user.id, now
        saved.append(mark)
    names = changes.student_names(sid for sid, _ in moved)
    told = [changes.attendance(sid, names.get(sid), day, status) for sid, status in moved[: changes.LIMIT]]
    live.changed(section, "attendance:updated", told, total=len(moved))
    commit()
    return saved


def day_of(user, section_id, day):
    section = access.visible_section(user, section_id)
    return db.session.scalars(
        select(SectionAttendance)
        .where(SectionAttendance.section_id == section.id, SectionAttendance.day == day)
        .order_by(SectionAttendance.student_id)
    ).all()
