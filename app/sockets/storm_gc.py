"""A full garbage collection once a connect storm is over, not on the next requests.

A web process that has just taken thousands of sockets holds a hundred-odd tracked objects
for each. CPython's next full collection comes due once a quarter more objects have
survived than the last one left, and scans them all: hundreds of milliseconds at 5,000
sockets, during which the process serves nothing. Left alone, it came due with the first
requests after the storm, crisis posts among them (bench/README.md, "Scale"). So after
GC_AFTER_CONNECTS connects, once none has arrived for GC_QUIET_SECONDS, the process
collects at once: the same pause, taken while it is quiet.

It then freezes what survived (gc.freeze): those sockets are long-lived, and the automatic
collections of the next storm scan only what it adds. Freezing hides them from CPython's
own spacing of full collections too (one comes due once the objects promoted since the
last reach a quarter of those it left, and frozen ones do not count), so full collections
are also spaced by FULL_EVERY younger ones instead of 10. Without either, a 10,000-socket
reconnect storm ran eight to ten full collections of 200-800 ms in each process, each
scanning the sockets being replaced (bench/README.md, "Scale"). The next collection here
unfreezes first, so sockets that closed meanwhile are collected then: at most the objects
alive at the last collection wait that long, never more.
"""

import gc
import logging
import time

log = logging.getLogger(__name__)

_since = {"connects": 0, "last": 0.0}  # connects since this process last collected
FULL_EVERY = 100  # generation-1 collections between two full ones, once frozen (CPython: 10)


def connected(now=None):
    """At each socket connect."""
    _since["connects"] += 1
    _since["last"] = time.monotonic() if now is None else now


def collect_if_due(after, quiet, now=None):
    """Collect when `after` connects have come and none for `quiet` seconds; returns the
    pause in milliseconds, or None when not due."""
    now = time.monotonic() if now is None else now
    if after <= 0 or _since["connects"] < after or now - _since["last"] < quiet:
        return None
    connects, _since["connects"] = _since["connects"], 0
    started = time.perf_counter()
    gc.unfreeze()  # what the last collection set aside is looked at again
    freed = gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
    pause = (time.perf_counter() - started) * 1000
    log.info(
        "full collection after %d connects: %d objects freed, %d set aside, %.0f ms",
        connects,
        freed,
        gc.get_freeze_count(),
        pause,
    )
    return pause


def start(socketio_ext, after, quiet):
    """One background task per web process (none when `after` is 0)."""
    if after <= 0:
        return

    def loop():
        while True:
            socketio_ext.sleep(max(quiet / 2, 0.05))
            try:
                collect_if_due(after, quiet)
            except Exception:
                log.exception("collection after a connect storm failed")

    socketio_ext.start_background_task(loop)
