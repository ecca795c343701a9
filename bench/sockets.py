"""N Socket.IO sockets held across the proxy: connect time, failures, drops, RSS per socket,
idle CPU, crisis POST -> mentor event latency with all N connected, and the reconnect storm.

Run inside the scale stack, which passes SCALE_URL and SCALE_RUN_DIR (tokens, pids):
    bench/scale/run.sh .venv/bin/python bench/sockets.py --n 500 --hold 30
Every phase is bounded in time; the script stops by itself. Loopback only.
"""

import argparse
import asyncio
import json
import os
import time

import aiohttp
import psutil
import socketio

CHATBOT_KEY = "scale-chatbot-key"


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Sock:
    def __init__(self, token):
        self.token = token
        self.client = socketio.AsyncClient(reconnection=False)
        self.session = asyncio.Event()
        self.dropped = False
        self.notifications = asyncio.Queue()
        self.client.on("session", lambda data: self.session.set())
        self.client.on("disconnect", self._gone)
        self.client.on("notification", self.notifications.put_nowait)

    def _gone(self, *args):
        self.dropped = True

    async def connect(self, url, timeout):
        self.session.clear()
        self.dropped = False
        started = time.perf_counter()
        await self.client.connect(url, auth={"token": self.token}, transports=["websocket"], wait_timeout=timeout)
        await asyncio.wait_for(self.session.wait(), timeout)
        return time.perf_counter() - started


async def connect_all(socks, url, timeout, parallel):
    gate = asyncio.Semaphore(parallel)

    async def one(sock):
        async with gate:
            try:
                return await sock.connect(url, timeout)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, by kind
                return exc

    started = time.perf_counter()
    results = await asyncio.gather(*(one(s) for s in socks))
    wall = time.perf_counter() - started
    times = [r for r in results if isinstance(r, float)]
    failures = [type(r).__name__ + ": " + str(r)[:80] for r in results if not isinstance(r, float)]
    return wall, times, failures


def web_processes(run_dir):
    procs = {}
    for name in ("web1", "web2"):
        with open(os.path.join(run_dir, f"{name}.pid")) as f:
            procs[name] = psutil.Process(int(f.read()))
    return procs


async def crisis_once(session, url, student, sock, timeout=10):
    """One crisis POST and the wait for its mentor's event: the latency in ms, or None if lost."""
    while not sock.notifications.empty():
        sock.notifications.get_nowait()
    body = {"student_id": student["id"], "message": "I want to end my life", "intent": "crisis", "confidence": 0.95}
    started = time.perf_counter()
    async with session.post(f"{url}/api/v1/chatbot/intents", json=body, headers={"X-Chatbot-Key": CHATBOT_KEY}) as res:
        assert res.status == 201, await res.text()
    try:
        while True:
            event = await asyncio.wait_for(sock.notifications.get(), timeout)
            if event.get("type") == "crisis_alert":
                return (time.perf_counter() - started) * 1000
    except TimeoutError:
        return None


async def crisis_latency(session, url, students, mentor_socks, posts, warmup):
    """The first `warmup` posts come back apart (cold), not in the percentiles: they pay
    one-time costs, such as a web process compiling the crisis path's statements."""
    cold, latencies, lost = [], [], 0
    for i in range(warmup + posts):
        student = students[i % len(students)]
        latency = await crisis_once(session, url, student, mentor_socks[student["mentor_id"]])
        if latency is None:
            lost += 1
        else:
            (cold if i < warmup else latencies).append(latency)
    return cold, latencies, lost


async def main(args):
    url, run_dir = os.environ["SCALE_URL"], os.environ["SCALE_RUN_DIR"]
    with open(os.path.join(run_dir, "tokens.json")) as f:
        tokens = json.load(f)
    students, mentors = tokens["students"], tokens["mentors"]
    procs = web_processes(run_dir)
    base_rss = {name: p.memory_info().rss for name, p in procs.items()}

    mentor_socks = {m["id"]: Sock(m["token"]) for m in mentors}
    student_socks = [Sock(students[i % len(students)]["token"]) for i in range(max(0, args.n - len(mentors)))]
    socks = list(mentor_socks.values()) + student_socks
    print(
        f"sockets: {len(socks)} ({len(mentor_socks)} mentors, {len(student_socks)} students over {len(students)} users)"
    )

    wall, times, failures = await connect_all(socks, url, args.timeout, args.parallel)
    print(
        f"connect: {len(times)} ok, {len(failures)} failed in {wall:.1f} s; "
        f"per socket p50 {pct(times, 50) * 1000:.0f} ms, p99 {pct(times, 99) * 1000:.0f} ms"
    )
    for kind in sorted(set(failures))[:5]:
        print("  failure:", kind, "x", failures.count(kind))

    connected = [s for s in socks if s.client.connected]
    rss = {name: p.memory_info().rss for name, p in procs.items()}
    grown = sum(rss[n] - base_rss[n] for n in procs)
    print(
        "rss: "
        + ", ".join(f"{n} {rss[n] / 2**20:.0f} MB (+{(rss[n] - base_rss[n]) / 2**20:.0f})" for n in procs)
        + f"; {grown / max(1, len(connected)) / 1024:.1f} KB per socket"
    )

    for p in procs.values():
        p.cpu_percent(None)
    await asyncio.sleep(args.idle)
    print(f"idle cpu over {args.idle} s: " + ", ".join(f"{n} {p.cpu_percent(None):.1f}%" for n, p in procs.items()))

    async with aiohttp.ClientSession() as session:
        cold, latencies, lost = await crisis_latency(session, url, students, mentor_socks, args.posts, args.warmup)
    if cold:
        print(f"crisis, first {len(cold)} posts (not in the figures below): {', '.join(f'{ms:.1f}' for ms in cold)} ms")
    print(
        f"crisis POST -> mentor event ({len(latencies)} posts, {len(connected)} sockets connected): "
        f"p50 {pct(latencies, 50):.1f} ms, p95 {pct(latencies, 95):.1f} ms, "
        f"p99 {pct(latencies, 99):.1f} ms, lost {lost}"
    )

    remaining = args.hold - args.idle
    if remaining > 0:
        await asyncio.sleep(remaining)
    drops = sum(1 for s in connected if s.dropped or not s.client.connected)
    print(f"hold {args.hold} s: {drops} dropped of {len(connected)}")

    # the reconnect storm: every connection closed at once, then everyone back at once
    await asyncio.gather(*(s.client.disconnect() for s in connected), return_exceptions=True)
    wall, times, failures = await connect_all(connected, url, args.timeout, args.parallel)
    print(
        f"reconnect storm of {len(connected)}: {len(times)} ok, {len(failures)} failed in {wall:.1f} s; "
        f"p99 {pct(times, 99):.1f} s"
    )
    await asyncio.gather(*(s.client.disconnect() for s in socks), return_exceptions=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="sockets to hold")
    parser.add_argument("--hold", type=float, default=30, help="seconds to hold them (idle CPU and crisis run inside)")
    parser.add_argument("--idle", type=float, default=10, help="seconds of the idle CPU measure")
    parser.add_argument("--posts", type=int, default=100, help="crisis posts for the latency figure")
    parser.add_argument("--warmup", type=int, default=5, help="crisis posts before them, reported apart")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one connect may take")
    parser.add_argument("--parallel", type=int, default=2000, help="connects in flight at once")
    asyncio.run(main(parser.parse_args()))
