"""What the performance endpoints answer: overview, sections, subjects, a student, weekly trends."""

from app.models import utcnow
from app.services.performance import access, store, students
from app.services.performance import figures as fig
from app.services.performance import trends as weekly_trends

HIDDEN = ("averages", "sources", "subjects")


def _sorted(items, sort):
    """Sort by a field ("average", "-average" for descending); missing values always last."""
    if not sort:
        return items
    key, reverse = sort.lstrip("-"), sort.startswith("-")
    present = [i for i in items if i.get(key) is not None]
    absent = [i for i in items if i.get(key) is None]
    return sorted(present, key=lambda i: i[key], reverse=reverse) + absent


def overview(user, n=fig.DEFAULT_PERFORMERS, now=None):
    """`user` may be the cached principal: only its id and role are read."""
    other_n = n != fig.DEFAULT_PERFORMERS  # the default N is stored with the figures
    figures, cached = store.overview(access.educator_scope(user), now or utcnow(), averages=other_n)
    out = {k: v for k, v in figures.items() if k not in HIDDEN}
    if other_n:
        out["top_performers"] = fig.performers(figures["averages"], n, True)
        out["low_performers"] = fig.performers(figures["averages"], n, False)
    out["cached"] = cached
    return out


def sections(user, term=None, sort=None, now=None):
    ids = access.section_ids_for(user)
    cached, fresh = store.section_figures(ids, now or utcnow())
    items = [cached[i]["section"] for i in ids]
    if term:
        items = [i for i in items if i["term"] == term]
    return {"items": _sorted(items, sort), "cached": fresh}


def section(user, section_id, n=5, now=None):
    visible = access.visible_section(user, section_id)
    cached, fresh = store.section_figures([visible.id], now or utcnow(), details=True)
    figures = cached[visible.id]
    averages = [[int(sid), s["name"], fig.student_average(s)] for sid, s in figures["students"].items()]
    return {
        "section": figures["section"],
        "students": students.student_rows(figures),
        "top_performers": fig.performers(averages, n, True),
        "low_performers": fig.performers(averages, n, False),
        "cached": fresh,
    }


def subjects(user, sort=None, now=None):
    figures, cached = store.overview(access.educator_scope(user), now or utcnow())
    return {"items": _sorted(list(figures["subjects"].values()), sort), "cached": cached}


def student(user, student_id, now=None):
    found = access.visible_student(user, student_id)
    ids = None if access.educator_scope(user) is None else access.section_ids_for(user)
    return students.detail(found, students.sections_of_student(found.id, ids), now or utcnow())


def own(student_user, now=None):
    """A student's own grades, averages and attendance over all their sections."""
    return students.detail(student_user, students.sections_of_student(student_user.id), now or utcnow())


def trends(user, section_id=None, weeks=8, now=None):
    """Weekly averages (all published grades dated that week) and attendance, oldest week first."""
    today = (now or utcnow()).date()
    ids = [access.visible_section(user, section_id).id] if section_id else access.section_ids_for(user)
    return {"section_id": section_id, "weeks": weekly_trends.weekly(ids, weeks, today)}
