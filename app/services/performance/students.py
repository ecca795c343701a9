"""One student's figures in a set of sections, straight from the database (drill-downs)."""

from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Grade, Section, SectionAttendance, SectionEnrolment
from app.services.performance import figures as fig
from app.services.performance import rules


def detail(student, section_ids, now):
    """Per-subject scores, every published exam, attendance history, trend and at-risk reasons."""
    today, limit = now.date(), fig.limits()
    since = rules.window_start(today, limit.window_days)
    enrolments = {
        e.section_id: e
        for e in db.session.scalars(
            select(SectionEnrolment).where(
                SectionEnrolment.student_id == student.id, SectionEnrolment.section_id.in_(section_ids)
            )
        )
    }
    names = dict(db.session.execute(select(Section.id, Section.name).where(Section.id.in_(list(enrolments)))).all())
    exams = db.session.scalars(
        select(Exam).where(Exam.section_id.in_(list(enrolments)), Exam.published.is_(True)).order_by(Exam.date, Exam.id)
    ).all()
    scores = dict(
        db.session.execute(
            select(Grade.exam_id, Grade.score).where(
                Grade.student_id == student.id, Grade.exam_id.in_([e.id for e in exams])
            )
        ).all()
    )
    rows, pcts, subjects, missing = [], [], {}, 0
    for exam in exams:
        score = scores.get(exam.id)
        pct = rules.percentage(score, exam.total_marks) if score is not None else None
        windows = fig.windows_of(enrolments[exam.section_id])
        if pct is None and exam.date <= today and rules.counts_on(exam.date, windows):
            missing += 1
        if pct is not None:
            pcts.append(pct)
            subjects.setdefault(exam.subject, []).append(pct)
        rows.append(
            {
                "exam_id": exam.id,
                "section_id": exam.section_id,
                "section": names.get(exam.section_id),
                "subject": exam.subject,
                "name": exam.name,
                "date": exam.date.isoformat(),
                "total_marks": exam.total_marks,
                "score": score,
                "percentage": rules.average([pct]) if pct is not None else None,
            }
        )
    history, attended = [], [0, 0, 0, 0]
    marks = db.session.scalars(
        select(SectionAttendance)
        .where(SectionAttendance.student_id == student.id, SectionAttendance.section_id.in_(list(enrolments)))
        .order_by(SectionAttendance.day, SectionAttendance.section_id)
    ).all()
    for m in marks:
        windows = fig.windows_of(enrolments[m.section_id])
        a, c = rules.attendance_tally([(m.day, m.status)], windows)
        a30, c30 = rules.attendance_tally([(m.day, m.status)], windows, since=since)
        attended = [attended[0] + a, attended[1] + c, attended[2] + a30, attended[3] + c30]
        history.append(
            {
                "date": m.day.isoformat(),
                "section_id": m.section_id,
                "status": m.status,
                "remarks": m.remarks,
                "counted": bool(c),
            }
        )
    average = rules.average(pcts)
    trend = rules.trend(pcts)
    attendance_30d = rules.attendance_percentage(attended[2], attended[3])
    return {
        "student": {"id": student.id, "name": student.name, "email": student.email},
        "average": average,
        "band": rules.band(average),
        "subjects": {
            name: {"average": rules.average(values), "band": rules.band(rules.average(values)), "exams": len(values)}
            for name, values in sorted(subjects.items())
        },
        "exams": rows,
        "attendance": {
            "percentage": rules.attendance_percentage(attended[0], attended[1]),
            "percentage_30d": attendance_30d,
            "history": history,
        },
        "trend": trend,
        "at_risk_reasons": rules.at_risk_reasons(attendance_30d, average, trend, missing, limit.pass_mark, limit),
        "pass_mark": limit.pass_mark,
        "computed_at": now,
    }


def sections_of_student(student_id, section_ids=None):
    """The sections a student was ever enrolled in (within `section_ids` when given)."""
    query = select(SectionEnrolment.section_id).where(SectionEnrolment.student_id == student_id)
    if section_ids is not None:
        query = query.where(SectionEnrolment.section_id.in_(section_ids))
    return list(db.session.scalars(query))


def student_rows(section_figures):
    """The students of a section's cached figures, one row each, best average first."""
    rows = []
    for sid, s in section_figures["students"].items():
        avg = fig.student_average(s)
        pcts = [p[2] for p in sorted(s["pcts"])]
        rows.append(
            {
                "student_id": int(sid),
                "name": s["name"],
                "average": avg,
                "band": rules.band(avg),
                "attendance_percentage": rules.attendance_percentage(s["attended"], s["counted"]),
                "trend": rules.trend(pcts),
                "graded_exams": s["count"],
                "at_risk_reasons": s["at_risk"],
            }
        )
    return sorted(rows, key=lambda r: (r["average"] is None, -(r["average"] or 0), r["student_id"]))
