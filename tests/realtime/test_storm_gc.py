"""A web process freezes its sockets a few at a time, so no garbage collection scans the
sockets it holds; closed ones are reclaimed once they outnumber the living
(app/sockets/storm_gc.py). The pause probe (app/sockets/gc_probe.py) reports each one."""

import gc
import logging
import time
import weakref

import pytest

from app.sockets import gc_probe, storm_gc
from tests.conftest import server_log, start_web, stop
from tests.helpers import make_user, token_for


@pytest.fixture(autouse=True)
def restore_gc():
    """Steps and reclaims freeze this process's objects: thaw them after each test."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    storm_gc.configure(0)


class Node:
    """A cycle: reference counting alone never frees it."""

    def __init__(self):
        self.me = self


def unfrozen(obj):
    """Whether a collection would look at `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_every_few_connects_the_newcomers_are_collected_and_frozen():
    storm_gc.configure(every=3)
    garbage, kept = Node(), Node()
    dead = weakref.ref(garbage)
    del garbage
    assert storm_gc.connected() is None
    assert storm_gc.connected() is None
    assert unfrozen(kept)
    assert storm_gc.connected() is not None  # the third connect takes a step
    assert dead() is None  # the step collected what had died since the last one...
    assert not unfrozen(kept)  # ...and froze what survived
    assert gc.get_freeze_count() > 0


def old_garbage():
    """A dead cycle in generation 2 (it survived two young collections while alive), and a
    weak reference to it."""
    node = Node()
    gc.collect(1)  # the survivors of generations 0 and 1 move to generation 2
    return weakref.ref(node)


def test_while_sockets_connect_a_step_leaves_generation_2_unscanned():
    # a full collection would scan every handshake still in flight (issue 29: 53-87 ms)
    storm_gc.configure(every=1)
    dead = old_garbage()
    storm_gc.connected()
    assert dead() is not None  # not scanned: frozen with the living, until a reclaim
    storm_gc.reclaim()
    assert dead() is None


def test_the_first_timed_step_after_the_connects_stop_collects_in_full():
    storm_gc.configure(every=1000)
    storm_gc.connected()  # a connect since the last tick: that tick is young
    dead = old_garbage()
    storm_gc.tick()
    assert dead() is not None
    storm_gc.reclaim()
    dead = old_garbage()
    storm_gc.tick()  # nothing connected since: a full step
    assert dead() is None


def test_with_the_steps_on_cpython_leaves_generation_2_to_them():
    # its own full collections came mid-storm and scanned the handshakes in flight
    young, middle, _ = gc.get_threshold()
    storm_gc.take_over_generation_2()
    assert gc.get_threshold() == (young, middle, storm_gc.GENERATION_2_OFF)
    storm_gc.configure(every=1000)
    dead = old_garbage()
    storm_gc.tick()  # no connect since the last tick: a full step collects it
    assert dead() is None


def test_disconnects_take_steps_too():
    storm_gc.configure(every=2)
    assert storm_gc.connected() is None
    assert storm_gc.disconnected() is not None  # a mass disconnect allocates as a storm does


def test_a_collection_after_the_storm_does_not_traverse_the_frozen_sockets():
    storm_gc.configure(every=1)
    socket = Node()  # stands for a held socket's objects
    alive = weakref.ref(socket)
    storm_gc.connected()
    del socket  # the socket closes: garbage now, in a cycle, frozen
    storm_gc.step()  # the quiet phase's collection, and CPython's own full ones
    gc.collect()
    assert alive() is not None  # not traversed: the cycle was not found
    assert gc.get_freeze_count() > 0
    storm_gc.reclaim()  # only the reclaim unfreezes and looks at everything
    assert alive() is None


@pytest.mark.parametrize("every, seconds", [(0, 5), (3, 0)])
def test_turning_the_steps_off_leaves_cpython_alone(every, seconds):
    # no timed task either way (so no socketio extension is needed): without it no reclaim
    # would ever free the frozen sockets that close, so steps on connects are off too
    storm_gc.start(None, every=every, seconds=seconds, reclaim_after=10)
    kept = Node()
    for _ in range(5):
        assert storm_gc.connected() is None
    assert unfrozen(kept)


def test_the_reclaim_waits_until_enough_closed_sockets_outnumber_the_held_ones():
    storm_gc.configure(every=1000, reclaim_after=3)
    for _ in range(5):
        storm_gc.connected()  # 5 held
    storm_gc.disconnected()
    storm_gc.disconnected()
    assert not storm_gc.reclaim_due()  # 2 closed: fewer than 3
    storm_gc.disconnected()
    assert storm_gc.reclaim_due()  # 3 closed, 2 held
    storm_gc.connected()
    storm_gc.connected()
    assert not storm_gc.reclaim_due()  # 3 closed, 4 held: the living outweigh the dead
    storm_gc.disconnected()
    assert storm_gc.reclaim_due()
    storm_gc.tick()  # the background task's turn reclaims
    assert not storm_gc.reclaim_due()  # and counts anew
    storm_gc.configure(every=1000, reclaim_after=0)
    for _ in range(5):
        storm_gc.disconnected()
    assert not storm_gc.reclaim_due()  # 0 turns it off


def test_the_probe_times_each_collection_and_reports_the_slow_ones(caplog):
    probe = gc_probe.Probe(slow_ms=0)  # every pause counts as slow here
    gc.callbacks.append(probe)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(probe)
    assert probe.count[2] >= 1
    assert probe.longest[0] > 0 and probe.slow_total >= 1
    with caplog.at_level(logging.INFO, logger="app.sockets.gc_probe"):
        probe.report()
        probe.report()  # nothing new: no second summary
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("gc pause ") and "(gen2" in line for line in lines)
    assert sum(line.startswith("gc probe: ") for line in lines) == 1


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_web_process_freezes_its_sockets_as_they_connect(async_mode, app, live_client):
    # steps on connects only (not on the clock), debug lines for them, the probe reporting
    env = {"GC_FREEZE_EVERY": "2", "GC_FREEZE_SECONDS": "3600", "GC_PROBE_MS": "10000", "LOG_LEVEL": "DEBUG"}
    proc, url = start_web(async_mode, **env)
    try:
        for user in (make_user(), make_user()):
            live_client(url).connect(token_for(user))
        deadline = time.monotonic() + 10
        while "gc probe: " not in server_log(proc) or "gc step (young): " not in server_log(proc):
            assert time.monotonic() < deadline, server_log(proc)[-3000:]
            time.sleep(0.05)
        step = next(line for line in server_log(proc).splitlines() if "gc step (young): " in line)
        assert int(step.split(" frozen")[0].rsplit(" ", 1)[1]) > 0  # the second connect froze the survivors
    finally:
        stop(proc)
