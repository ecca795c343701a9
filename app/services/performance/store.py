"""The performance_cache table: a version per section, so cached figures are served only while fresh.

A write calls mark_dirty(section) in its transaction (data_version + 1). Figures computed
at version v are stored with computed_version = v; they are fresh while the two match. The
overview row remembers the computed_version of every section it merged, so it is fresh
only while none of them moved (a read never serves figures older than the last write's
recompute; the job that recomputes also sends the live event, from the same rows).
"""

from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from app.extensions import db
from app.models import PerformanceCache, Section
from app.services.performance import figures as fig
from app.services.shared.transaction import commit
from app.services.shared.upsert import insert_for, upsert


def section_scope(section_id):
    return f"section:{section_id}"


def overview_scope(educator_id):
    """An educator's overview; None (an admin) means every section."""
    return f"overview:{educator_id if educator_id is not None else 'all'}"


def mark_dirty(section):
    """Inside a write's transaction: this section's figures are stale from its commit on."""
    stmt = insert_for(PerformanceCache).values(
        scope=section_scope(section.id), educator_id=section.educator_id, section_id=section.id, data_version=1
    )
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=["scope"], set_={"data_version": PerformanceCache.data_version + 1})
    )


def refresh_section(section_id, now):
    """Recompute one section's figures and store them under the version they saw."""
    return _refresh([section_id], now).get(section_id, (None, None))[0]


def _refresh(section_ids, now):
    """{section id: (figures with details, the data version they were computed at)}: every
    section recomputed in one pass (a handful of queries, one commit)."""
    sections = {s.id: s for s in db.session.scalars(select(Section).where(Section.id.in_(section_ids)))}
    ids = [sid for sid in section_ids if sid in sections]
    if not ids:
        return {}
    versions = _data_versions(ids)
    missing = [sid for sid in ids if sid not in versions]
    for sid in missing:
        mark_dirty(sections[sid])
    if missing:
        commit()
        versions = _data_versions(ids)
    commit()  # end the read: the figures below see at least these versions
    out = {}
    for sid, (figures, details) in fig.compute_sections(ids, now).items():
        db.session.execute(
            update(PerformanceCache)
            .where(PerformanceCache.scope == section_scope(sid), PerformanceCache.computed_version <= versions[sid])
            .values(figures=figures, details=details, computed_version=versions[sid], computed_at=now)
            .execution_options(synchronize_session=False)
        )
        out[sid] = (with_details(figures, details), versions[sid])
    commit()
    return out


def data_versions(section_ids):
    """{section id: data version} of the sections that have a cache row (a write makes one)."""
    return _data_versions(section_ids)


def _data_versions(section_ids):
    return dict(
        db.session.execute(
            select(PerformanceCache.section_id, PerformanceCache.data_version).where(
                PerformanceCache.section_id.in_(section_ids)
            )
        ).all()
    )


def with_details(figures, details):
    """The figures with each student's exam percentages put back (for trends)."""
    pcts = (details or {}).get("pcts", {})
    students = {sid: s | {"pcts": pcts.get(sid, [])} for sid, s in figures["students"].items()}
    return figures | {"students": students}


def sections_of(educator_id):
    """Section ids in an overview: the educator's own, or every section (None: an admin)."""
    query = select(Section.id).order_by(Section.id)
    if educator_id is not None:
        query = query.where(Section.educator_id == educator_id)
    return list(db.session.scalars(query))


def section_figures(section_ids, now, details=False):
    """{section id: cached figures}, recomputing any that are missing or stale; and whether all were
    fresh. With `details`, each student carries their exam percentages ("pcts")."""
    out, fresh, _ = _section_figures(section_ids, now, details)
    return out, fresh


def _section_figures(section_ids, now, details=False):
    """As section_figures, plus {section id: the version each figure set was computed at}."""
    query = select(PerformanceCache).where(PerformanceCache.section_id.in_(section_ids))
    if details:
        query = query.options(undefer(PerformanceCache.details))
    rows = {r.section_id: r for r in db.session.scalars(query)}
    out, versions, stale = {}, {}, []
    for sid in section_ids:
        row = rows.get(sid)
        if row is not None and row.computed_version == row.data_version and row.figures:
            out[sid] = with_details(row.figures, row.details) if details else row.figures
            versions[str(sid)] = row.computed_version
        else:
            stale.append(sid)
    for sid, (figures, version) in _refresh(stale, now).items():
        out[sid], versions[str(sid)] = figures, version
    return out, not stale, versions


def _sections_and_versions(educator_id):
    """(the overview's section ids, {section id: version} of those whose figures are fresh), in one query."""
    query = (
        select(Section.id, PerformanceCache.data_version, PerformanceCache.computed_version)
        .outerjoin(PerformanceCache, PerformanceCache.section_id == Section.id)
        .order_by(Section.id)
    )
    if educator_id is not None:
        query = query.where(Section.educator_id == educator_id)
    ids, versions = [], {}
    for sid, data_version, computed_version in db.session.execute(query):
        ids.append(sid)
        if data_version is not None and data_version == computed_version:
            versions[str(sid)] = computed_version
    return ids, versions


def overview(educator_id, now, averages=False):
    """(overview figures, cached?) for an educator (None: every section, for an admin).

    Every student's average (for top/low performers of another N) is stored apart, in
    `details`, and read only when `averages` is asked for: the cached read stays small."""
    query = select(PerformanceCache).where(PerformanceCache.scope == overview_scope(educator_id))
    if averages:
        query = query.options(undefer(PerformanceCache.details))
    row = db.session.scalar(query)
    section_ids, versions = _sections_and_versions(educator_id)
    if row is not None and row.figures and row.figures.get("sources") == versions and len(versions) == len(section_ids):
        if averages:
            return row.figures | {"averages": (row.details or {}).get("averages", [])}, True
        return row.figures, True
    return rebuild_overview(educator_id, now, averages=averages), False


def rebuild_overview(educator_id, now, averages=False):
    """Merge the (refreshed where stale) sections into the overview and store it."""
    section_ids = sections_of(educator_id)
    # the versions of the very figures merged: a section recomputed meanwhile makes this stale
    sections, _, versions = _section_figures(section_ids, now)
    figures = fig.overview([sections[s] for s in section_ids], now)
    figures["sources"] = versions
    details = {"averages": figures.pop("averages")}
    upsert(
        PerformanceCache,
        {"scope": overview_scope(educator_id), "educator_id": educator_id, "figures": figures, "details": details,
         "computed_at": now},
        ["scope"],
        ["figures", "details", "computed_at"],  # from `excluded`: serialized and sent once
    )  # fmt: skip
    commit()
    return figures | details if averages else figures
