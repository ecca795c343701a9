"""Sockets set aside from the garbage collector a few at a time, as they connect.

CPython's collector is not incremental: a full collection scans every tracked object the
process holds and serves nothing meanwhile. A web process holds some 310,000 for the app
itself (wsgi.py freezes those at start) and ~150 more for each socket, so with 3,000
sockets a full collection scanned ~750,000 objects: 460-1,725 ms measured on a loaded
machine, and one came due right after every connect storm, with the first requests. The
first fix, a full collection "once the connects stop", moved it to the first 2 s without
a connect, crisis posts or not (issue 29).

So no collection here scans the sockets held. Every GC_FREEZE_EVERY connects (or
disconnects: a mass disconnect allocates as much), and every GC_FREEZE_SECONDS in a
background task, the process takes a step: it collects what was allocated since the last
step, and only that, as everything older is frozen (a bounded pause: ~100 sockets'
handshakes, or two seconds of pings), then freezes what survived (gc.freeze moves lists
and scans nothing). CPython's own collections then see only what came after. The timed
steps are needed: a held socket allocates ~36 objects per ping cycle (a greenlet, timers,
packets) that live 25 s, and 3,000 sockets' worth of them made each automatic full
collection scan 100,000 objects again.

While connects keep coming, a step collects only the young generations (0 and 1): a full
one also scanned every handshake still in flight (1,000 of them: 53-87 ms). What died
after reaching generation 2 is then frozen with the living, as closed sockets are, until
a reclaim; the first timed step with no connect since the last one collects in full. For
the same reason the steps take generation 2 over from CPython: its own full collections
came mid-storm too (24-100 ms each, a few per storm; gc.freeze does not reset the count
that triggers them), and the steps leave it nothing older than GC_FREEZE_SECONDS to find.

The price: a frozen socket that closes is not freed. Reference counting frees what is not
in a cycle, but closing builds cycles through the socket's frozen greenlets and frames
(~150 objects a socket, measured under gevent), and only a collection that unfreezes
everything finds them: the app's objects, the sockets held and the dead ones, all in one
pause. That `reclaim` runs from the background task once GC_RECLAIM_CLOSES frozen sockets
have closed *and* they outnumber the sockets still held: in a reconnect storm, when the
old sockets are gone and the new ones not yet come; in a slow turnover, once the dead
weigh as much as the living (memory at most about twice the sockets' share). It is the
one long pause left, logged with its duration.
"""

import gc
import logging
import time

log = logging.getLogger(__name__)

# connects since the last step; sockets held; frozen sockets closed since the last reclaim;
# the settings
# the settings; whether a connect or disconnect came since the last timed step
_state = {"connects": 0, "held": 0, "closed": 0, "every": 0, "reclaim_after": 0, "busy": False}


def configure(every, reclaim_after=0):
    """Set the step size (GC_FREEZE_EVERY; 0 turns the steps off) and start counting anew."""
    _state.update(
        connects=0, held=0, closed=0, busy=False, every=max(0, int(every)), reclaim_after=max(0, int(reclaim_after))
    )


def connected():
    """At each socket connect: every `every` connects or disconnects, one step; returns its
    pause or None."""
    _state["held"] += 1
    return _counted()


def disconnected():
    """At each socket disconnect (counted as frozen: nearly all are, after their first step).
    A mass disconnect takes steps too: each closing socket allocates its own objects."""
    _state["held"] = max(0, _state["held"] - 1)
    _state["closed"] += 1
    return _counted()


def _counted():
    if _state["every"] <= 0:
        return None
    _state["busy"] = True
    _state["connects"] += 1
    if _state["connects"] < _state["every"]:
        return None
    _state["connects"] = 0
    return step(young=True)  # handshakes are in flight: leave generation 2 unscanned


def step(young=False):
    """Collect what is not frozen yet (generations 0 and 1 only when `young`), then freeze
    what survived; returns the pause in ms."""
    started = time.perf_counter()
    # frozen objects are not scanned: this is the last step's newcomers
    freed = gc.collect(1 if young else 2)
    gc.freeze()
    pause = (time.perf_counter() - started) * 1000
    if log.isEnabledFor(logging.DEBUG):  # counting the frozen walks them all: only when asked
        log.debug(
            "gc step (%s): %d objects freed, %d frozen, %.1f ms",
            "young" if young else "full",
            freed,
            gc.get_freeze_count(),
            pause,
        )
    return pause


def reclaim_due():
    closed = _state["closed"]
    return 0 < _state["reclaim_after"] <= closed and closed >= _state["held"]


def reclaim():
    """Unfreeze everything, collect it all (the closed sockets' cycles among it), freeze
    again; returns the pause in ms."""
    closed, _state["closed"] = _state["closed"], 0
    started = time.perf_counter()
    gc.unfreeze()
    freed = gc.collect()
    gc.freeze()
    pause = (time.perf_counter() - started) * 1000
    log.info(
        "gc reclaim after %d sockets closed (%d held): %d objects freed, %.0f ms", closed, _state["held"], freed, pause
    )
    return pause


def tick():
    """The background task's turn: a reclaim when due, else a step (a young one while
    sockets keep connecting or closing)."""
    busy, _state["busy"] = _state["busy"], False
    return reclaim() if reclaim_due() else step(young=busy)


GENERATION_2_OFF = 10**9  # gen1 collections before CPython's own full one: never, in practice


def take_over_generation_2():
    """CPython no longer collects generation 2 by itself: the steps do (see above)."""
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, GENERATION_2_OFF)


def start(socketio_ext, every, seconds, reclaim_after):
    """Steps every `every` connects and, with reclaims when due, every `seconds` in a
    background task. Either at 0 turns both off: steps without the task would freeze
    sockets that no reclaim ever frees."""
    configure(every if seconds > 0 else 0, reclaim_after)
    if _state["every"] <= 0:
        return
    take_over_generation_2()

    def loop():
        while True:
            socketio_ext.sleep(seconds)
            try:
                tick()
            except Exception:
                log.exception("gc step failed")

    socketio_ext.start_background_task(loop)
