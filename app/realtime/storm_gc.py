"""A full garbage collection once a connect storm is over, not on the next requests.

A web process that has just taken thousands of sockets holds a hundred-odd tracked objects
for each. CPython's next full collection comes due once a quarter more objects have
survived than the last one left, and scans them all: hundreds of milliseconds at 5,000
sockets, during which the process serves nothing. Left alone, it came due with the first
requests after the storm, crisis posts among them (bench/README.md, "Scale"). So after
GC_AFTER_CONNECTS connects, once none has arrived for GC_QUIET_SECONDS, the process
collects at once: the same pause, taken while it is quiet, and the next automatic one is
then a whole storm away.
"""

import gc
import logging
import time

log = logging.getLogger(__name__)

_since = {"connects": 0, "last": 0.0}  # connects since this process last collected


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
    freed = gc.collect()
    pause = (time.perf_counter() - started) * 1000
    log.info("full collection after %d connects: %d objects freed, %.0f ms", connects, freed, pause)
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
