"""Student insights for their mentor: intent and mood trends, crisis history, recent messages.

Served from Redis (mentor:student_insights:<id>, 5 minutes). A cold cache answers at once
with quick basic figures ("partial": true) and queues precalculate_student_insights, which
stores the full result and tells the mentor with an `insights:ready` event. With Redis
down, the full result is computed from the database on the request.

Mood: each intent label has a weight (MOOD_WEIGHTS, unknown labels count 0, any crisis
-3); a day's mood is the mean weight of its intents, a period's trend is the mean of its
second half minus the mean of its first half.
"""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChatIntent, CrisisAlert, User, iso, utcnow
from app.models.alerts import RESOLVED
from app.services.identity import access
from app.services.realtime import events, outbox
from app.services.realtime.rooms import mentor_room
from app.services.shared import cache
from app.services.shared.queues import enqueue
from app.services.shared.transaction import commit

MOOD_WEIGHTS = {
    "crisis": -3,
    "self_harm": -3,
    "suicidal_ideation": -3,
    "sad": -2,
    "lonely": -2,
    "anxious": -2,
    "anxiety": -2,
    "stress": -1,
    "stressed": -1,
    "frustrated": -1,
    "overwhelmed": -2,
    "tired": -1,
    "greeting": 0,
    "study_help": 0,
    "question": 0,
    "happy": 2,
    "grateful": 2,
    "motivated": 2,
    "proud": 2,
    "progress": 1,
    "excited": 2,
}
RECENT_MESSAGES = 5
# Later parts of Pulse add figures (entries, tasks, attendance, grades): name -> fn(student_id)
EXTRA_SECTIONS = {}


def register_section(name, fn):
    EXTRA_SECTIONS[name] = fn


def _student_dict(student):
    return {"id": student.id, "name": student.name, "email": student.email, "cohort_ids": student.cohort_ids}


def mood_of(intent):
    return -3 if intent.is_crisis else MOOD_WEIGHTS.get(intent.intent.lower(), 0)


def _trend(intents, days, now):
    since = now - timedelta(days=days)
    window = [i for i in intents if i.created_at >= since]
    labels = Counter(i.intent for i in window)
    by_day = {}
    for i in window:
        by_day.setdefault(i.created_at.date().isoformat(), []).append(mood_of(i))
    daily = [{"date": d, "intents": len(v), "mood": round(sum(v) / len(v), 2)} for d, v in sorted(by_day.items())]
    half = since + timedelta(days=days / 2)
    first = [mood_of(i) for i in window if i.created_at < half]
    second = [mood_of(i) for i in window if i.created_at >= half]
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    trend = round(mean(second) - mean(first), 2) if first and second else None
    return {
        "intents": len(window),
        "crisis_intents": sum(1 for i in window if i.is_crisis),
        "labels": dict(labels.most_common()),
        "mood_average": round(mean([mood_of(i) for i in window]), 2) if window else None,
        "mood_trend": trend,
        "daily": daily,
    }


def _recent(student_id, limit=RECENT_MESSAGES):
    rows = db.session.scalars(
        select(ChatIntent).where(ChatIntent.student_id == student_id).order_by(ChatIntent.id.desc()).limit(limit)
    ).all()
    return [
        {
            "id": i.id,
            "intent": i.intent,
            "crisis": i.is_crisis,
            "excerpt": i.message[:140],
            "created_at": iso(i.created_at),
        }
        for i in rows
    ]


def _alerts(student_id):
    rows = db.session.scalars(
        select(CrisisAlert).where(CrisisAlert.student_id == student_id).order_by(CrisisAlert.id.desc())
    ).all()
    return {
        "open": sum(1 for a in rows if a.status != RESOLVED),
        "total": len(rows),
        "history": [
            {
                "id": a.id,
                "severity": a.severity,
                "status": a.status,
                "created_at": iso(a.created_at),
                "acknowledged_at": iso(a.acknowledged_at),
                "resolved_at": iso(a.resolved_at),
                "escalation_level": a.escalation_level,
            }
            for a in rows[:20]
        ],
    }


def basic(student_id, now=None):
    """Quick figures from two indexed queries: enough to show something at once."""
    now = now or utcnow()
    week = db.session.scalar(
        select(func.count(ChatIntent.id)).where(
            ChatIntent.student_id == student_id, ChatIntent.created_at >= now - timedelta(days=7)
        )
    )
    return {"intents_7d": week, "recent_messages": _recent(student_id), "crisis": _alerts(student_id)}


def full(student_id, now=None):
    """Everything: 7- and 30-day trends, crisis history, recent messages, later parts' figures."""
    now = now or utcnow()
    intents = db.session.scalars(
        select(ChatIntent)
        .where(ChatIntent.student_id == student_id, ChatIntent.created_at >= now - timedelta(days=30))
        .order_by(ChatIntent.created_at)
    ).all()
    result = {
        "trend_7d": _trend(intents, 7, now),
        "trend_30d": _trend(intents, 30, now),
        "crisis": _alerts(student_id),
        "recent_messages": _recent(student_id),
        "last_message_at": iso(intents[-1].created_at) if intents else None,
    }
    for name, fn in EXTRA_SECTIONS.items():
        result[name] = fn(student_id)
    return result


def get_for(user, student_id):
    """The insights answer for a mentor (or admin) about one of their students."""
    student = access.mentor_student(user, student_id)
    cached = cache.get_json(cache.insights_key(student.id))
    if cached is not None:
        return _answer(
            student,
            cached["insights"],
            cached["computed_at"],
            cached=True,
            partial=False,
            recomputing=cache.exists(cache.insights_computing_key(student.id)),
        )
    if not cache.available():
        # Redis is down: no cache and no queue, so answer in full from the database.
        return _answer(student, full(student.id), iso(utcnow()), cached=False, partial=False, recomputing=False)
    if cache.claim(cache.insights_computing_key(student.id), cache.INSIGHTS_COMPUTING_TTL):
        enqueue("app.jobs.insights.precalculate_student_insights", student.id)
    return _answer(student, basic(student.id), iso(utcnow()), cached=False, partial=True, recomputing=True)


def _answer(student, insights, computed_at, cached, partial, recomputing):
    return {
        "student": _student_dict(student),
        "insights": insights,
        "cached": cached,
        "computed_at": computed_at,
        "partial": partial,
        "recomputing": recomputing,
    }


def precalculate(student_id):
    """Compute, store in the cache, and tell the mentor. Returns the mentor told, if any."""
    student = db.session.get(User, student_id)
    if student is None:
        cache.delete(cache.insights_computing_key(student_id))
        return None
    computed_at = iso(utcnow())
    cache.set_json(
        cache.insights_key(student_id), {"insights": full(student_id), "computed_at": computed_at}, cache.insights_ttl()
    )
    cache.delete(cache.insights_computing_key(student_id))
    if student.mentor_id:
        outbox.record(
            events.INSIGHTS_READY,
            mentor_room(student.mentor_id),
            {"student_id": student_id, "computed_at": computed_at},
        )
        commit()
    return student.mentor_id
