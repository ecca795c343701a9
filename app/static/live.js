// live.js: the one script of our own every page loads (docs/web.md).
//
// - htmx: sends the CSRF token (from <meta name="csrf-token">) on every request, and shows
//   an error answer (the API's envelope) as a toast, never raw JSON.
// - Socket.IO (signed-in pages only, <body data-live="on">): connects with the page's
//   session cookie (no token), reconnects with backoff and jitter, shows Live /
//   Reconnecting / Offline in #live-status, and on every connect refreshes every live
//   region (elements with data-live-src="/partial/url") from the server, so nothing missed
//   while offline is lost and nothing is shown twice.
// - Pages subscribe to events with Live.on("notification", fn); Live.refresh(el),
//   Live.toast(text, kind) and Live.announce(text, {assertive}) are theirs to use.
//
// No inline scripts anywhere (the Content-Security-Policy allows none): pages pass data in
// data-* attributes and add their own module under app/static/ that uses window.Live.

const RECONNECT = { first: 1000, max: 10000, jitter: 0.5 }; // ~1 s, doubling, +-50 %, <= 10 s
const STATES = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", offline: "Offline" };

function create() {
  const handlers = new Map(); // event -> Set of functions
  const regions = new WeakMap(); // element -> {busy, again}
  let socket = null;
  let leaving = false;

  function setState(state) {
    const badge = document.getElementById("live-status");
    document.documentElement.dataset.liveState = state;
    if (!badge) return;
    badge.dataset.state = state;
    badge.textContent = STATES[state];
  }

  function announce(text, { assertive = false } = {}) {
    const region = document.getElementById(assertive ? "live-assertive" : "live-polite");
    if (!region) return;
    region.textContent = "";
    // a fresh text node after clearing: screen readers announce a repeated message again
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  function toast(text, kind = "danger") {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = `toast align-items-center text-bg-${kind} border-0`;
    el.setAttribute("role", kind === "danger" ? "alert" : "status");
    el.setAttribute("aria-atomic", "true");
    const row = document.createElement("div");
    row.className = "d-flex";
    const body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text; // text, never HTML: messages may quote user input
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", "Close");
    row.append(body, close);
    el.append(row);
    box.append(el);
    el.addEventListener("hidden.bs.toast", () => el.remove());
    if (window.bootstrap) window.bootstrap.Toast.getOrCreateInstance(el, { delay: 6000 }).show();
    else el.classList.add("show");
  }

  // The readable message of an error answer: the API's envelope, else our error page's text.
  function messageOf(xhr) {
    try {
      const body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (_) { /* not JSON */ }
    if (xhr.status === 0) return "Could not reach Pulse. Check your connection and try again.";
    if (xhr.status === 429) return "Too many requests; wait a moment and try again.";
    if (xhr.status >= 500) return "Something went wrong on our side. Please try again.";
    return "That did not work. Please try again.";
  }

  // Refresh one live region; a refresh asked for while one is in flight runs once after it
  // (htmx's "queue last"): the last refresh is never dropped, and they never pile up.
  function refresh(el) {
    const state = regions.get(el) || { busy: false, again: false };
    regions.set(el, state);
    if (state.busy) { state.again = true; return Promise.resolve(); }
    state.busy = true;
    return window.htmx.ajax("GET", el.dataset.liveSrc, { source: el, target: el, swap: "innerHTML" })
      .catch(() => {})
      .finally(() => {
        state.busy = false;
        if (state.again) { state.again = false; refresh(el); }
      });
  }

  function refreshAll(root = document) {
    root.querySelectorAll("[data-live-src]").forEach(refresh);
  }

  function on(event, fn) {
    if (!handlers.has(event)) {
      handlers.set(event, new Set());
      if (socket) socket.on(event, (...args) => dispatch(event, args));
    }
    handlers.get(event).add(fn);
    return () => handlers.get(event).delete(fn);
  }

  function dispatch(event, args) {
    for (const fn of handlers.get(event) || []) {
      try { fn(...args); } catch (err) { console.warn("live handler", event, err); }
    }
  }

  function toLogin(reason = "session_ended") {
    if (leaving) return;
    leaving = true;
    const url = new URL(document.body.dataset.loginUrl, window.location.href);
    url.searchParams.set("reason", reason);
    url.searchParams.set("next", window.location.pathname + window.location.search);
    window.location.assign(url.pathname + url.search);
  }

  // After the server ended the socket or refused it: still signed in? then try again.
  async function checkSession() {
    try {
      const answer = await fetch(document.body.dataset.sessionUrl, { credentials: "same-origin", cache: "no-store" });
      const state = await answer.json();
      // Only a clear "no" ends the page: a busy server (503) is retried below.
      if (answer.ok && !state.signed_in) { toLogin("session_ended"); return; }
    } catch (_) { /* offline: the manager's backoff retries */ }
    setState("reconnecting");
    const delay = RECONNECT.first * (1 + Math.random() * RECONNECT.jitter);
    window.setTimeout(() => { if (socket && !socket.connected) socket.connect(); }, delay);
  }

  function connect() {
    if (socket || document.body.dataset.live !== "on" || !window.io) return socket;
    setState("connecting");
    socket = window.io({
      reconnectionDelay: RECONNECT.first,
      reconnectionDelayMax: RECONNECT.max,
      randomizationFactor: RECONNECT.jitter,
      withCredentials: true,
    });
    for (const event of handlers.keys()) socket.on(event, (...args) => dispatch(event, args));
    socket.on("connect", () => {
      setState("live");
      refreshAll(); // the server is the source of truth after every (re)connect
      dispatch("connect", []);
    });
    socket.on("session_ended", () => toLogin("session_ended"));
    socket.on("disconnect", (reason) => {
      if (leaving) return;
      setState("offline");
      dispatch("disconnect", [reason]);
      // The server closed it: no automatic reconnect. Ended session, or a restart?
      if (reason === "io server disconnect") checkSession();
    });
    socket.on("connect_error", () => {
      // A refusal by the connect handler (not a network error) is not retried by the client
      if (socket.active) setState("reconnecting");
      else checkSession();
    });
    socket.io.on("reconnect_attempt", () => setState("reconnecting"));
    return socket;
  }

  function installHtmx() {
    const htmx = window.htmx;
    if (!htmx) return;
    htmx.config.allowEval = false;
    htmx.config.allowScriptTags = false;
    htmx.config.selfRequestsOnly = true;
    document.body.addEventListener("htmx:configRequest", (e) => {
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) e.detail.headers["X-CSRFToken"] = meta.content;
    });
    document.body.addEventListener("htmx:responseError", (e) => {
      const xhr = e.detail.xhr;
      if (xhr.status === 401 && xhr.getResponseHeader("HX-Redirect")) return; // htmx goes to login
      const target = e.detail.elt && e.detail.elt.closest("[data-error-inline]");
      const message = messageOf(xhr);
      if (target) {
        const slot = document.getElementById(target.dataset.errorInline);
        if (slot) { slot.textContent = message; return; }
      }
      toast(message);
    });
    document.body.addEventListener("htmx:sendError", () => toast(messageOf({ status: 0, responseText: "" })));
  }

  function start() {
    // Signing out ends this page's socket too: that is not a lost session to report.
    document.addEventListener("submit", (e) => { if (e.target.matches("[data-live-leave]")) leaving = true; });
    installHtmx();
    connect();
  }

  return { on, refresh, refreshAll, toast, announce, start, get socket() { return socket; } };
}

// One instance per page, however many modules import this file (URLs with other ?v= would
// otherwise make a second copy).
export const Live = window.Live || (window.Live = create());

// Modules run after the deferred classic scripts (htmx, socket.io, bootstrap) are loaded.
if (!Live.started) {
  Live.started = true;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => Live.start());
  else Live.start();
}
