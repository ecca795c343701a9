"""A section's figures straight from the database, and the merge of sections into an overview.

A section's figures keep, per student, the sums the overview needs (percentage sum and
count, per subject, attendance tallies), so the overview is a merge of cached sections
and a write only recomputes its own section (docs/performance.md, "Figures").
"""

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Grade, Section, SectionAttendance, SectionEnrolment, User, iso
from app.services.performance import rules


def pass_mark():
    return float(current_app.config["PASS_MARK"])


def windows_of(enrolment):
    """The enrolment as a window of days [first, last] (last None while still enrolled)."""
    return [(enrolment.enrolled_at.date(), enrolment.left_at.date() if enrolment.left_at else None)]


def compute_section(section_id, now):
    """({"section": public figures, "students": {student id: sums}}, {"pcts": {student id: [[date, exam, %]]}})."""
    section = db.session.get(Section, section_id)
    today, mark = now.date(), pass_mark()
    enrolments = db.session.execute(
        select(SectionEnrolment, User.name)
        .join(User, User.id == SectionEnrolment.student_id)
        .where(SectionEnrolment.section_id == section_id, SectionEnrolment.left_at.is_(None))
    ).all()
    exams = db.session.scalars(
        select(Exam).where(Exam.section_id == section_id, Exam.published.is_(True)).order_by(Exam.date, Exam.id)
    ).all()
    grades = {
        (g.exam_id, g.student_id): g.score
        for g in db.session.scalars(select(Grade).where(Grade.exam_id.in_([e.id for e in exams])))
    }
    marks = {}
    for sid, day, status in db.session.execute(
        select(SectionAttendance.student_id, SectionAttendance.day, SectionAttendance.status).where(
            SectionAttendance.section_id == section_id
        )
    ):
        marks.setdefault(sid, []).append((day, status))
    students = {}
    for enrolment, name in enrolments:
        students[str(enrolment.student_id)] = _student_sums(enrolment, name, exams, grades, marks, today, mark)
    figures = summarize(section, students.values(), mark)
    total = db.session.query(Exam).filter_by(section_id=section_id).count()
    figures["exams"] = {"total": total, "published": len(exams)}
    figures["computed_at"] = iso(now)
    pcts = {sid: s.pop("pcts") for sid, s in students.items()}
    return {"section": figures, "students": students}, {"pcts": pcts}


def _student_sums(enrolment, name, exams, grades, marks, today, mark):
    windows = windows_of(enrolment)
    sid = enrolment.student_id
    pcts, subjects, missing = [], {}, 0
    for exam in exams:
        score = grades.get((exam.id, sid))
        if score is None:
            if exam.date <= today and rules.counts_on(exam.date, windows):
                missing += 1
            continue
        pct = rules.percentage(score, exam.total_marks)
        pcts.append([exam.date.isoformat(), exam.id, pct])
        sums = subjects.setdefault(exam.subject, [0.0, 0])
        sums[0] += pct
        sums[1] += 1
    attended, counted = rules.attendance_tally(marks.get(sid, []), windows)
    attended30, counted30 = rules.attendance_tally(marks.get(sid, []), windows, since=rules.window_start(today))
    values = [p[2] for p in pcts]
    avg = rules.average(values)
    trend = rules.trend(values)
    reasons = rules.at_risk_reasons(rules.attendance_percentage(attended30, counted30), avg, trend, missing, mark)
    return {
        "name": name,
        "sum": sum(values),
        "count": len(values),
        "pcts": pcts,
        "subjects": subjects,
        "attended": attended,
        "counted": counted,
        "attended30": attended30,
        "counted30": counted30,
        "missing": missing,
        "at_risk": reasons,
    }


def student_average(sums):
    return rules.average([sums["sum"] / sums["count"]]) if sums["count"] else None


def summarize(section, students, mark):
    """The public figures of a group of students' sums (a section, or a merged overview)."""
    students = list(students)
    averages = [student_average(s) for s in students]
    subject_names = sorted({name for s in students for name in s["subjects"]})
    subject_averages = {}
    for name in subject_names:
        per_student = [s["subjects"][name][0] / s["subjects"][name][1] for s in students if name in s["subjects"]]
        subject_averages[name] = rules.average(per_student)
    attended = sum(s["attended"] for s in students)
    counted = sum(s["counted"] for s in students)
    figures = {
        "students": len(students),
        "average": rules.average([a for a in averages if a is not None]),
        "pass_rate": rules.pass_rate(averages, mark),
        "grade_distribution": rules.distribution(averages),
        "attendance_percentage": rules.attendance_percentage(attended, counted),
        "subject_averages": subject_averages,
        "at_risk_count": sum(1 for s in students if s["at_risk"]),
    }
    if section is not None:
        figures |= {"section_id": section.id, "name": section.name, "term": section.term, "subjects": section.subjects}
    return figures


def merge_students(section_figures):
    """One sums record per student over several sections' cached figures."""
    merged = {}
    for cached in section_figures:
        for sid, s in cached["students"].items():
            m = merged.setdefault(
                sid,
                {"name": s["name"], "sum": 0.0, "count": 0, "pcts": [], "subjects": {}, "at_risk": []}
                | {k: 0 for k in ("attended", "counted", "attended30", "counted30", "missing")},
            )
            for key in ("sum", "count", "attended", "counted", "attended30", "counted30", "missing"):
                m[key] += s[key]
            m["pcts"] += s.get("pcts", [])
            for name, (total, count) in s["subjects"].items():
                slot = m["subjects"].setdefault(name, [0.0, 0])
                slot[0] += total
                slot[1] += count
            m["at_risk"] = [r for r in rules.REASONS if r in m["at_risk"] or r in s["at_risk"]]
    return merged


def overview(section_figures, now):
    """The educator's overview (contract keys) from their sections' cached figures."""
    mark = pass_mark()
    students = merge_students(section_figures)
    whole = summarize(None, students.values(), mark)
    subjects = {}
    for name in whole["subject_averages"]:
        takers = [
            {"sum": s["subjects"][name][0], "count": s["subjects"][name][1], "subjects": {}, "at_risk": s["at_risk"]}
            | {"attended": 0, "counted": 0}
            for s in students.values()
            if name in s["subjects"]
        ]
        one = summarize(None, takers, mark)
        subjects[name] = {
            "subject": name,
            "students": one["students"],
            "average": one["average"],
            "pass_rate": one["pass_rate"],
            "grade_distribution": one["grade_distribution"],
        }
    return {
        "total_students": whole["students"],
        "overall_average": whole["average"],
        "pass_rate": whole["pass_rate"],
        "grade_distribution": whole["grade_distribution"],
        "subject_averages": whole["subject_averages"],
        "section_averages": [
            {"section_id": f["section"]["section_id"], "name": f["section"]["name"], "average": f["section"]["average"]}
            for f in section_figures
        ],
        "attendance_percentage": whole["attendance_percentage"],
        "at_risk_count": whole["at_risk_count"],
        "computed_at": iso(now),
        # kept for the read: top/low performers for any N, and /performance/subjects
        "averages": [[int(sid), s["name"], student_average(s)] for sid, s in students.items()],
        "subjects": subjects,
    }


def performers(averages, n, best_first):
    """Top or low performers from [[student id, name, average]], ties sharing a place."""
    names = {sid: name for sid, name, _ in averages}
    return [
        {"place": place, "student_id": sid, "name": names[sid], "average": value}
        for place, sid, value in rules.ranked([(sid, avg) for sid, _, avg in averages], n, best_first)
    ]
