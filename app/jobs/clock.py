"""Periodic jobs, once per interval whatever the number of workers.

Every worker runs this clock (in a child process, see worker.py). Time is cut into slots
of each job's interval (epoch seconds // interval); the first clock to claim a slot in
Redis (SET NX) enqueues that job, every other clock sees the claim and does nothing. So
three workers run each sweep once, and a restart does not run a job again in the same slot.
"""

import logging
import os
import socket
import threading

from app.jobs.schedule import PERIODIC
from app.models import utcnow
from app.services.shared import cache
from app.services.shared.queues import enqueue

log = logging.getLogger("pulse.clock")


def slot_of(periodic, now):
    return int(now.timestamp()) // periodic.interval


def job_id_for(periodic, slot):
    """One RQ job id per job and slot (RQ ids take letters, digits, _ and -)."""
    return f"periodic-{periodic.job.replace('.', '_')}-{slot}"


def run_due(now=None):
    """Enqueue each periodic job whose current slot no clock has claimed yet; returns the
    job ids this clock enqueued."""
    now = now or utcnow()
    enqueued = []
    for periodic in PERIODIC:
        slot = slot_of(periodic, now)
        if cache.claim(cache.periodic_slot_key(periodic.job, slot), periodic.interval * 2):
            job_id = job_id_for(periodic, slot)
            enqueue(periodic.job, job_id=job_id)
            enqueued.append(job_id)
    if enqueued:
        log.debug("clock enqueued %s", ", ".join(enqueued))  # each job logs when it did something
    return enqueued


def run_forever(tick, stop=None):
    """Check every `tick` seconds until `stop` is set (a Redis outage skips a tick)."""
    stop = stop or threading.Event()
    heartbeat = cache.clock_heartbeat_key(f"{socket.gethostname()}:{os.getpid()}")
    log.info("clock started, checking every %s s", tick)
    while True:
        try:
            run_due()
        except Exception:
            log.exception("clock tick failed; trying again next tick")
        cache.bump(heartbeat, cache.CLOCK_HEARTBEAT_TTL)  # operators (and tests) see it is alive
        if stop.wait(tick):
            return
