// The mentor's console (docs/web.md, "The mentor's console"): every mentor page loads it.
//
// - Crisis: a `notification` of type crisis_alert refreshes the red banner from the server,
//   announces it (aria-live="assertive"), counts open alerts in the tab title "(1) ...",
//   and, when the mentor turned the toggle on, beeps and shows a desktop notification.
//   `alert:updated` (acknowledged, resolved, escalated; from any tab, any admin) refreshes
//   the banner and the alert page.
// - Inbox: the badge is the server's count (each event carries it); "N new" waits for the
//   reader instead of pushing items under their eyes; mark read is optimistic;
//   `notifications:read` keeps every tab's badge true.
const Live = window.Live;
const TITLE = document.title;
const SOUND_KEY = "pulse.crisisSound";

const $ = (id) => document.getElementById(id);

function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// --- crisis -----------------------------------------------------------------------------

function openCount() {
  const box = document.querySelector("#crisis-banner [data-open-count]");
  return box ? Number(box.dataset.openCount) : 0;
}

function updateTitle() {
  const n = openCount();
  document.title = n ? `(${n}) ${TITLE}` : TITLE;
}

function alertsOn() {
  return window.localStorage.getItem(SOUND_KEY) === "on";
}

function beep() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch (_) { /* no audio: the banner and the announcement remain */ }
}

function desktop(text) {
  if (!("Notification" in window) || window.Notification.permission !== "granted") return;
  try { new window.Notification("Pulse: crisis alert", { body: text, tag: "pulse-crisis" }); } catch (_) { /* ignore */ }
}

function onCrisis(n) {
  const d = n.data || {};
  const text = `Crisis alert: ${d.student_name || "a student"}, ${d.severity || ""}. ${d.excerpt || ""}`;
  Live.refresh($("crisis-banner"));
  Live.announce(text, { assertive: true });
  if (alertsOn()) { beep(); desktop(text); }
}

function onAlertUpdated(a) {
  Live.refresh($("crisis-banner"));
  const detail = $("alert-detail");
  if (detail && Number(detail.dataset.alertId) === a.alert_id) Live.refresh(detail);
  if ($("students")) Live.refresh($("students"));
  if (a.status !== "open") Live.announce(`Alert ${a.status}.`);
}

function installToggle() {
  const toggle = $("crisis-sound");
  if (!toggle) return;
  toggle.checked = alertsOn();
  toggle.addEventListener("change", () => {
    window.localStorage.setItem(SOUND_KEY, toggle.checked ? "on" : "off");
    if (toggle.checked && "Notification" in window && window.Notification.permission === "default") {
      window.Notification.requestPermission();
    }
  });
}

// --- inbox ------------------------------------------------------------------------------

function setBadge(count) {
  const badge = $("bell-count");
  if (!badge || count === undefined || count === null) return;
  badge.dataset.count = String(count);
  badge.querySelector(".bell-number").textContent = count > 9 ? "9+" : String(count);
  badge.querySelector(".bell-words").textContent = `${count} unread notification${count === 1 ? "" : "s"}`;
  badge.classList.toggle("d-none", count === 0);
}

function badgeCount() {
  const badge = $("bell-count");
  return badge ? Number(badge.dataset.count) : 0;
}

function menuOpen() {
  const menu = $("bell-menu");
  return Boolean(menu && menu.classList.contains("show"));
}

function showNew(add) {
  const pill = $("bell-new");
  if (!pill) return;
  const n = add === 0 ? 0 : Number(pill.dataset.new) + add;
  pill.dataset.new = String(n);
  pill.textContent = `${n} new`;
  pill.classList.toggle("d-none", n === 0);
}

function refreshInbox() {
  showNew(0);
  return Live.refresh($("inbox-list"));
}

function onNotification(n) {
  setBadge(n.unread_count);
  if (n.type === "crisis_alert") onCrisis(n);
  if (menuOpen()) showNew(1); // the reader is looking: do not move the list under them
  else refreshInbox();
}

async function post(url) {
  const answer = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "HX-Request": "true" } });
  let body = {};
  try { body = await answer.json(); } catch (_) { /* not JSON */ }
  if (!answer.ok) throw new Error((body.error && body.error.message) || "That did not work. Please try again.");
  return body;
}

async function markRead(button) {
  const item = button.closest(".inbox-item");
  const before = badgeCount();
  item.classList.remove("unread");
  item.querySelector(".fw-bold")?.classList.remove("fw-bold");
  button.remove();
  setBadge(Math.max(0, before - 1)); // optimistic: the server's count follows
  const menu = $("bell-menu");
  try {
    const body = await post(menu.dataset.readUrl.replace(/\/0\/read$/, `/${item.dataset.id}/read`));
    setBadge(body.unread_count);
  } catch (err) {
    setBadge(before);
    Live.toast(err.message);
    refreshInbox();
  }
}

async function markAllRead() {
  const before = badgeCount();
  setBadge(0);
  document.querySelectorAll("#inbox-list .inbox-read").forEach((b) => b.remove());
  document.querySelectorAll("#inbox-list .fw-bold").forEach((b) => b.classList.remove("fw-bold"));
  try {
    const body = await post($("bell-menu").dataset.readAllUrl);
    setBadge(body.unread_count);
  } catch (err) {
    setBadge(before);
    Live.toast(err.message);
    refreshInbox();
  }
}

function installInbox() {
  const list = $("inbox-list");
  if (!list) return;
  list.addEventListener("click", (e) => {
    const button = e.target.closest(".inbox-read");
    if (button) markRead(button);
  });
  $("bell-read-all").addEventListener("click", markAllRead);
  $("bell-new").addEventListener("click", refreshInbox);
  $("bell-filter").addEventListener("change", (e) => {
    const kind = e.target.value;
    list.dataset.liveSrc = list.dataset.baseSrc + (kind ? `?type=${encodeURIComponent(kind)}` : "");
    refreshInbox();
  });
  $("bell").addEventListener("show.bs.dropdown", refreshInbox);
}

// --- a live refresh must not undo what the mentor is doing --------------------------------
// The banner and the alert page are re-rendered by every event and every reconnect: keep
// the open "Resolve" panels, what was typed or chosen, and the focus across the swap.

const kept = new WeakMap();

function snapshot(target) {
  const fields = [...target.querySelectorAll("input[id], textarea[id]")].map((el) => [el.id, el.type, el.value, el.checked]);
  kept.set(target, {
    open: [...target.querySelectorAll("details[id][open]")].map((d) => d.id),
    fields,
    focus: target.contains(document.activeElement) ? document.activeElement.id : null,
  });
}

function restore(target) {
  const state = kept.get(target);
  if (!state) return;
  kept.delete(target);
  state.open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
  for (const [id, type, value, checked] of state.fields) {
    const el = document.getElementById(id);
    if (!el || el.type === "hidden") continue;
    if (type === "radio" || type === "checkbox") el.checked = checked;
    else el.value = value;
  }
  if (state.focus) document.getElementById(state.focus)?.focus();
}

// --- wiring -----------------------------------------------------------------------------

document.body.addEventListener("htmx:beforeSwap", (e) => {
  const target = e.detail.target;
  // only refreshes (GET) keep state: an answer to the mentor's own action shows the new state
  if (["crisis-banner", "alert-detail"].includes(target.id) && e.detail.requestConfig.verb === "get") snapshot(target);
});

document.body.addEventListener("htmx:afterSwap", (e) => {
  const target = e.detail.target;
  if (["crisis-banner", "alert-detail"].includes(target.id)) restore(target);
  if (target.id === "crisis-banner") updateTitle();
  if (target.id === "inbox-list") {
    const ul = target.querySelector("[data-unread]");
    if (ul) setBadge(Number(ul.dataset.unread)); // the server's count after every resync
  }
});

Live.on("notification", onNotification);
Live.on("alert:updated", onAlertUpdated);
Live.on("notifications:read", (r) => { setBadge(r.unread_count); refreshInbox(); });
// What moves a student's counters: refresh the table (the server counts).
for (const event of ["entry:created", "entry:statusChanged", "entry:updated", "task:assigned", "task:updated",
  "schedule:created", "schedule:assigned", "schedule:updated", "activity:new"]) {
  Live.on(event, () => { if ($("students")) Live.refresh($("students")); });
}
Live.on("insights:ready", (r) => {
  const box = $("insights");
  if (box && (!r || !r.student_id || Number(box.dataset.studentId) === r.student_id)) Live.refresh(box);
});

updateTitle();
installToggle();
installInbox();
