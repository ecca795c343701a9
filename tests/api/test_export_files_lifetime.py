"""PDF exports live as long as their link: a periodic job prunes them after EXPORT_LINK_TTL,
and an identical request reuses the stored (or still rendering) file while it is valid and
nothing in its sections changed."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs.schedule import PERIODIC
from app.models import Notification, PerformanceExport, utcnow
from app.services.performance import exports
from app.services.shared.queues import JOBS
from tests.educator_fixture import build, grade
from tests.helpers import auth_for

TTL = timedelta(seconds=3600)  # EXPORT_LINK_TTL in testing


def _ask(client, user, scope):
    res = client.get(f"/api/v1/performance/export?format=pdf&scope={scope}", headers=auth_for(user))
    assert res.status_code == 202, res.get_json()
    return res.get_json()["export"]


def _ready_notes(user):
    query = select(Notification).where(Notification.user_id == user.id, Notification.type == "export_ready")
    return db.session.scalars(query.order_by(Notification.id)).all()


def test_an_identical_request_reuses_the_file_until_something_changes(client, run_worker):
    f = build(client)
    educator, scope = f["educator"], f"section:{f['section']['id']}"
    first = _ask(client, educator, scope)
    assert _ask(client, educator, scope) == first  # still rendering: the same export, one job
    run_worker()
    assert db.session.query(PerformanceExport).count() == 1
    again = _ask(client, educator, scope)
    assert (again["id"], again["status"]) == (first["id"], "ready")
    notes = _ready_notes(educator)
    assert len(notes) == 2 and {n.data["export_id"] for n in notes} == {first["id"]}
    assert notes[0].data["expires_at"] == notes[1].data["expires_at"]  # one file, one life
    assert db.session.query(PerformanceExport).count() == 1
    # another scope, or the overview, is another file
    assert _ask(client, educator, "overview")["id"] != first["id"]

    # a grade changes the figures: a new file
    ana = f["students"][0]
    e1 = f["exams"][0]
    grade(client, educator, e1["id"], [(ana.id, 44)])
    changed = _ask(client, educator, scope)
    assert changed["id"] != first["id"] and changed["status"] == "pending"

    # past half the link's life a file is no longer handed out again
    run_worker()
    export = db.session.get(PerformanceExport, changed["id"])
    soon = exports.request_pdf(educator, scope, now=export.completed_at + TTL / 2 - timedelta(seconds=60))
    assert soon.id == changed["id"]
    late = exports.request_pdf(educator, scope, now=export.completed_at + TTL / 2 + timedelta(seconds=1))
    assert late.id != changed["id"] and late.status == "pending"


def test_exports_are_pruned_when_their_link_dies(client, run_worker):
    assert "app.jobs.performance.prune_exports" in {p.job for p in PERIODIC}
    assert "app.jobs.performance.prune_exports" in JOBS
    f = build(client)
    educator = f["educator"]
    first = _ask(client, educator, f"section:{f['section']['id']}")
    run_worker()
    db.session.expire_all()
    ready = db.session.get(PerformanceExport, first["id"])
    token = _ready_notes(educator)[0].data["download_url"].split("token=")[1]
    rendered = ready.completed_at

    assert exports.prune(rendered + TTL - timedelta(seconds=5)) == 0  # the link still works
    assert client.get(f"/api/v1/performance/exports/{first['id']}/download?token={token}").status_code == 200
    # one whose render never finished within the link's life goes too
    never = PerformanceExport(requested_by=educator.id, scope="overview", status="pending")
    db.session.add(never)
    db.session.commit()
    never.created_at = utcnow() - TTL - timedelta(seconds=1)
    db.session.commit()
    never_id = never.id
    assert exports.prune(rendered + TTL + timedelta(seconds=1)) == 2
    db.session.expire_all()
    assert db.session.get(PerformanceExport, first["id"]) is None
    assert db.session.get(PerformanceExport, never_id) is None
    res = client.get(f"/api/v1/performance/exports/{first['id']}/download?token={token}")
    assert res.status_code == 404
