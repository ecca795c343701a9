"""The educator's dashboard page: the overview, narrowed by term, section or subject, with
the at-risk students and their reasons. Read from the same cached figures as the API's
GET /performance/overview (unfiltered, it *is* that answer), so a page never disagrees
with the API and a live event's figures are what the next read shows."""

import hashlib

from app.models import utcnow
from app.services.performance import access, reports, rules, store
from app.services.performance import figures as fig
from app.services.shared import cache

SHOWN = (
    "total_students",
    "overall_average",
    "pass_rate",
    "grade_distribution",
    "subject_averages",
    "section_averages",
    "attendance_percentage",
    "top_performers",
    "low_performers",
    "at_risk_count",
    "computed_at",
)


def view(user, term=None, section_id=None, subject=None, weeks=8, now=None):
    """Figures, at-risk rows, weekly trends and the filter choices for one view of the page."""
    now = now or utcnow()
    ids = access.section_ids_for(user)
    if section_id is not None:
        ids = [access.visible_section(user, section_id).id]  # someone else's section: 404
    cached, _ = store.section_figures(ids, now)
    sections = [cached[i]["section"] | {"section_id": i} for i in ids]
    terms = sorted({s.get("term") or "" for s in sections} - {""})
    if term:
        ids = [i for i in ids if (cached[i]["section"].get("term") or "") == term]
    if section_id is None and not term:
        whole, _ = store.overview(access.educator_scope(user), now)
    else:
        whole = fig.overview([cached[i] for i in ids], now)
    figures = {k: whole.get(k) for k in SHOWN}
    subjects = sorted(whole.get("subject_averages") or {})
    if subject:
        one = (whole.get("subjects") or {}).get(subject) or {
            "students": 0,
            "average": None,
            "pass_rate": None,
            "grade_distribution": rules.distribution([]),
        }
        figures |= {
            "overall_average": one["average"],
            "pass_rate": one["pass_rate"],
            "grade_distribution": one["grade_distribution"],
            "subject_averages": {subject: one["average"]},
        }
    students = fig.merge_students([cached[i] for i in ids])
    at_risk = sorted(
        (
            {"student_id": int(sid), "name": s["name"], "average": fig.student_average(s), "reasons": s["at_risk"]}
            for sid, s in students.items()
            if s["at_risk"]
        ),
        key=lambda r: (-len(r["reasons"]), r["average"] if r["average"] is not None else -1, r["name"]),
    )
    trend = _trends(user, section_id, weeks, now)
    return {
        "figures": figures,
        "at_risk": at_risk,
        "trends": trend,
        "choices": {"terms": terms, "sections": sections, "subjects": subjects},
        "filters": {"term": term or "", "section_id": section_id, "subject": subject or ""},
    }


def _trends(user, section_id, weeks, now):
    """reports.trends' weeks, cached under the sections' data versions: reading every grade and
    attendance mark of 30 sections takes about a second, the versions one small query."""
    ids = [section_id] if section_id is not None else access.section_ids_for(user)
    versions = sorted(store.data_versions(ids).items())
    stamp = hashlib.sha256(repr((ids, versions)).encode()).hexdigest()[:20]
    scope = access.educator_scope(user)
    key = cache.performance_trends_key(scope if scope is not None else "all", section_id, weeks, now.date(), stamp)
    found = cache.get_json(key)
    if found is not None:
        return found
    weeks_out = reports.trends(user, section_id=section_id, weeks=weeks, now=now)["weeks"]
    cache.set_json(key, weeks_out, cache.PERFORMANCE_TRENDS_TTL)
    return weeks_out
