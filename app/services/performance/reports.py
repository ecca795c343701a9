"""What the performance endpoints answer: overview, sections, subjects, a student, weekly trends."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Grade, SectionAttendance, SectionEnrolment, utcnow
from app.services.performance import access, rules, store, students
from app.services.performance import figures as fig

HIDDEN = ("averages", "sources", "subjects")


def _sorted(items, sort):
    """Sort by a field ("average", "-average" for descending); missing values always last."""
    if not sort:
        return items
    key, reverse = sort.lstrip("-"), sort.startswith("-")
    present = [i for i in items if i.get(key) is not None]
    absent = [i for i in items if i.get(key) is None]
    return sorted(present, key=lambda i: i[key], reverse=reverse) + absent


def overview(user, n=fig.DEFAULT_PERFORMERS, now=None):
    """`user` may be the cached principal: only its id and role are read."""
    other_n = n != fig.DEFAULT_PERFORMERS  # the default N is stored with the figures
    figures, cached = store.overview(access.educator_scope(user), now or utcnow(), averages=other_n)
    out = {k: v for k, v in figures.items() if k not in HIDDEN}
    if other_n:
        out["top_performers"] = fig.performers(figures["averages"], n, True)
        out["low_performers"] = fig.performers(figures["averages"], n, False)
    out["cached"] = cached
    return out


def sections(user, term=None, sort=None, now=None):
    ids = access.section_ids_for(user)
    cached, fresh = store.section_figures(ids, now or utcnow())
    items = [cached[i]["section"] for i in ids]
    if term:
        items = [i for i in items if i["term"] == term]
    return {"items": _sorted(items, sort), "cached": fresh}


def section(user, section_id, n=5, now=None):
    visible = access.visible_section(user, section_id)
    cached, fresh = store.section_figures([visible.id], now or utcnow(), details=True)
    figures = cached[visible.id]
    averages = [[int(sid), s["name"], fig.student_average(s)] for sid, s in figures["students"].items()]
    return {
        "section": figures["section"],
        "students": students.student_rows(figures),
        "top_performers": fig.performers(averages, n, True),
        "low_performers": fig.performers(averages, n, False),
        "cached": fresh,
    }


def subjects(user, sort=None, now=None):
    figures, cached = store.overview(access.educator_scope(user), now or utcnow())
    return {"items": _sorted(list(figures["subjects"].values()), sort), "cached": cached}


def student(user, student_id, now=None):
    found = access.visible_student(user, student_id)
    ids = None if access.educator_scope(user) is None else access.section_ids_for(user)
    return students.detail(found, students.sections_of_student(found.id, ids), now or utcnow())


def own(student_user, now=None):
    """A student's own grades, averages and attendance over all their sections."""
    return students.detail(student_user, students.sections_of_student(student_user.id), now or utcnow())


def trends(user, section_id=None, weeks=8, now=None):
    """Weekly averages (all published grades dated that week) and attendance, oldest week first."""
    today = (now or utcnow()).date()
    ids = [access.visible_section(user, section_id).id] if section_id else access.section_ids_for(user)
    first = rules.week_start(today) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    pcts = {w: [] for w in starts}
    for date, score, total in db.session.execute(
        select(Exam.date, Grade.score, Exam.total_marks)
        .join(Grade, Grade.exam_id == Exam.id)
        .where(Exam.section_id.in_(ids), Exam.published.is_(True), Exam.date >= first, Exam.date <= today)
    ):
        pcts[rules.week_start(date)].append(rules.percentage(score, total))
    windows = {
        (e.section_id, e.student_id): fig.windows_of(e)
        for e in db.session.scalars(select(SectionEnrolment).where(SectionEnrolment.section_id.in_(ids)))
    }
    marks = {w: [0, 0] for w in starts}
    for m in db.session.scalars(
        select(SectionAttendance).where(
            SectionAttendance.section_id.in_(ids), SectionAttendance.day >= first, SectionAttendance.day <= today
        )
    ):
        a, c = rules.attendance_tally([(m.day, m.status)], windows.get((m.section_id, m.student_id), []))
        tally = marks[rules.week_start(m.day)]
        tally[0] += a
        tally[1] += c
    return {
        "section_id": section_id,
        "weeks": [
            {
                "week_start": w.isoformat(),
                "average": rules.average(pcts[w]),
                "grades": len(pcts[w]),
                "attendance_percentage": rules.attendance_percentage(*marks[w]),
            }
            for w in starts
        ],
    }
