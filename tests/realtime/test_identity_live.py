"""Identity changes reach open connections within a second, on a real web process (issue 24,
items 2 and 3): a demoted admin's socket leaves `admins` (by the API, and after an SQL
change with the documented command), and open SSE streams end on logout, deactivation and
demotion, as sockets do."""

import requests
from sqlalchemy import text

from app.extensions import db
from tests.helpers import auth_for, bearer, make_user, token_for
from tests.sse import SSEReader

DASH = "/api/v1/student/dashboard"
WITHIN = 1.0  # seconds, counted from the answer to the change


def stream_token(url, token):
    res = requests.post(f"{url}{DASH}/stream-token", headers=bearer(token), timeout=10)
    assert res.status_code == 201, res.text
    return res.json()["stream_token"]


def open_stream(url, token, via_stream_token=True):
    if via_stream_token:
        reader = SSEReader(f"{url}{DASH}/stream?stream_token={stream_token(url, token)}")
    else:
        reader = SSEReader(f"{url}{DASH}/stream", headers=bearer(token))
    assert reader.status_code == 200
    reader.wait_for(comment="connected")
    return reader


def test_a_demoted_admins_socket_leaves_admins_at_once(live_server, live_client, client):
    admin, demoted = make_user("admin"), make_user("admin")
    kept, sock = live_client(live_server), live_client(live_server)
    assert "admins" in kept.connect(token_for(admin))["rooms"]
    token = token_for(demoted)
    assert "admins" in sock.connect(token)["rooms"]
    res = client.patch(f"/api/v1/admin/users/{demoted.id}", json={"role": "student"}, headers=auth_for(admin))
    assert res.status_code == 200
    assert sock.wait_for("session_ended", timeout=WITHIN)["reason"] == "role_changed"
    sock.wait_for("disconnect")
    assert kept.nothing_more("session_ended", "admins") == [] and kept.sio.connected
    # the old token cannot open a socket again
    again = live_client(live_server)
    try:
        again.connect(token, wait_session=False)
    except Exception:  # python-socketio raises ConnectionError on a refused connect
        pass
    assert not again.sio.connected


def test_after_an_sql_demotion_refresh_identity_ends_the_socket(app, live_server, live_client):
    make_user("admin")
    demoted = make_user("admin")
    sock = live_client(live_server)
    assert "admins" in sock.connect(token_for(demoted))["rooms"]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'mentor' WHERE id = :id"), {"id": demoted.id})
    result = app.test_cli_runner().invoke(args=["users", "refresh-identity", "--email", demoted.email])
    assert result.exit_code == 0, result.output
    assert sock.wait_for("session_ended", timeout=WITHIN)["reason"] == "role_changed"


def test_open_streams_end_within_a_second_on_logout(live_server, client):
    student = make_user()
    token, other = token_for(student), token_for(student)
    by_stream_token, by_bearer = open_stream(live_server, token), open_stream(live_server, token, False)
    kept = open_stream(live_server, other)
    try:
        res = requests.post(f"{live_server}/api/v1/auth/logout", headers=bearer(token), timeout=10)
        assert res.status_code == 204
        assert by_stream_token.ended.wait(WITHIN) and by_bearer.ended.wait(WITHIN)
        assert not kept.ended.is_set()  # another device's stream: its token is still good
    finally:
        for reader in (by_stream_token, by_bearer, kept):
            reader.close()


def test_open_streams_end_within_a_second_on_deactivation_and_demotion(live_server, client):
    admin = make_user("admin")
    for change in ({"is_active": False}, {"role": "educator"}):
        student = make_user()
        reader = open_stream(live_server, token_for(student))
        try:
            res = client.patch(f"/api/v1/admin/users/{student.id}", json=change, headers=auth_for(admin))
            assert res.status_code == 200
            assert reader.ended.wait(WITHIN), change
        finally:
            reader.close()
