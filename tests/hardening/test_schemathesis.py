"""The OpenAPI spec tells the truth: schemathesis against a live server, as a student, a
mentor, an educator and an admin, with the four checks the issue names and 0 failures.

Bounded: a few examples per operation (SCHEMATHESIS_MAX_EXAMPLES), a timeout per request
and per run; event streams end after a second on this server.
"""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Role
from tests.conftest import ROOT, start_web, stop
from tests.helpers import make_user, token_for

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6")
# Identities get ids far from the ones the fuzzer makes up, so a PATCH /admin/users/{id}
# with a random id does not deactivate the caller halfway through.
IDENTITY_IDS = {"student": 1_234_567_801, "mentor": 1_234_567_802, "educator": 1_234_567_803, "admin": 1_234_567_804}
# Logout would revoke the identity's token for the rest of the run; it has its own tests.
EXCLUDE = ["POST /api/v1/auth/logout"]
# Every identity fuzzes every operation; the admin, who reaches the most, also runs the
# coverage phase (boundary values: empty, huge, wrong types, missing fields).
PHASES = {"admin": "coverage,fuzzing"}


def identities(app):
    with app.app_context():
        users = {}
        for role, user_id in IDENTITY_IDS.items():
            if role not in {r.value for r in Role}:
                continue
            user = make_user(role, email=f"{role}@schemathesis.test")
            db.session.execute(text("UPDATE users SET id = :new WHERE id = :old"), {"new": user_id, "old": user.id})
            db.session.commit()
            users[role] = db.session.get(type(user), user_id)
        users["student"].mentor_id = users["mentor"].id
        db.session.commit()
        return {role: token_for(user) for role, user in users.items()}


@pytest.fixture(scope="module")
def schema_server(app):
    proc, url = start_web("eventlet", SSE_MAX_AGE="1", SSE_HEARTBEAT="0.5")
    yield url
    stop(proc)


@pytest.mark.parametrize("role", list(IDENTITY_IDS))
def test_the_spec_holds_for_every_operation(app, schema_server, role, tmp_path):
    tokens = identities(app)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{schema_server}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        MAX_EXAMPLES,
        "--phases",
        PHASES.get(role, "fuzzing"),
        # No --max-time: with one, fuzzing repeats until the budget is spent.
        "--request-timeout",
        "10",
        "--workers",
        "1",
        "--seed",
        "12",
        "--no-shrink",
        "--generation-database",
        "none",
        "--no-color",
        "--header",
        f"Authorization: Bearer {tokens[role]}",
        "--header",
        "X-Chatbot-Key: test-chatbot-key",
        "--report-dir",
        str(tmp_path),
    ]
    for name in EXCLUDE:
        command += ["--exclude-name", name]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    assert "Tested: 0" not in output and " passed" in output, output[-3000:]
