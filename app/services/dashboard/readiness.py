"""Readiness: how ready a student is, from the work they have done, skill by skill.

The formula (also in the README):

- The student's skills are every skill tag on their tasks (missions) and entries.
- Evidence per skill: each *done* task tagged with it counts TASK_WEIGHT (1), each
  *approved* entry ENTRY_WEIGHT (2: reviewed portfolio work), plus points from any
  registered extra source (grades, once the educator part exists: register_evidence()).
  Open tasks and unapproved entries count 0 but still put the skill on the map.
- level(skill) = min(100, 100 * evidence / TARGET_EVIDENCE), TARGET_EVIDENCE = 6.
- score = the mean level over the student's skills (0 with no skills), one decimal.
- gaps = the (up to) three weakest skills below READY_SCORE (80), weakest first.
- A snapshot of the score is kept per day. trend_7d = score now - the oldest snapshot of
  the last 7 days (before today); "+0.0" without history.
- time_to_ready (days) = 0 at or above READY_SCORE; else ceil((80 - score) / rate) where
  rate = trend_7d / days since that snapshot; null when the score is not rising.
"""

import math

from app.models import DashboardSnapshot
from app.services.shared.upsert import upsert

READY_SCORE = 80.0
TARGET_EVIDENCE = 6.0
TASK_WEIGHT = 1.0
ENTRY_WEIGHT = 2.0
MAX_GAPS = 3
# Later parts of Pulse add evidence (grades): fn(student_id) -> {skill: points}
EXTRA_EVIDENCE = []


def register_evidence(fn):
    EXTRA_EVIDENCE.append(fn)


def _norm(skill):
    return str(skill).strip().lower()


def skill_levels(tasks, entries, extra=()):
    """{skill: level 0-100} from the student's tasks and entries (and extra evidence)."""
    evidence = {}
    for task in tasks:
        for skill in task.skills or []:
            evidence[_norm(skill)] = evidence.get(_norm(skill), 0.0) + (TASK_WEIGHT if task.status == "done" else 0.0)
    for entry in entries:
        for skill in entry.skills or []:
            gained = ENTRY_WEIGHT if entry.status == "approved" else 0.0
            evidence[_norm(skill)] = evidence.get(_norm(skill), 0.0) + gained
    for points in extra:
        for skill, value in points.items():
            evidence[_norm(skill)] = evidence.get(_norm(skill), 0.0) + float(value)
    return {s: round(min(100.0, 100.0 * ev / TARGET_EVIDENCE), 1) for s, ev in sorted(evidence.items())}


def score_of(levels):
    return round(sum(levels.values()) / len(levels), 1) if levels else 0.0


def gaps_of(levels):
    weak = sorted((lvl, s) for s, lvl in levels.items() if lvl < READY_SCORE)
    return [{"skill": s, "level": lvl} for lvl, s in weak[:MAX_GAPS]]


def projection(score, baseline, today):
    """(trend_7d as a signed string, time_to_ready in days or None)."""
    if baseline is None:
        return "+0.0", (0 if score >= READY_SCORE else None)
    change = round(score - baseline.score, 1)
    days = max(1, (today - baseline.day).days)
    rate = change / days
    if score >= READY_SCORE:
        ttr = 0
    elif rate > 0:
        ttr = math.ceil((READY_SCORE - score) / rate)
    else:
        ttr = None
    return f"{change:+.1f}", ttr


def compute(ctx):
    """The readiness section for a loaded StudentContext (Pulse's own TalentScope)."""
    extra = [fn(ctx.student.id) for fn in EXTRA_EVIDENCE]
    levels = skill_levels(ctx.tasks, ctx.entries, extra)
    score = score_of(levels)
    today = ctx.now.date()
    trend, ttr = projection(score, ctx.baseline(), today)
    return {
        "score": score,
        "time_to_ready": ttr,
        "trend_7d": trend,
        "gaps": gaps_of(levels),
        "skills": levels,
        "ready_at": READY_SCORE,
    }


def record_snapshot(student_id, day, score, skills):
    """Today's snapshot, replaced by each refresh of the day (one row per student and day)."""
    upsert(
        DashboardSnapshot,
        {"student_id": student_id, "day": day, "score": float(score), "skills": skills},
        ["student_id", "day"],
        ["score", "skills"],
    )
