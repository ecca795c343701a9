"""What a performance event says changed: one small object per grade, attendance mark, exam
or enrolment, carried by grade:updated, attendance:updated, exam:created and roster:updated
(docs/performance.md, "Live events").

A write records its changes with its kind (live.changed); they travel through Redis with
the recompute as JSON entries {"event", "change"} and are bounded on the way: past LIMIT
changes, an entry {"event", "dropped": n} stands for the rest, so a 1,000-row upload costs
LIMIT entries, not 1,000, and the event says how many it left out.
"""

import json

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.performance import rules

LIMIT = 50  # change objects carried by one event (the newest); past it, changes_dropped counts


def grade(student_id, student_name, exam, score):
    return {
        "type": "grade",
        "student_id": student_id,
        "student_name": student_name,
        "exam_id": exam.id,
        "exam_name": exam.name,
        "subject": exam.subject,
        "score": score,
        "total_marks": exam.total_marks,
        "percentage": rules.average([rules.percentage(score, exam.total_marks)]),
    }


def attendance(student_id, student_name, day, status):
    """attendance_percentage is filled in when the event is sent, from the recomputed figures."""
    return {
        "type": "attendance",
        "student_id": student_id,
        "student_name": student_name,
        "date": day.isoformat(),
        "status": status,
        "attendance_percentage": None,
    }


def exam(exam_row, section):
    return {
        "type": "exam",
        "exam_id": exam_row.id,
        "name": exam_row.name,
        "subject": exam_row.subject,
        "date": exam_row.date.isoformat(),
        "total_marks": exam_row.total_marks,
        "published": exam_row.published,
        "section_id": section.id,
        "section_name": section.name,
    }


def roster(action, student_id, student_name):
    """action: "enrolled" or "left"."""
    return {"type": "roster", "action": action, "student_id": student_id, "student_name": student_name}


def student_names(student_ids):
    """{id: name} for the (at most LIMIT) students a write's changes name."""
    ids = list(student_ids)[:LIMIT]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def entries(kind, changes, total=None):
    """The JSON entries one write pushes: its kind once, up to LIMIT changes, a count for the
    rest (`total`: how many changes the write made, when only the first were built)."""
    changes = list(changes)[:LIMIT]
    total = len(changes) if total is None else total
    if not changes:
        return [json.dumps({"event": kind})]
    out = [json.dumps({"event": kind, "change": c}, default=str) for c in changes]
    if total > len(changes):
        out.append(json.dumps({"event": kind, "dropped": total - len(changes)}))
    return out


def parse(raw_entries):
    """Entries back as dicts; a bare kind (pushed before changes existed) reads as {"event": kind}."""
    out = []
    for raw in raw_entries:
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = {"event": raw}
        if isinstance(entry, dict) and isinstance(entry.get("event"), str):
            out.append(entry)
    return out


def summarize(entries_, students):
    """(kinds in order, the newest LIMIT changes oldest first, how many were left out). An
    attendance change gets the student's new attendance % in the section from `students`
    (the section's recomputed sums)."""
    kinds = list(dict.fromkeys(e["event"] for e in entries_))
    found = [e["change"] for e in entries_ if isinstance(e.get("change"), dict)]
    dropped = sum(int(e.get("dropped", 0)) for e in entries_) + max(0, len(found) - LIMIT)
    found = found[-LIMIT:]
    for change in found:
        if change.get("type") == "attendance":
            sums = students.get(str(change["student_id"]))
            if sums is not None:
                change["attendance_percentage"] = rules.attendance_percentage(sums["attended"], sums["counted"])
    return kinds, found, dropped
