"""The deployment namespace: how it is derived and set, and the names built from it."""

import re

import pytest

from app.namespace import database_identity, derive, namespaced
from app.services.shared import cache
from app.services.shared.queues import get_queue, queue_name, worker_queue_names
from tests.conftest import DATABASE_URL


def test_derived_from_the_database_identity_without_credentials_or_options():
    base = derive("postgresql+psycopg2://postgres@127.0.0.1:5432/pulse")
    assert re.fullmatch(r"pulse-[0-9a-f]{10}", base)
    assert derive("postgres://admin:s3cret@127.0.0.1/pulse?sslmode=require") == base  # same database
    assert "s3cret" not in database_identity("postgres://admin:s3cret@127.0.0.1/pulse")
    for other in (
        "postgresql://postgres@127.0.0.1:5432/pulse_staging",
        "postgresql://postgres@10.0.0.2:5432/pulse",
        "postgresql://postgres@127.0.0.1:5433/pulse",
        "sqlite:////srv/pulse/pulse.db",
    ):
        assert derive(other) != base, other


def test_every_name_carries_the_namespace(make_app):
    app = make_app(PULSE_NAMESPACE="school-a")
    assert app.config["SOCKETIO_CHANNEL"] == "school-a:socketio"
    with app.app_context():
        assert cache.key("users:3") == namespaced("users:3") == "school-a:users:3"
        assert cache.dashboard_key(12) == "school-a:student:dashboard:12"  # the documented shape after the prefix
        assert cache.revoked_key("abc") == "school-a:jwt:revoked:abc"
        assert queue_name("high") == "school-a:high" and get_queue("low").name == "school-a:low"
        assert worker_queue_names() == ["school-a:high", "school-a:default", "school-a:low"]


def test_unset_it_is_derived_and_socketio_channel_still_overrides(make_app):
    derived = make_app(PULSE_NAMESPACE=None, SOCKETIO_CHANNEL=None)
    assert derived.config["PULSE_NAMESPACE"] == derive(DATABASE_URL)
    assert derived.config["SOCKETIO_CHANNEL"] == f"{derive(DATABASE_URL)}:socketio"
    legacy = make_app(PULSE_NAMESPACE="school-a", SOCKETIO_CHANNEL="flask-socketio")
    assert legacy.config["SOCKETIO_CHANNEL"] == "flask-socketio"


def test_rate_limit_counters_are_prefixed(make_app):
    from app import resolve_namespace

    class Bare:
        config = {"PULSE_NAMESPACE": "school-a", "SQLALCHEMY_DATABASE_URI": DATABASE_URL}

    resolve_namespace(Bare)
    assert Bare.config["RATELIMIT_STORAGE_OPTIONS"] == {"key_prefix": "school-a:limits"}


@pytest.mark.parametrize("bad", ["two words", "a:b", "x" * 65, "école"])
def test_an_unusable_namespace_refuses_to_start(make_app, bad):
    with pytest.raises(RuntimeError, match="PULSE_NAMESPACE"):
        make_app(PULSE_NAMESPACE=bad)


def test_the_foreign_packet_counter_is_exported_from_the_start(client):
    text = client.get("/metrics").get_data(as_text=True)
    for listener in ("socketio", "sse"):
        assert f'pulse_foreign_namespace_packets_total{{listener="{listener}"}}' in text
