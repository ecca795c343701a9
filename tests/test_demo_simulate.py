"""flask demo simulate: every kind of change goes through the services and leaves its rows
and events; it stops by itself (time is driven, never slept)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ChatIntent,
    CrisisAlert,
    Entry,
    GradeChange,
    LessonCompletion,
    OutboxEvent,
    Section,
    SectionAttendance,
    Task,
)
from app.services.demo import seed as demo
from app.services.demo import simulate
from app.services.shared import cache


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot():
    return {
        "grades": _count(GradeChange),
        "attendance": _count(SectionAttendance),
        "entries": _count(Entry),
        "tasks_done": _count(Task, Task.status == "done"),
        "lessons": _count(LessonCompletion),
        "intents": _count(ChatIntent, ChatIntent.is_crisis.is_(True)),
        "alerts": _count(CrisisAlert),
        "events": _count(OutboxEvent),
    }


def test_one_round_moves_every_path(app, redis_conn, run_worker):
    demo.seed()
    before = _snapshot()
    redis_conn.flushdb()  # only what the simulator queues from here on
    made = simulate.simulate(rate=1000, duration=60, steps=len(simulate.ROUND), seed_value=7, sleep=lambda s: None)
    assert made == {"grade": 4, "attendance": 4, "entry": 4, "task": 4, "lesson": 4, "crisis": 1}
    after = _snapshot()
    for key in ("grades", "entries", "tasks_done", "intents", "alerts"):
        assert after[key] > before[key], key
    assert after["attendance"] >= before["attendance"]  # a day's mark may be changed, not added
    assert after["lessons"] > before["lessons"] or made["lesson"]  # or enrolments / new lessons
    assert after["events"] - before["events"] >= 4 + 4 + 1  # entry:created, task:updated, the crisis notification
    kinds = {e.event for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(50))}
    assert {"entry:created", "notification"} <= kinds
    # the educator's figures are recomputed by the worker: the jobs are queued with the changes
    sections = db.session.scalars(select(Section.id)).all()
    waiting = [sid for sid in sections if redis_conn.exists(cache.performance_changes_key(sid))]
    assert waiting, "no section has changes waiting for its recompute"
    # a real worker recomputes and announces them: the educator's events went out
    run_worker()
    emitted = {k.decode(): int(v) for k, v in redis_conn.hgetall(cache.events_emitted_key()).items()}
    assert emitted.get("grade:updated", 0) + emitted.get("exam:created", 0) >= 1, emitted
    assert emitted.get("attendance:updated", 0) >= 1, emitted


def test_it_stops_by_itself_after_the_duration():
    demo.seed()
    ticks = iter(range(1000))
    slept = []
    made = simulate.simulate(rate=2, duration=5, clock=lambda: next(ticks), sleep=slept.append, seed_value=1)
    # started at tick 0; a change at ticks 1 to 4; at tick 5 the 5 seconds are over
    assert sum(made.values()) == 4 and slept == [0.5] * 4


def test_the_command(app):
    demo.seed()
    result = app.test_cli_runner().invoke(args=["demo", "simulate", "--rate", "100", "--steps", "3"])
    assert result.exit_code == 0, result.output
    assert "grade" in result.output and "simulated: attendance 1, entry 1, grade 1" in result.output
    bad = app.test_cli_runner().invoke(args=["demo", "simulate", "--rate", "0"])
    assert bad.exit_code != 0
