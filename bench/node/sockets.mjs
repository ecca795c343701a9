// N Socket.IO sockets held across the proxy, with the browser's own client (socket.io-client 4,
// the same code a dashboard runs): connect time, failures, drops, RSS per socket, idle CPU,
// crisis POST -> mentor event latency with all N connected, and the reconnect storm.
//
// The same figures as bench/sockets.py, with a client that costs a fraction of Python's per
// connect, so at 10,000 sockets the servers, not the client, set the pace. Run inside the
// scale stack, which passes SCALE_URL and SCALE_RUN_DIR (tokens, pids):
//   bench/scale/run.sh node bench/node/sockets.mjs --n 10000 --hold 300
// (after `npm ci --prefix bench/node`). Every phase is bounded in time. Loopback only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const CHATBOT_KEY = "scale-chatbot-key";
const { values: opts } = parseArgs({
  options: {
    n: { type: "string", default: "500" }, // sockets to hold
    hold: { type: "string", default: "30" }, // seconds to hold them (idle CPU and crisis run inside)
    idle: { type: "string", default: "10" }, // seconds of the idle CPU measure
    posts: { type: "string", default: "100" }, // crisis posts for the latency figure
    warmup: { type: "string", default: "5" }, // crisis posts before them, reported apart
    timeout: { type: "string", default: "60" }, // seconds one connect may take
    parallel: { type: "string", default: "2000" }, // connects in flight at once
  },
});
const N = Number(opts.n), HOLD = Number(opts.hold), IDLE = Number(opts.idle);
const POSTS = Number(opts.posts), WARMUP = Number(opts.warmup), TIMEOUT = Number(opts.timeout) * 1000, PARALLEL = Number(opts.parallel);
const url = process.env.SCALE_URL, runDir = process.env.SCALE_RUN_DIR;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (values, p) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1)))];
};

class Sock {
  constructor(token) {
    this.token = token;
    this.socket = null;
    this.dropped = false;
    this.waiters = []; // resolve functions waiting for a crisis notification
  }

  connect() {
    this.dropped = false;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const socket = io(url, {
        transports: ["websocket"],
        auth: { token: this.token },
        reconnection: false,
        forceNew: true,
        timeout: TIMEOUT,
      });
      this.socket = socket;
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error("timeout: no session event"));
      }, TIMEOUT);
      socket.once("session", () => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      socket.once("connect_error", (err) => {
        clearTimeout(timer);
        socket.close();
        reject(err);
      });
      socket.on("disconnect", (reason) => {
        if (reason !== "io client disconnect") this.dropped = true;
      });
      socket.on("notification", (data) => {
        if (data && data.type === "crisis_alert") {
          const waiters = this.waiters.splice(0);
          for (const w of waiters) w(data);
        }
      });
    });
  }

  get connected() {
    return Boolean(this.socket && this.socket.connected);
  }

  nextCrisis(timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("lost")), timeoutMs);
      this.waiters.push((data) => {
        clearTimeout(timer);
        resolve(data);
      });
    });
  }
}

async function connectAll(socks) {
  const started = performance.now();
  const times = [], failures = [];
  let next = 0;
  async function lane() {
    while (next < socks.length) {
      const sock = socks[next++];
      try {
        times.push(await sock.connect());
      } catch (err) {
        failures.push(`${err.constructor.name}: ${String(err.message).slice(0, 80)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, socks.length) }, lane));
  return { wall: (performance.now() - started) / 1000, times, failures };
}

function printFailures(failures) {
  const counts = new Map();
  for (const f of failures) counts.set(f, (counts.get(f) || 0) + 1);
  [...counts.entries()].slice(0, 5).forEach(([kind, n]) => console.log(`  failure: ${kind} x ${n}`));
}

// /proc readings of the two web processes
const webPids = Object.fromEntries(
  ["web1", "web2"].map((name) => [name, Number(readFileSync(join(runDir, `${name}.pid`), "utf8").trim())]),
);
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
const cpuTicksOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second)
};
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

// One crisis POST and the wait for its mentor's event: the latency in ms, or null if lost.
async function crisisOnce(student, sock) {
  const waiting = sock.nextCrisis(10_000);
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/chatbot/intents`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Chatbot-Key": CHATBOT_KEY },
    body: JSON.stringify({ student_id: student.id, message: "I want to end my life", intent: "crisis", confidence: 0.95 }),
  });
  if (res.status !== 201) throw new Error(`crisis POST answered ${res.status}: ${await res.text()}`);
  try {
    await waiting;
    return performance.now() - started;
  } catch {
    return null;
  }
}

// The first WARMUP posts are reported on their own line, not in the percentiles: they pay
// one-time costs (Node's fetch loads itself on first use; a web process compiles the
// crisis path's statements on its first alert) that a long-running deployment pays once.
async function crisisLatency(students, mentorSocks) {
  await fetch(`${url}/healthz`).then((res) => res.arrayBuffer());
  const cold = [], latencies = [];
  let lost = 0;
  for (let i = 0; i < WARMUP + POSTS; i++) {
    const student = students[i % students.length];
    const latency = await crisisOnce(student, mentorSocks.get(student.mentor_id));
    if (latency === null) lost += 1;
    else (i < WARMUP ? cold : latencies).push(latency);
  }
  return { cold, latencies, lost };
}

async function main() {
  const { students, mentors } = JSON.parse(readFileSync(join(runDir, "tokens.json"), "utf8"));
  const baseRss = Object.fromEntries(Object.entries(webPids).map(([n, pid]) => [n, rssOf(pid)]));
  const mentorSocks = new Map(mentors.map((m) => [m.id, new Sock(m.token)]));
  const studentSocks = Array.from({ length: Math.max(0, N - mentors.length) }, (_, i) => new Sock(students[i % students.length].token));
  const socks = [...mentorSocks.values(), ...studentSocks];
  console.log(`sockets: ${socks.length} (${mentorSocks.size} mentors, ${studentSocks.length} students over ${students.length} users), socket.io-client, node ${process.version}`);

  let { wall, times, failures } = await connectAll(socks);
  console.log(`connect: ${times.length} ok, ${failures.length} failed in ${wall.toFixed(1)} s; per socket p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms`);
  printFailures(failures);

  const connected = socks.filter((s) => s.connected);
  const rss = Object.fromEntries(Object.entries(webPids).map(([n, pid]) => [n, rssOf(pid)]));
  const grown = Object.keys(rss).reduce((sum, n) => sum + rss[n] - baseRss[n], 0);
  console.log(
    "rss: " + Object.keys(rss).map((n) => `${n} ${mb(rss[n])} MB (+${mb(rss[n] - baseRss[n])})`).join(", ") +
      `; ${(grown / Math.max(1, connected.length) / 1024).toFixed(1)} KB per socket`,
  );

  const before = Object.fromEntries(Object.entries(webPids).map(([n, pid]) => [n, cpuTicksOf(pid)]));
  await sleep(IDLE * 1000);
  console.log(
    `idle cpu over ${IDLE} s: ` +
      Object.entries(webPids).map(([n, pid]) => `${n} ${(((cpuTicksOf(pid) - before[n]) / IDLE)).toFixed(1)}%`).join(", "),
  );

  const { cold, latencies, lost } = await crisisLatency(students, mentorSocks);
  if (cold.length) console.log(`crisis, first ${cold.length} posts (not in the figures below): ${cold.map((ms) => ms.toFixed(1)).join(", ")} ms`);
  console.log(
    `crisis POST -> mentor event (${latencies.length} posts, ${connected.length} sockets connected): ` +
      `p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, lost ${lost}`,
  );

  const heldSince = performance.now();
  const remaining = HOLD - IDLE;
  if (remaining > 0) await sleep(remaining * 1000);
  const drops = connected.filter((s) => s.dropped || !s.connected).length;
  console.log(`hold ${HOLD} s: ${drops} dropped of ${connected.length} (after the idle and crisis phases, ${((performance.now() - heldSince) / 1000).toFixed(0)} s more)`);

  // the reconnect storm: every connection closed at once, then everyone back at once
  for (const s of connected) s.socket.close();
  await sleep(200);
  ({ wall, times, failures } = await connectAll(connected));
  console.log(`reconnect storm of ${connected.length}: ${times.length} ok, ${failures.length} failed in ${wall.toFixed(1)} s; p99 ${(pct(times, 99) / 1000).toFixed(1)} s`);
  printFailures(failures);
  for (const s of socks) s.socket && s.socket.close();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
