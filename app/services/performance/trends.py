"""Weekly trends (average of the grades dated each week, attendance of each week), built from
per-section partial sums so a write to one section recomputes that section's weeks only.

A section's part is, per week, [sum of percentages, grades, attended days, counted days].
The trends of several sections merge their parts in section order; the API's from-scratch
answer (reports.trends) and the overview page's cached one (board) both go through
merge(), so they are the same numbers, not merely close ones. The page caches each part
under that section's data version (every write bumps it) and the day, and the merged weeks under
all of them.
"""

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Grade, SectionAttendance, SectionEnrolment
from app.services.performance import figures as fig
from app.services.performance import rules, store
from app.services.shared import cache


def week_starts(today, weeks):
    first = rules.week_start(today) - timedelta(weeks=weeks - 1)
    return [first + timedelta(weeks=i) for i in range(weeks)]


def parts(section_ids, starts, today):
    """{section id: [[pct sum, grades, attended, counted] per week]} in three queries."""
    ids = list(section_ids)
    first = starts[0]
    index = {w: i for i, w in enumerate(starts)}
    out = {sid: [[0.0, 0, 0, 0] for _ in starts] for sid in ids}
    if not ids:
        return out
    # ordered, so a section's sum adds the same floats in the same order on every computation
    for sid, date, score, total in db.session.execute(
        select(Exam.section_id, Exam.date, Grade.score, Exam.total_marks)
        .join(Grade, Grade.exam_id == Exam.id)
        .where(Exam.section_id.in_(ids), Exam.published.is_(True), Exam.date >= first, Exam.date <= today)
        .order_by(Exam.section_id, Exam.date, Exam.id, Grade.student_id)
    ):
        week = out[sid][index[rules.week_start(date)]]
        week[0] += rules.percentage(score, total)
        week[1] += 1
    windows = {
        (e.section_id, e.student_id): fig.windows_of(e)
        for e in db.session.scalars(select(SectionEnrolment).where(SectionEnrolment.section_id.in_(ids)))
    }
    # plain rows, not ORM objects: a mark a student, a day, 1,200 a day for 30 sections
    for sid, student_id, day, status in db.session.execute(
        select(
            SectionAttendance.section_id, SectionAttendance.student_id, SectionAttendance.day, SectionAttendance.status
        ).where(SectionAttendance.section_id.in_(ids), SectionAttendance.day >= first, SectionAttendance.day <= today)
    ):
        attended, counted = rules.attendance_tally([(day, status)], windows.get((sid, student_id), []))
        week = out[sid][index[rules.week_start(day)]]
        week[2] += attended
        week[3] += counted
    return out


def merge(section_parts, starts):
    """The weeks of several sections' parts, oldest first (sections summed in id order)."""
    weeks = []
    for i, w in enumerate(starts):
        total = grades = attended = counted = 0
        for sid in sorted(section_parts):
            s_total, s_grades, s_attended, s_counted = section_parts[sid][i]
            total += s_total
            grades += s_grades
            attended += s_attended
            counted += s_counted
        weeks.append(
            {
                "week_start": w.isoformat(),
                "average": rules.average_of(total, grades),
                "grades": grades,
                "attendance_percentage": rules.attendance_percentage(attended, counted),
            }
        )
    return weeks


def weekly(section_ids, weeks, today):
    """From scratch: every grade and attendance mark of the sections read again."""
    starts = week_starts(today, weeks)
    return merge(parts(section_ids, starts, today), starts)


def weekly_cached(section_ids, weeks, today):
    """weekly(), cached twice under the sections' data versions: the merged weeks (a page read
    is one GET), and each section's part, so after a write only the written section's part is
    read again from the tables (one MGET for the others)."""
    ids = list(section_ids)
    versions = store.data_versions(ids)
    stamp = hashlib.sha256(repr([(sid, versions.get(sid)) for sid in ids]).encode()).hexdigest()[:20]
    whole_key = cache.performance_trends_key(stamp, weeks, today)
    found = cache.get_json(whole_key)
    if found is not None:
        return found
    starts = week_starts(today, weeks)
    keys = {sid: cache.performance_trend_part_key(sid, versions.get(sid), weeks, today) for sid in ids}
    section_parts = {}
    for sid, raw in zip(ids, cache.get_many_raw(*keys.values()) if ids else [], strict=True):
        if raw is not None:
            section_parts[sid] = json.loads(raw)
    missing = [sid for sid in ids if sid not in section_parts]
    fresh = parts(missing, starts, today) if missing else {}
    section_parts |= fresh
    merged = merge(section_parts, starts)
    written = {keys[sid]: json.dumps(fresh[sid]) for sid in missing} | {whole_key: json.dumps(merged)}
    cache.set_many_raw(written, cache.PERFORMANCE_TRENDS_TTL)
    return merged
