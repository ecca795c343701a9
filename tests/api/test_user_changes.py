"""A role, active or tier change takes effect at once on HTTP, by every supported path: the
admin API, the CLI, and an SQL change followed by the documented command (issue 24,
items 2 and 14)."""

from sqlalchemy import text

from app.extensions import db
from app.models import Role, User
from tests.helpers import PASSWORD, auth_for, bearer, make_user

ADMIN_ONLY = "/api/v1/admin/crisis/feedback"  # any admin-only GET


def patch(client, admin, user, body):
    return client.patch(f"/api/v1/admin/users/{user.id}", json=body, headers=auth_for(admin))


def login(client, user):
    res = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def me(client, token):
    return client.get("/api/v1/auth/me", headers=bearer(token))


def sql(statement, **params):
    """A change made outside the application: its own connection, no ORM, no hooks."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_admins_change_name_role_active_and_tier(client):
    admin, user = make_user("admin"), make_user("educator", name="Old")
    res = patch(client, admin, user, {"name": " New ", "tier": "premium"})
    assert res.status_code == 200
    got = res.get_json()["user"]
    assert (got["name"], got["tier"], got["role"], got["is_active"]) == ("New", "premium", "educator", True)
    token = login(client, user)["access_token"]
    assert me(client, token).get_json()["user"]["tier"] == "premium"
    assert patch(client, admin, user, {"tier": "free"}).status_code == 200
    assert me(client, token).get_json()["user"]["tier"] == "free"  # the next request sees it
    res = patch(client, admin, user, {"role": "mentor"})
    assert res.status_code == 200 and res.get_json()["user"]["role"] == "mentor"
    assert patch(client, admin, user, {"is_active": False}).get_json()["user"]["is_active"] is False


def test_only_admins_and_bad_input_is_4xx(client):
    admin, user = make_user("admin"), make_user()
    path = f"/api/v1/admin/users/{user.id}"
    assert client.patch(path, json={"role": "admin"}).status_code == 401
    for role in ("student", "mentor", "educator"):
        assert client.patch(path, json={"role": "admin"}, headers=auth_for(make_user(role))).status_code == 403
    assert client.patch("/api/v1/admin/users/999999", json={"tier": "free"}, headers=auth_for(admin)).status_code == 404
    for body in (
        {},
        {"role": "owner"},
        {"tier": "gold"},
        {"is_active": "maybe"},
        {"name": ""},
        {"name": "   "},
        {"email": "x@y.z"},
    ):
        res = client.patch(path, json=body, headers=auth_for(admin))
        assert res.status_code == 422, body
    db.session.expire_all()
    assert db.session.get(User, user.id).role == Role.STUDENT


def test_a_demotion_refuses_the_tokens_naming_the_old_role_at_once(client):
    admin, other = make_user("admin"), make_user("admin")
    old = login(client, other)
    assert client.get(ADMIN_ONLY, headers=bearer(old["access_token"])).status_code == 200
    assert patch(client, admin, other, {"role": "student"}).status_code == 200
    for token in (old["access_token"], old["refresh_token"]):
        path = "/api/v1/auth/refresh" if token == old["refresh_token"] else ADMIN_ONLY
        res = client.post(path, headers=bearer(token)) if "refresh" in path else client.get(path, headers=bearer(token))
        assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_invalid", path
    fresh = login(client, other)["access_token"]
    assert me(client, fresh).get_json()["user"]["role"] == "student"
    assert client.get(ADMIN_ONLY, headers=bearer(fresh)).status_code == 403
    # promoted again: the student's token is the stale one now
    assert patch(client, admin, other, {"role": "admin"}).status_code == 200
    assert me(client, fresh).status_code == 401


def test_the_last_admin_and_a_mentor_with_students_are_kept(client):
    admin = make_user("admin")
    res = patch(client, admin, admin, {"role": "student"})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "last_admin"
    assert patch(client, admin, admin, {"is_active": False}).status_code == 409
    mentor = make_user("mentor")
    make_user(mentor=mentor)
    res = patch(client, admin, mentor, {"role": "educator"})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "mentor_has_students"
    student = make_user(mentor=make_user("mentor"))
    assert patch(client, admin, student, {"role": "educator"}).get_json()["user"]["mentor_id"] is None


def test_a_refresh_token_from_before_a_deactivation_stays_refused_after_reactivation(client):
    admin, student = make_user("admin"), make_user()
    old = login(client, student)
    assert patch(client, admin, student, {"is_active": False}).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=bearer(old["refresh_token"])).status_code == 401
    assert patch(client, admin, student, {"is_active": True}).status_code == 200
    res = client.post("/api/v1/auth/refresh", headers=bearer(old["refresh_token"]))
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_invalid"
    assert me(client, old["access_token"]).status_code == 401
    new = login(client, student)  # a new login works, in the very same second too
    access = client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"])).get_json()["access_token"]
    assert me(client, access).status_code == 200


def test_cli_set_role_deactivate_activate(app, client):
    admin, user = make_user("admin"), make_user("educator")
    token = login(client, user)["access_token"]
    result = cli(app, "users", "set-role", "--email", user.email, "--role", "mentor")
    assert result.exit_code == 0 and "now mentor" in result.output, result.output
    assert me(client, token).status_code == 401
    token = login(client, user)["access_token"]
    assert me(client, token).get_json()["user"]["role"] == "mentor"
    result = cli(app, "users", "deactivate", "--email", user.email)
    assert result.exit_code == 0 and "inactive" in result.output
    assert me(client, token).get_json()["error"]["code"] == "account_inactive"
    assert cli(app, "users", "activate", "--email", user.email).exit_code == 0
    assert me(client, token).status_code == 401  # issued before the deactivation
    assert me(client, login(client, user)["access_token"]).status_code == 200
    assert cli(app, "users", "deactivate", "--email", "nobody@example.test").exit_code != 0
    assert cli(app, "users", "set-role", "--email", admin.email, "--role", "student").exit_code != 0  # last admin
    assert cli(app, "users", "refresh-identity").exit_code != 0  # names nobody


def test_an_sql_change_holds_after_a_fresh_login_and_after_refresh_identity(app, client):
    admin = make_user("admin")
    make_user("admin")  # not the last one
    old = login(client, admin)["access_token"]
    assert client.get(ADMIN_ONLY, headers=bearer(old)).status_code == 200  # its identity is cached now
    sql("UPDATE users SET role = 'student' WHERE id = :id", id=admin.id)
    # a fresh login reads the database, and from then on the old token's claim is stale
    fresh = login(client, admin)
    assert fresh["user"]["role"] == "student"
    assert me(client, fresh["access_token"]).get_json()["user"]["role"] == "student"
    assert client.get(ADMIN_ONLY, headers=bearer(old)).status_code == 401
    # deactivated by SQL: the documented command makes it hold at once, for good
    student = make_user()
    token = login(client, student)["access_token"]
    assert me(client, token).status_code == 200
    sql("UPDATE users SET is_active = false WHERE id = :id", id=student.id)
    result = cli(app, "users", "refresh-identity", "--email", student.email)
    assert result.exit_code == 0 and "1 user" in result.output, result.output
    assert me(client, token).get_json()["error"]["code"] == "account_inactive"
    sql("UPDATE users SET is_active = true WHERE id = :id", id=student.id)
    assert cli(app, "users", "refresh-identity", "--all").exit_code == 0
    assert me(client, token).status_code == 401  # from before the deactivation
    assert me(client, login(client, student)["access_token"]).status_code == 200


def test_two_admins_demoting_each_other_at_once_keep_one(app):
    """The other admin's demotion is under way (uncommitted) when this one starts: this one
    waits for it, then sees it, and refuses to remove the last admin."""
    import threading

    from app.services.accounts import changes
    from app.services.shared.errors import Conflict

    first, second = make_user("admin"), make_user("admin")
    first_id, second_id = first.id, second.id
    db.session.commit()
    outcome = {}

    def demote_first():
        with app.app_context():
            try:
                changes.update(first_id, {"role": "mentor"})
                outcome["result"] = "demoted"
            except Conflict as exc:
                outcome["result"] = exc.code
            finally:
                db.session.remove()

    with db.engine.connect() as other:  # the other admin's transaction, still open
        other.execute(text("UPDATE users SET role = 'mentor' WHERE id = :id"), {"id": second_id})
        worker = threading.Thread(target=demote_first)
        worker.start()
        worker.join(0.5)  # it waits on the admins' rows (without the lock it finishes here)
        other.commit()
    worker.join(10)
    assert outcome == {"result": "last_admin"}
    roles = db.session.execute(text("SELECT role FROM users WHERE id IN (:a, :b)"), {"a": first_id, "b": second_id})
    assert sorted(r[0] for r in roles) == ["admin", "mentor"]
