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

DEFAULT_PERFORMERS = 5  # top/low performers precomputed with the overview (?n= default)


def pass_mark():
    return float(current_app.config["PASS_MARK"])


def limits():
    """The at-risk thresholds from the settings (docs/configuration.md)."""
    config = current_app.config
    return rules.Limits(
        pass_mark(),
        float(config["AT_RISK_ATTENDANCE"]),
        int(config["AT_RISK_WINDOW_DAYS"]),
        float(config["AT_RISK_TREND_DROP"]),
    )


def reasons_of(sums, limit):
    """A sums record's at-risk reasons: the one definition the section, the overview, the
    summaries (mentor's insights) and the CSV all use, so a student below the pass mark in
    the at-risk list is one the pass rate counts as failing."""
    recent = [p[2] for p in sorted(sums.get("recent", []))]
    return rules.at_risk_reasons(
        rules.attendance_percentage(sums["attended30"], sums["counted30"]),
        student_average(sums),
        rules.trend(recent),
        sums["missing"],
        limit.pass_mark,
        limit,
    )


def windows_of(enrolment):
    """The enrolment as a window of days [first, last] (last None while still enrolled)."""
    return [(enrolment.enrolled_at.date(), enrolment.left_at.date() if enrolment.left_at else None)]


def compute_sections(section_ids, now):
    """{section id: ({"section": public figures, "students": {student id: sums}},
    {"pcts": {student id: [[date, exam id, %]]}})} in five queries, however many sections
    (a cold overview recomputes all at once); sections that do not exist are left out."""
    ids = list(section_ids)
    today, limit = now.date(), limits()
    mark = limit.pass_mark
    sections = {s.id: s for s in db.session.scalars(select(Section).where(Section.id.in_(ids)))}
    enrolments = {}
    for enrolment, name in db.session.execute(
        select(SectionEnrolment, User.name)
        .join(User, User.id == SectionEnrolment.student_id)
        .where(SectionEnrolment.section_id.in_(ids), SectionEnrolment.left_at.is_(None))
        .order_by(SectionEnrolment.id)
    ):
        enrolments.setdefault(enrolment.section_id, []).append((enrolment, name))
    exams, totals = {}, {}
    for exam in db.session.scalars(select(Exam).where(Exam.section_id.in_(ids)).order_by(Exam.date, Exam.id)):
        totals[exam.section_id] = totals.get(exam.section_id, 0) + 1
        if exam.published:
            exams.setdefault(exam.section_id, []).append(exam)
    exam_ids = [e.id for published in exams.values() for e in published]
    grades = {  # plain rows, not Grade objects: a section has hundreds of grades
        (exam_id, student_id): score
        for exam_id, student_id, score in db.session.execute(
            select(Grade.exam_id, Grade.student_id, Grade.score).where(Grade.exam_id.in_(exam_ids))
        )
    }
    marks = {}  # section id -> student id -> [(day, status)]
    for section_id, sid, day, status in db.session.execute(
        select(
            SectionAttendance.section_id, SectionAttendance.student_id, SectionAttendance.day, SectionAttendance.status
        ).where(SectionAttendance.section_id.in_(ids))
    ):
        marks.setdefault(section_id, {}).setdefault(sid, []).append((day, status))
    out = {}
    for section_id in ids:
        section = sections.get(section_id)
        if section is None:
            continue
        # plain tuples: the loop below reads each exam once per student
        published = [(e.id, e.date, e.date.isoformat(), e.subject, e.total_marks) for e in exams.get(section_id, [])]
        section_marks = marks.get(section_id, {})
        students = {
            str(enrolment.student_id): _student_sums(enrolment, name, published, grades, section_marks, today, limit)
            for enrolment, name in enrolments.get(section_id, [])
        }
        figures = summarize(section, students.values(), mark)
        figures["exams"] = {"total": totals.get(section_id, 0), "published": len(published)}
        figures["computed_at"] = iso(now)
        pcts = {sid: s.pop("pcts") for sid, s in students.items()}
        out[section_id] = ({"section": figures, "students": students}, {"pcts": pcts})
    return out


def _student_sums(enrolment, name, exams, grades, marks, today, limit):
    """One student's sums in a section; `exams`: (id, date, iso date, subject, total marks), by date."""
    windows = windows_of(enrolment)
    sid = enrolment.student_id
    pcts, subjects, missing = [], {}, 0
    for exam_id, day, day_iso, subject, total_marks in exams:
        score = grades.get((exam_id, sid))
        if score is None:
            if day <= today and rules.counts_on(day, windows):
                missing += 1
            continue
        pct = rules.percentage(score, total_marks)
        pcts.append([day_iso, exam_id, pct])
        sums = subjects.setdefault(subject, [0.0, 0])
        sums[0] += pct
        sums[1] += 1
    (attended, counted), (attended30, counted30) = rules.attendance_tallies(
        marks.get(sid, []), windows, rules.window_start(today, limit.window_days)
    )
    values = [p[2] for p in pcts]
    sums = {
        "name": name,
        "sum": sum(values),
        "count": len(values),
        "pcts": pcts,
        # the last exams a trend reads: enough to merge a trend over several sections
        "recent": pcts[-2 * rules.TREND_SPAN :],
        "subjects": subjects,
        "attended": attended,
        "counted": counted,
        "attended30": attended30,
        "counted30": counted30,
        "missing": missing,
    }
    sums["at_risk"] = reasons_of(sums, limit)
    return sums


def student_average(sums):
    return rules.average_of(sums["sum"], sums["count"])


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
    """One sums record per student over several sections' cached figures. A student in one
    section only (the usual case) keeps that section's record as it is (read, never changed);
    one in several gets reasons computed again on the merged sums (reasons_of), never the
    union of each section's."""
    seen, limit, several = {}, None, []
    for cached in section_figures:
        for sid in cached["students"]:
            seen[sid] = seen.get(sid, 0) + 1
    merged = {}
    for cached in section_figures:
        for sid, s in cached["students"].items():
            if seen[sid] == 1:
                merged[sid] = s
                continue
            if sid not in merged:
                several.append(sid)
            m = merged.setdefault(
                sid,
                {"name": s["name"], "sum": 0.0, "count": 0, "pcts": [], "recent": [], "subjects": {}, "at_risk": []}
                | {k: 0 for k in ("attended", "counted", "attended30", "counted30", "missing")},
            )
            for key in ("sum", "count", "attended", "counted", "attended30", "counted30", "missing"):
                m[key] += s[key]
            m["pcts"] += s.get("pcts", [])
            m["recent"] = sorted(m["recent"] + s.get("recent", []))[-2 * rules.TREND_SPAN :]
            for name, (total, count) in s["subjects"].items():
                slot = m["subjects"].setdefault(name, [0.0, 0])
                slot[0] += total
                slot[1] += count
    if several:
        limit = limits()
    for sid in several:
        merged[sid]["at_risk"] = reasons_of(merged[sid], limit)
    return merged


def overview(section_figures, now):
    """The educator's overview (contract keys) from their sections' cached figures."""
    mark = pass_mark()
    students = merge_students(section_figures)
    whole = summarize(None, students.values(), mark)
    subjects = {}
    for name in whole["subject_averages"]:
        # each taker's average in this subject, rounded as a student's average is
        averages = [rules.average_of(*s["subjects"][name]) for s in students.values() if name in s["subjects"]]
        subjects[name] = {
            "subject": name,
            "students": len(averages),
            "average": rules.average(averages),
            "pass_rate": rules.pass_rate(averages, mark),
            "grade_distribution": rules.distribution(averages),
        }
    averages = [[int(sid), s["name"], student_average(s)] for sid, s in students.items()]
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
        "top_performers": performers(averages, DEFAULT_PERFORMERS, True),
        "low_performers": performers(averages, DEFAULT_PERFORMERS, False),
        "subjects": subjects,  # for /performance/subjects
        "averages": averages,  # top/low performers for another N (stored apart: store.py)
    }


def performers(averages, n, best_first):
    """Top or low performers from [[student id, name, average]], ties sharing a place."""
    names = {sid: name for sid, name, _ in averages}
    return [
        {"place": place, "student_id": sid, "name": names[sid], "average": value}
        for place, sid, value in rules.ranked([(sid, avg) for sid, _, avg in averages], n, best_first)
    ]
