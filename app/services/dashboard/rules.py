"""Today's actions and the nudge, chosen by ordered rules a person can read.

Today, in order: no cohort -> "Join cohort"; overdue tasks (oldest due first); today's
sessions; entries needing revision; the next open task; the weakest gap; else "submit an
entry". The first candidate is the primary action, the next three are secondary.
"""

from app.models import iso

SECONDARY = 3
DEFAULT_TASK_HOURS = 1.0


def _action(type, title, priority, cta, est_hours=None, **extra):
    return {"type": type, "title": title, "priority": priority, "cta": cta, "est_hours": est_hours, **extra}


def candidates(ctx, readiness):
    """Every action worth doing today, most important first."""
    out = []
    if not ctx.cohort_ids:
        out.append(_action("join_cohort", "Join cohort", "high", "/cohorts/join", 0.1))
    for t in ctx.overdue_tasks():
        out.append(
            _action(
                "overdue_task",
                f"Finish overdue task: {t.title}",
                "urgent",
                f"/tasks/{t.id}",
                t.est_hours or DEFAULT_TASK_HOURS,
                task_id=t.id,
                due_at=iso(t.due_at),
            )
        )
    for s in ctx.sessions_today():
        hours = round((s.end_time - s.start_time).total_seconds() / 3600, 2)
        out.append(
            _action(
                "session",
                f"Attend: {s.title}",
                "high",
                f"/schedules/{s.id}",
                hours,
                schedule_id=s.id,
                start_time=iso(s.start_time),
            )
        )
    for e in ctx.entries_with("needs_revision"):
        out.append(_action("revise_entry", f"Revise entry: {e.title}", "high", f"/entries/{e.id}", 1.0, entry_id=e.id))
    overdue = {t.id for t in ctx.overdue_tasks()}
    upcoming = sorted(
        (t for t in ctx.open_tasks if t.id not in overdue),
        key=lambda t: (t.due_at is None, t.due_at or ctx.now, t.id),
    )
    if upcoming:
        t = upcoming[0]
        out.append(
            _action(
                "task",
                f"Work on: {t.title}",
                "normal",
                f"/tasks/{t.id}",
                t.est_hours or DEFAULT_TASK_HOURS,
                task_id=t.id,
                due_at=iso(t.due_at),
            )
        )
    gaps = readiness.get("gaps") if isinstance(readiness, dict) else None
    if isinstance(gaps, list) and gaps and isinstance(gaps[0], dict) and gaps[0].get("skill"):
        skill = gaps[0]["skill"]
        out.append(_action("practice_skill", f"Practise {skill}", "normal", f"/skills/{skill}", 1.0, skill=skill))
    if not out:
        out.append(_action("submit_entry", "Write an entry about what you learned", "low", "/entries/new", 0.5))
    return out


def today(ctx, readiness):
    found = candidates(ctx, readiness)
    return {"primary_action": found[0], "secondary_actions": found[1 : 1 + SECONDARY]}


def nudge(ctx, state):
    """One sentence from the first rule that fires, with the rule's name (rules are the default coach)."""
    readiness = state.get("readiness") or {}
    overdue = ctx.overdue_tasks()
    revise = ctx.entries_with("needs_revision")
    sessions = ctx.sessions_today()
    gaps = [g for g in (readiness.get("gaps") or []) if isinstance(g, dict) and "skill" in g]
    trend = readiness.get("trend_7d") or "+0.0"
    if overdue:
        text = (
            f"You have {len(overdue)} overdue task(s); "
            f"finishing \u201c{overdue[0].title}\u201d first lifts your readiness."
        )
        rule = "overdue_tasks"
    elif revise:
        text = f"Your mentor asked for changes on \u201c{revise[0].title}\u201d: revise it today."
        rule = "needs_revision"
    elif sessions:
        first = sessions[0]
        text = f"You have \u201c{first.title}\u201d at {first.start_time:%H:%M} UTC today: bring one question."
        rule = "session_today"
    elif isinstance(trend, str) and trend.startswith("-") and gaps:
        text = f"Your readiness slipped {trend} this week; one task in {gaps[0]['skill']} gets you back on track."
        rule = "readiness_down"
    elif gaps:
        text = f"Your weakest skill is {gaps[0]['skill']} (level {gaps[0]['level']}): an hour there helps most."
        rule = "weakest_gap"
    elif not ctx.actions_of("habit_logged", days=7):
        text = "Log a study habit today to start a streak."
        rule = "no_habits"
    else:
        text = "You are on track: keep your streak going."
        rule = "on_track"
    return {"text": text, "rule": rule, "source": "rules"}
