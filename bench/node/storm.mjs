// The client side of bench/storm_pause.py: the mentors' sockets, a few crisis posts to warm
// the server, then a connect storm of students' sockets (the browser's own client,
// socket.io-client 4) and crisis posts from the moment the storm is over, each timed from
// its POST to its mentor's `notification` event. Prints one JSON object; storm_pause.py
// runs it (it needs --url and --tokens, the file bench/scale/seed.py writes).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    tokens: { type: "string" },
    key: { type: "string" }, // the chatbot's API key
    n: { type: "string", default: "3000" }, // sockets in all, mentors' included
    parallel: { type: "string", default: "1000" }, // connects in flight at once
    posts: { type: "string", default: "200" }, // crisis posts after the storm
    warmup: { type: "string", default: "5" }, // crisis posts before it, not in the figures
    timeout: { type: "string", default: "60" }, // seconds one connect may take
  },
});
const N = Number(opts.n), PARALLEL = Number(opts.parallel), POSTS = Number(opts.posts);
const WARMUP = Number(opts.warmup), TIMEOUT = Number(opts.timeout) * 1000;

function connect(token, onCrisis) {
  return new Promise((resolve, reject) => {
    const socket = io(opts.url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: TIMEOUT });
    const timer = setTimeout(() => (socket.close(), reject(new Error("timeout: no session event"))), TIMEOUT);
    socket.once("session", () => (clearTimeout(timer), resolve(socket)));
    socket.once("connect_error", (err) => (clearTimeout(timer), socket.close(), reject(err)));
    if (onCrisis) socket.on("notification", (data) => data && data.type === "crisis_alert" && onCrisis(data));
  });
}

const arrivals = new Map(); // alert id -> when its mentor's event arrived
const waiters = new Map(); // alert id -> resolve of the post waiting for it

function arrived(data) {
  const id = data.data && data.data.alert_id;
  arrivals.set(id, performance.now());
  waiters.get(id)?.();
}

async function crisis(student) {
  const started = performance.now();
  const res = await fetch(`${opts.url}/api/v1/chatbot/intents`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Chatbot-Key": opts.key },
    body: JSON.stringify({ student_id: student.id, message: "I want to end my life", intent: "crisis", confidence: 0.95 }),
  });
  if (res.status !== 201) throw new Error(`crisis POST answered ${res.status}: ${await res.text()}`);
  const id = (await res.json()).alert.id;
  if (!arrivals.has(id)) {
    await Promise.race([
      new Promise((resolve) => waiters.set(id, resolve)),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    waiters.delete(id);
  }
  return arrivals.has(id) ? arrivals.get(id) - started : null;
}

async function main() {
  const { students, mentors } = JSON.parse(readFileSync(opts.tokens, "utf8"));
  const held = [];
  for (const m of mentors) held.push(await connect(m.token, arrived));
  for (let i = 0; i < WARMUP; i++) await crisis(students[i % students.length]);

  const tokens = Array.from({ length: Math.max(0, N - mentors.length) }, (_, i) => students[i % students.length].token);
  const failures = [];
  let next = 0;
  const started = performance.now();
  const stormFrom = Date.now();
  async function lane() {
    while (next < tokens.length) {
      try {
        held.push(await connect(tokens[next++]));
      } catch (err) {
        failures.push(String(err.message).slice(0, 80));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, tokens.length) }, lane));
  const stormSeconds = (performance.now() - started) / 1000;
  const stormTo = Date.now();

  // from the last connect on, one post after another: the process's quiet phase is now
  const latencies = [];
  let lost = 0;
  for (let i = 0; i < POSTS; i++) {
    const ms = await crisis(students[(WARMUP + i) % students.length]);
    if (ms === null) lost += 1;
    else latencies.push(ms);
  }
  const postSeconds = (performance.now() - started) / 1000 - stormSeconds;
  const postsTo = Date.now();
  const times = { stormFrom, stormTo, postsTo }; // epoch ms, to place the server's log lines
  console.log(JSON.stringify({ sockets: held.length, failures, stormSeconds, postSeconds, latencies, lost, times }));
  for (const s of held) s.close();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
