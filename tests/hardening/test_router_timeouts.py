"""The platform router's limits (Heroku: 30 s to the first byte, 55 s of silence ends a
connection): the SSE heartbeat and the Socket.IO ping interval must come within the idle
limit, and start-up refuses settings that would not."""

import json
import subprocess
import sys

import pytest
import requests

from config import ROUTER_IDLE_LIMIT, ConfigError, ProductionConfig, TestingConfig
from tests.conftest import ROOT, child_env, start_web, stop


def _with(**settings):
    return type("Settings", (TestingConfig,), settings)


def test_the_defaults_stay_under_the_idle_limit():
    for config in (TestingConfig, ProductionConfig):
        assert 0 < config.SSE_HEARTBEAT < ROUTER_IDLE_LIMIT
        assert 0 < config.SOCKETIO_PING_INTERVAL < ROUTER_IDLE_LIMIT
    _with().check()


@pytest.mark.parametrize("name", ["SSE_HEARTBEAT", "SOCKETIO_PING_INTERVAL"])
@pytest.mark.parametrize("value", [ROUTER_IDLE_LIMIT, 60, 0, -1])
def test_a_keepalive_outside_the_bound_is_refused(name, value):
    with pytest.raises(ConfigError, match=f"{name}=.* under {ROUTER_IDLE_LIMIT} seconds"):
        _with(**{name: value}).check()


def test_just_under_the_bound_is_accepted():
    _with(SSE_HEARTBEAT=54, SOCKETIO_PING_INTERVAL=54.5).check()


def test_the_web_process_stops_at_start_with_one_sentence():
    result = subprocess.run(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=child_env(SSE_HEARTBEAT="60", SOCKETIO_ASYNC_MODE="gevent", PORT="1"),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines()[-1].startswith("pulse: SSE_HEARTBEAT=60 must be above 0")


def test_the_socket_server_announces_its_ping_interval():
    """Engine.IO's handshake tells the client the interval; the server pings at it."""
    proc, url = start_web("gevent", SOCKETIO_PING_INTERVAL="20", SOCKETIO_PING_TIMEOUT="15")
    try:
        res = requests.get(f"{url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)
    finally:
        stop(proc)
    handshake = json.loads(res.text[1:])  # "0" (open) then the JSON
    assert handshake["pingInterval"] == 20000 and handshake["pingTimeout"] == 15000
