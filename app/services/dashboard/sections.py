"""Pulse's own computation of the dashboard sections other than readiness and today."""

from datetime import timedelta

from app.models import iso
from app.schemas.notifications import NotificationSchema

LATEST = 3
NOTIFICATION_ITEMS = NotificationSchema(many=True)


def _task(t):
    return {"id": t.id, "title": t.title, "due_at": iso(t.due_at), "est_hours": t.est_hours, "skills": t.skills}


def missions(ctx):
    """Missions card: the student's tasks."""
    open_tasks = sorted(ctx.open_tasks, key=lambda t: (t.due_at is None, t.due_at or ctx.now, t.id))
    week = ctx.now - timedelta(days=7)
    started = {a.data.get("mission_id") for a in ctx.actions_of("mission_started", days=30)}
    return {
        "open": len(open_tasks),
        "done": sum(1 for t in ctx.tasks if t.status == "done"),
        "overdue": len(ctx.overdue_tasks()),
        "completed_7d": sum(1 for t in ctx.tasks if t.completed_at and t.completed_at >= week),
        "in_progress": sorted(t.id for t in open_tasks if t.id in started),
        "next": _task(open_tasks[0]) if open_tasks else None,
    }


def portfolio(ctx):
    """Portfolio card: the student's entries by review status, newest few."""
    newest = sorted(ctx.entries, key=lambda e: e.id, reverse=True)[:LATEST]
    counts = {s: len(ctx.entries_with(s)) for s in ("approved", "pending", "needs_revision", "rejected")}
    return {
        **counts,
        "latest": [{"id": e.id, "title": e.title, "status": e.status, "skills": e.skills} for e in newest],
    }


def _session(s):
    return {"id": s.id, "title": s.title, "start_time": iso(s.start_time), "end_time": iso(s.end_time)}


def attendance_rate(ctx):
    if not ctx.attendance:
        return None
    present = sum(1 for a in ctx.attendance if a.status in ("present", "late"))
    return round(100.0 * present / len(ctx.attendance), 1)


def cohort(ctx):
    """Cohort and calendar card."""
    upcoming = [s for s in ctx.sessions if s.status == "scheduled" and s.start_time >= ctx.now]
    members = ctx.member_count() if ctx.cohort else 0
    return {
        "cohort": {"id": ctx.cohort.id, "name": ctx.cohort.name} if ctx.cohort else None,
        "members": members,
        "sessions_today": len(ctx.sessions_today()),
        "upcoming_7d": sum(1 for s in upcoming if s.start_time < ctx.now + timedelta(days=7)),
        "next_session": _session(upcoming[0]) if upcoming else None,
        "attendance_rate": attendance_rate(ctx),
    }


def _streak(ctx):
    days = {a.created_at.date() for a in ctx.actions if a.action == "habit_logged"}
    streak, day = 0, ctx.now.date()
    if day not in days:
        day -= timedelta(days=1)  # today not logged yet does not break yesterday's streak
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def coaching(ctx):
    """Coaching habits and goals card, from the student's own actions."""
    habits = ctx.actions_of("habit_logged", days=7)
    goals = [a.data.get("goal") for a in ctx.actions_of("goal_set", days=30) if a.data.get("goal")]
    return {
        "habits_logged_7d": len(habits),
        "streak_days": _streak(ctx),
        "last_habit_at": iso(habits[-1].created_at) if habits else None,
        "goals": goals[-LATEST:],
    }


def quick_stats(ctx):
    week_end = ctx.today_start + timedelta(days=7)
    return {
        "tasks_open": len(ctx.open_tasks),
        "tasks_done": sum(1 for t in ctx.tasks if t.status == "done"),
        "tasks_overdue": len(ctx.overdue_tasks()),
        "entries_approved": len(ctx.entries_with("approved")),
        "entries_pending": len(ctx.entries_with("pending")),
        "sessions_this_week": sum(1 for s in ctx.sessions if s.status == "scheduled" and s.start_time < week_end),
        "attendance_rate": attendance_rate(ctx),
        "habits_7d": len(ctx.actions_of("habit_logged", days=7)),
    }


def notifications(ctx):
    """Unread count and the newest few, straight from the inbox table."""
    unread, rows = ctx.inbox()
    return {"unread_count": unread, "items": NOTIFICATION_ITEMS.dump(rows)}


def leaderboard(ctx):
    """Rank in the (first) cohort by points, with the neighbours just above and below."""
    me = ctx.student.id
    if not ctx.cohort:
        points = ctx.points([me])[me]
        return {"cohort_id": None, "rank": None, "of": 0, "points": points, "neighbours": []}
    names = ctx.roster()
    names.setdefault(me, ctx.student.name)
    points = ctx.points(list(names))
    order = sorted(names, key=lambda sid: (-points[sid], sid))
    rank_of = {sid: 1 + sum(1 for other in order if points[other] > points[sid]) for sid in order}
    at = order.index(me)
    window = order[max(0, at - 1) : at + 2]
    return {
        "cohort_id": ctx.cohort.id,
        "rank": rank_of[me],
        "of": len(order),
        "points": points[me],
        "neighbours": [
            {"rank": rank_of[sid], "name": names[sid], "points": points[sid], "you": sid == me} for sid in window
        ],
    }
