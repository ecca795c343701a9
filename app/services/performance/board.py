"""The educator's dashboard page: the overview, narrowed by term, section or subject, with
the at-risk students and their reasons. Read from the same cached figures as the API's
GET /performance/overview (unfiltered, it *is* that answer), so a page never disagrees
with the API and a live event's figures are what the next read shows."""

from app.models import utcnow
from app.services.performance import access, rules, store
from app.services.performance import figures as fig
from app.services.performance import trends as weekly_trends

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
    """reports.trends' weeks, from each section's part cached under its data version: a write
    to one section recomputes that section's weeks, not the 30 sections' (trends.py)."""
    ids = [section_id] if section_id is not None else access.section_ids_for(user)
    return weekly_trends.weekly_cached(ids, weeks, now.date())
