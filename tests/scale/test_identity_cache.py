"""The identity cache: authenticated reads and socket connects without the database, and
entries that follow every change of activity, role, cohorts, mentor and tier."""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
import socketio
from sqlalchemy import event

from app.extensions import db
from app.models import utcnow
from app.services.accounts import assignment, changes
from app.services.dashboard import reader
from app.services.identity import cohorts
from app.services.identity.principals import from_database
from app.services.shared import cache
from tests.helpers import auth_for, make_user, token_for

DASHBOARD = "/api/v1/student/dashboard"


@contextmanager
def counting_statements():
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_cached_me_and_dashboard_read_no_database(client):
    student = make_user()
    headers = auth_for(student)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.get(DASHBOARD, headers=headers).get_json()["source"] == "computed"
    db.session.remove()
    with counting_statements() as statements:
        me = client.get("/api/v1/auth/me", headers=headers)
        dash = client.get(DASHBOARD, headers=headers)
    assert me.status_code == 200 and dash.status_code == 200
    assert dash.get_json()["source"] == "redis"
    assert statements == []
    expected = {"id": student.id, "email": student.email, "name": student.name, "role": "student", "is_active": True}
    assert expected.items() <= me.get_json()["user"].items()
    assert me.get_json()["user"]["cohort_ids"] == [] and me.get_json()["user"]["mentor_id"] is None


def test_deactivation_takes_effect_at_once(client):
    student = make_user()
    headers = auth_for(student)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    changes.set_active(student.id, False)
    res = client.get("/api/v1/auth/me", headers=headers)
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "account_inactive"
    changes.set_active(student.id, True)
    # a token from before the deactivation stays refused after the reactivation; a new one works
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=auth_for(student)).status_code == 200


def test_a_plain_commit_outside_the_services_also_invalidates(client):
    student = make_user()
    headers = auth_for(student)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    student.name = "Renamed"
    db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["user"]["name"] == "Renamed"


def test_cohort_and_mentor_changes_rewrite_the_entry(client, redis_conn):
    mentor = make_user("mentor")
    student = make_user()
    headers = auth_for(student)
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["user"]["cohort_ids"] == []
    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, student.id)
    assignment.assign_mentor(student.id, mentor.id)
    cached = json.loads(redis_conn.get(cache.auth_user_key(student.id)))
    assert cached["cohort_ids"] == [cohort.id] and cached["mentor_id"] == mentor.id
    body = client.get("/api/v1/auth/me", headers=headers).get_json()["user"]
    assert body["cohort_ids"] == [cohort.id] and body["mentor_id"] == mentor.id


def test_socket_connect_sees_a_new_cohort_and_refuses_a_deactivated_user(live_server, live_client):
    student = make_user()
    token = token_for(student)
    first = live_client(live_server).connect(token)
    assert first["rooms"] == [f"user:{student.id}", f"student:{student.id}"]
    cohort = cohorts.create_cohort("Borealis")
    cohorts.add_member(cohort.id, student.id)
    assert f"cohort:{cohort.id}" in live_client(live_server).connect(token)["rooms"]
    changes.set_active(student.id, False)
    refused = live_client(live_server)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(token)
    assert "token_invalid" in str(refused.received("connect_error"))


def _premium(user):
    user.tier = "premium"
    db.session.commit()


def _enhanced(user):
    user.enhanced_access_until = utcnow() + timedelta(days=3)
    db.session.commit()


def test_the_stored_bytes_equal_the_full_path_for_every_tier(client):
    for setup in (None, _premium, _enhanced):
        student = make_user()
        if setup:
            setup(student)
        headers = auth_for(student)
        assert client.get(DASHBOARD, headers=headers).get_json()["source"] == "computed"
        fast = client.get(DASHBOARD, headers=headers)
        assert fast.get_json()["source"] == "redis"
        slow = reader.dashboard_for(from_database(student.id))
        assert fast.get_json() == json.loads(json.dumps(slow))
        assert fast.get_json()["access"]["tier"] == {None: "free", _premium: "premium", _enhanced: "enhanced"}[setup]


def test_misses_read_together_give_each_its_own_entry(app, redis_conn):
    """principals.get() under concurrent misses (MissBatch): every caller gets its own user,
    unknown ids get None, and the rebuilt entries are in Redis."""
    import threading

    from app.services.identity import principals

    people = [make_user() for _ in range(12)]
    cohort = cohorts.create_cohort("Batch")
    cohorts.add_member(cohort.id, people[0].id)
    for person in people:
        redis_conn.delete(cache.auth_user_key(person.id))  # every one a miss
    wanted = [p.id for p in people] + [10**9]  # one id that does not exist
    got, errors = {}, []
    start = threading.Barrier(len(wanted))

    def read(user_id):
        try:
            with app.app_context():
                start.wait()
                got[user_id] = principals.get(user_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(uid,)) for uid in wanted]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert got[10**9] is None
    for person in people:
        assert got[person.id].id == person.id and got[person.id].email == person.email
        assert redis_conn.exists(cache.auth_user_key(person.id))
    assert got[people[0].id].cohort_ids == (cohort.id,) and got[people[1].id].cohort_ids == ()


def test_from_database_many_reads_users_cohorts_and_courses_in_three_queries(app):
    from app.services.identity.principals import from_database_many

    people = [make_user() for _ in range(5)]
    ids = [p.id for p in people] + [10**9]
    with app.app_context(), counting_statements() as statements:
        found = from_database_many(ids)
    assert sorted(found) == sorted(p.id for p in people) and len(statements) == 3
    assert all(found[p.id].cohort_ids == () and found[p.id].role.value == "student" for p in people)


def test_an_entry_from_an_older_release_is_rebuilt(client, redis_conn):
    """An entry missing a field this release reads (e.g. course_ids) counts as a miss."""
    student = make_user()
    headers = auth_for(student)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    key = cache.auth_user_key(student.id)
    old = json.loads(redis_conn.get(key))
    del old["course_ids"]
    redis_conn.set(key, json.dumps(old))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert "course_ids" in json.loads(redis_conn.get(key))
