"""After a connect storm a web process collects its garbage once the storm is over, not on
the next requests (app/sockets/storm_gc.py)."""

import gc
import time

import pytest

from app.sockets import storm_gc
from tests.conftest import start_web, stop
from tests.helpers import make_user, token_for


@pytest.fixture
def full_collections():
    """The full (generation 2) collections this process runs while the test does."""
    seen = []

    def probe(phase, info):
        if phase == "stop" and info["generation"] == 2:
            seen.append(info)

    gc.callbacks.append(probe)
    yield seen
    gc.callbacks.remove(probe)


@pytest.fixture(autouse=True)
def restore_gc():
    """collect_if_due freezes this process's objects and respaces its collections: undo both."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_full_collection_comes_once_the_connects_stop(full_collections, monkeypatch):
    monkeypatch.setattr(storm_gc, "_since", {"connects": 0, "last": 0.0})
    for n in range(3):
        storm_gc.connected(now=100.0 + n)
    assert storm_gc.collect_if_due(after=4, quiet=2, now=200.0) is None  # too few connects
    storm_gc.connected(now=103.0)
    assert storm_gc.collect_if_due(after=4, quiet=2, now=104.0) is None  # still coming
    assert full_collections == []
    assert storm_gc.collect_if_due(after=4, quiet=2, now=105.0) >= 0  # quiet for 2 s: collected
    assert len(full_collections) == 1
    assert storm_gc.collect_if_due(after=4, quiet=2, now=500.0) is None  # once per storm
    storm_gc.connected(now=600.0)
    assert storm_gc.collect_if_due(after=0, quiet=2, now=900.0) is None  # 0 turns it off
    assert len(full_collections) == 1


def _log_text(proc):
    proc.log_file.seek(0)
    return proc.log_file.read().decode(errors="replace")


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_web_process_collects_after_its_sockets_connect(async_mode, app, live_client):
    proc, url = start_web(async_mode, GC_AFTER_CONNECTS="3", GC_QUIET_SECONDS="0.2")
    try:
        for user in (make_user(), make_user(), make_user()):
            live_client(url).connect(token_for(user))
        deadline = time.monotonic() + 10
        while "full collection after 3 connects" not in _log_text(proc):
            assert time.monotonic() < deadline, _log_text(proc)[-3000:]
            time.sleep(0.05)
    finally:
        stop(proc)


class Node:
    """A cycle: reference counting alone never frees it."""

    def __init__(self):
        self.me = self


def test_what_survives_is_set_aside_until_the_next_collection(monkeypatch):
    import weakref

    monkeypatch.setattr(storm_gc, "_since", {"connects": 0, "last": 0.0})
    kept = Node()
    alive = weakref.ref(kept)
    storm_gc.connected(now=100.0)
    assert storm_gc.collect_if_due(after=1, quiet=2, now=103.0) is not None
    assert gc.get_freeze_count() > 0  # the survivors, our cycle among them, are set aside
    assert gc.get_threshold()[2] == storm_gc.FULL_EVERY  # full collections spaced out
    del kept  # the socket closes: garbage now, but frozen
    gc.collect()
    assert alive() is not None  # the automatic collections no longer scan it
    storm_gc.connected(now=200.0)
    assert storm_gc.collect_if_due(after=1, quiet=2, now=203.0) is not None
    assert alive() is None  # the next collection unfroze it first and freed it
