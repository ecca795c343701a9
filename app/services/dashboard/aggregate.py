"""The whole dashboard aggregate: assembled from the providers, then masked for the reader.

The stored aggregate is complete; tier rules apply when it is read (a tier can change
without a refresh): a free tier sees PREMIUM fields as "upgrade_required", enhanced access
ending within 7 days adds a `warning` banner.
"""

from datetime import timedelta

from app.models import iso
from app.services.dashboard import context, providers, rules, sections

SECTIONS = ("readiness", "today", "quick_stats", "cards", "notifications", "leaderboard", "ai_nudge")
CARDS = ("missions", "portfolio", "cohort", "coaching")
# (section, field): field None means the whole section.
PREMIUM = (("readiness", "time_to_ready"), ("readiness", "gaps"), ("leaderboard", "neighbours"), ("ai_nudge", None))
UPGRADE = "upgrade_required"
WARN_WITHIN = timedelta(days=7)


def build(student, now, previous=None):
    """Compute every section for `student` as of `now`. `previous` feeds stale fallbacks."""
    return compose(context.load(student, now, previous), previous)


def compose(ctx, previous=None):
    """Every section from a loaded context (a StudentContext or batch.py's BatchContext)."""
    previous = previous or {}
    now = ctx.now
    state = {}
    state["readiness"] = providers.fetch("readiness", ctx, state, previous.get("readiness"))
    old_cards = previous.get("cards") or {}
    state["cards"] = {name: providers.fetch(name, ctx, state, old_cards.get(name)) for name in CARDS}
    state["leaderboard"] = providers.fetch("leaderboard", ctx, state, previous.get("leaderboard"))
    state["quick_stats"] = sections.quick_stats(ctx)
    state["notifications"] = sections.notifications(ctx)
    state["today"] = rules.today(ctx, state["readiness"])
    state["ai_nudge"] = providers.fetch("ai_nudge", ctx, state, previous.get("ai_nudge"))
    state["last_updated"] = iso(now)
    return {key: state[key] for key in (*SECTIONS, "last_updated")}


def changed_sections(previous, current):
    """Names of the sections whose value differs (all of them when there was nothing before)."""
    previous = previous or {}
    return [s for s in SECTIONS if previous.get(s) != current.get(s)]


def access_of(student, now):
    """The reader's effective tier and any banner."""
    until = student.enhanced_access_until
    enhanced = until is not None and until > now
    tier = "premium" if student.tier == "premium" else ("enhanced" if enhanced else "free")
    warning = None
    if enhanced and student.tier != "premium" and until - now <= WARN_WITHIN:
        days = max(0, (until - now).days)
        warning = {
            "type": "enhanced_access_expiring",
            "message": f"Your enhanced access ends in {days} day(s), on {until:%Y-%m-%d}.",
            "expires_at": iso(until),
        }
    return {"tier": tier, "enhanced_access_until": iso(until)}, warning


def mask(data, tier):
    """A copy with premium fields replaced for the free tier (only the sections present)."""
    if tier != "free":
        return data
    out = dict(data)
    for section, field in PREMIUM:
        if section not in out or out[section] is None:
            continue
        if field is None:
            out[section] = UPGRADE
        elif isinstance(out[section], dict) and field in out[section]:
            out[section] = {**out[section], field: UPGRADE}
    return out


def view(data, student, now, include_notifications=True, include_ai_nudge=True):
    """What the student is shown: masked, with tier, warning and the optional sections."""
    access, warning = access_of(student, now)
    out = mask(data, access["tier"])
    if not include_notifications:
        out["notifications"] = None
    if not include_ai_nudge:
        out["ai_nudge"] = None
    out["access"] = access
    out["warning"] = warning
    return out
