"""How long each garbage collection stopped this process (GC_PROBE_MS; off by default).

A collection runs inside whichever request or greenlet allocated last and serves nothing
else until it ends, so its duration is the pause every client of the process sees. The
probe times each one with gc.callbacks and only records it there (two clock reads each
side, no logging: a callback that took a lock could switch greenlets in the middle of a
collection). It reads the wall clock (the pause as clients see it) and the thread's CPU
time, which on a loaded machine tells the collector's own work from the time the process
waited for a core. A background task logs, each REPORT_EVERY seconds in which a collection
ran, every pause of GC_PROBE_MS or more (WARNING) and a summary since the start (INFO):

    gc probe: 812 collections (gen0 740, gen1 66, gen2 6), longest 3.1 ms (gen2),
    longest cpu 2.9 ms (gen2), 0 of 50 ms or more

bench/storm_pause.py reads them.
"""

import gc
import logging
import time

log = logging.getLogger(__name__)

REPORT_EVERY = 1.0  # seconds between two reports (only when a collection ran meanwhile)


class Probe:
    def __init__(self, slow_ms):
        self.slow_ms = slow_ms
        self.count = [0, 0, 0]
        self.longest = (0.0, 0)  # (ms, generation), wall clock
        self.longest_cpu = (0.0, 0)  # (ms, generation), the thread's CPU time
        self.slow = []  # (ms, cpu ms, generation, collected, when) of pauses not reported yet
        self.slow_total = 0
        self.reported = 0
        self._started = None

    def __call__(self, phase, info):
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
            return
        if self._started is None:  # installed in the middle of a collection
            return
        ms = (time.perf_counter() - self._started[0]) * 1000
        cpu = (time.thread_time() - self._started[1]) * 1000
        self._started = None
        generation = info["generation"]
        self.count[generation] += 1
        if ms > self.longest[0]:
            self.longest = (ms, generation)
        if cpu > self.longest_cpu[0]:
            self.longest_cpu = (cpu, generation)
        if ms >= self.slow_ms:
            self.slow_total += 1
            self.slow.append((ms, cpu, generation, info["collected"], time.time()))

    def report(self):
        """Log what happened since the last report; nothing if no collection ran."""
        total = sum(self.count)
        if total == self.reported:
            return
        self.reported = total
        slow, self.slow = self.slow, []
        for ms, cpu, generation, collected, when in slow:
            log.warning(
                "gc pause %.1f ms (gen%d, cpu %.1f ms, %d objects freed, ended at %.3f)",
                ms,
                generation,
                cpu,
                collected,
                when,
            )
        log.info(
            "gc probe: %d collections (gen0 %d, gen1 %d, gen2 %d), longest %.1f ms (gen%d), "
            "longest cpu %.1f ms (gen%d), %d of %g ms or more",
            total,
            *self.count,
            *self.longest,
            *self.longest_cpu,
            self.slow_total,
            self.slow_ms,
        )


def start(socketio_ext, slow_ms):
    """Install the probe and its reporting task (none when `slow_ms` is 0); returns it."""
    if slow_ms <= 0:
        return None
    probe = Probe(slow_ms)
    gc.callbacks.append(probe)

    def loop():
        while True:
            socketio_ext.sleep(REPORT_EVERY)
            probe.report()

    socketio_ext.start_background_task(loop)
    return probe
