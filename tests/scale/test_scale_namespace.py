"""`make scale` clears only what it created: its own namespace's keys, never a FLUSHDB."""

import os
import sys

from tests.conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "bench", "scale"))
from forget_namespace import forget  # noqa: E402

from tests.conftest import REDIS_URL  # noqa: E402


def test_the_run_forgets_its_own_namespace_and_nothing_else(redis_conn):
    ours = "scale-4242-1765000000"
    for key in (f"{ours}:limits:x", f"{ours}:socketio:y", f"rq:queue:{ours}:high", f"rq:job:{ours}-relay"):
        redis_conn.set(key, 1)
    theirs = ("other-deployment:limits:x", "rq:queue:other-deployment:high", "someone-elses-key")
    for key in theirs:
        redis_conn.set(key, 1)
    assert forget(REDIS_URL, ours) == 4
    assert sorted(k.decode() for k in redis_conn.keys("*")) == sorted(theirs)


def test_run_sh_never_flushes_and_sets_its_own_namespace():
    with open(os.path.join(ROOT, "bench", "scale", "run.sh")) as f:
        script = f.read()
    assert "flushdb" not in script.lower().replace("no flushdb", "")
    assert "PULSE_NAMESPACE=${PULSE_NAMESPACE:-scale-$$-" in script and "export SOCKETIO_CHANNEL" not in script
