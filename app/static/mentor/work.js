// The mentor's work pages: entries to review, tasks, the activity feed (docs/web.md,
// "The mentor's work pages"). console.js (loaded by every mentor page) keeps the banner
// and the bell; this module adds:
// - regions with data-live-on="event other:event" refresh from their data-live-src when
//   one of those events arrives (live.js refreshes them on every connect too);
// - a form with data-reset-on-success is emptied after a successful htmx answer, and its
//   inline error (data-error-inline) cleared;
// - the feed: each `activity:new` of the shown type fetches the items newer than the top
//   one (server-rendered, once each); while the reader is scrolled down into the list, a
//   "N new" button waits instead of pushing items under their eyes.
const Live = window.Live;
const $ = (id) => document.getElementById(id);

for (const el of document.querySelectorAll("[data-live-on]")) {
  for (const event of el.dataset.liveOn.split(/\s+/).filter(Boolean)) Live.on(event, () => Live.refresh(el));
}

document.body.addEventListener("htmx:afterRequest", (e) => {
  const form = e.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-reset-on-success]")) return;
  const slot = form.dataset.errorInline && $(form.dataset.errorInline);
  if (!e.detail.successful) return;
  if (slot) slot.textContent = "";
  form.reset();
  Live.announce("Saved.");
});

// --- the activity feed ------------------------------------------------------------------

const region = $("activity");
const pill = $("activity-new");
let fetching = false;
let again = false;

function topId() {
  const first = region.querySelector("[data-activity-id]");
  return first ? Number(first.dataset.activityId) : null;
}

function dedupe(list) {
  const seen = new Set();
  for (const li of list.querySelectorAll("[data-activity-id]")) {
    if (seen.has(li.dataset.activityId)) li.remove();
    else seen.add(li.dataset.activityId);
  }
}

function setPill(n) {
  pill.dataset.new = String(n);
  pill.textContent = `${n} new`;
  pill.classList.toggle("d-none", n === 0);
}

// Newer items, one request at a time; one asked for meanwhile runs after it (never lost).
async function fetchNewer() {
  if (fetching) { again = true; return; }
  const list = $("activity-list");
  const top = topId();
  if (!list || top === null) { await Live.refresh(region); return; }
  fetching = true;
  const before = list.querySelectorAll("[data-activity-id]").length;
  try {
    const url = new URL(region.dataset.itemsSrc, window.location.href);
    url.searchParams.set("after_id", String(top));
    await window.htmx.ajax("GET", url.pathname + url.search, { source: region, target: list, swap: "afterbegin" });
    if (list.querySelector("[data-feed-gap]")) await Live.refresh(region); // too many to add: reload the list
    else {
      dedupe(list);
      const added = list.querySelectorAll("[data-activity-id]").length - before;
      if (added > 0) Live.announce(`${added} new activit${added === 1 ? "y" : "ies"}.`);
    }
  } catch (_) { /* the next event or reconnect catches up */ }
  fetching = false;
  if (again) { again = false; fetchNewer(); }
}

function readerIsBelow() {
  const list = $("activity-list");
  return Boolean(list) && list.getBoundingClientRect().top < 0;
}

if (region && pill) {
  Live.on("activity:new", (item) => {
    const wanted = region.dataset.type;
    if (wanted && item && item.type !== wanted) return;
    if (readerIsBelow()) setPill(Number(pill.dataset.new) + 1);
    else fetchNewer();
  });
  pill.addEventListener("click", async () => {
    setPill(0);
    await fetchNewer();
    const list = $("activity-list");
    if (list) { list.tabIndex = -1; list.focus(); list.scrollIntoView({ block: "start" }); }
  });
  Live.on("connect", () => setPill(0)); // live.js refreshes the whole list on every connect
}
