// The insights drawer on the mentor's students page (docs/web.md, "Schedules, the insights
// drawer and missed messages"), and what the insights regions share on every page:
//
// - A student's name in the table is a real link to their insights page; here a plain click
//   opens a Bootstrap offcanvas instead and loads the drawer's body (the insights region and
//   the missed-message report) from the server. Closing it empties it and gives the focus
//   back to the name.
// - Partial-then-full: the first answer on a cold cache is quick figures (data-partial="true");
//   `insights:ready` refreshes the region with the full ones. Should that event be missed,
//   the region asks again a few times, spaced out.
// - Freshness: "Updated N min ago" (<time data-ago>) keeps counting while the page is open.
// - "Report a missed message" loads its form in place; the focus follows it.
const Live = window.Live;
const $ = (id) => document.getElementById(id);
const RETRIES = [3000, 6000, 12000];

function drawer() {
  return $("insights-drawer");
}

let opener = null;

function openDrawer(link) {
  const box = drawer();
  if (!box || !window.bootstrap || !window.htmx) return false;
  opener = link.dataset.studentId;
  $("insights-drawer-title").textContent = `Insights: ${link.dataset.studentName}`;
  const body = $("insights-drawer-body");
  body.setAttribute("aria-busy", "true");
  body.innerHTML = '<p class="text-body-secondary"><span class="spinner-border spinner-border-sm" aria-hidden="true"></span> Loading insights…</p>';
  window.bootstrap.Offcanvas.getOrCreateInstance(box).show();
  window.htmx.ajax("GET", link.dataset.drawerSrc, { source: body, target: body, swap: "innerHTML" })
    .finally(() => body.setAttribute("aria-busy", "false"));
  return true;
}

function installDrawer() {
  const box = drawer();
  if (!box) return;
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-drawer-src]");
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (openDrawer(link)) e.preventDefault();
  });
  box.addEventListener("hidden.bs.offcanvas", () => {
    $("insights-drawer-body").innerHTML = ""; // its live region leaves with it
    const link = opener && document.querySelector(`a[data-drawer-src][data-student-id="${opener}"]`);
    if (link) link.focus();
    opener = null;
  });
}

// --- partial, then full -------------------------------------------------------------------

const tries = new WeakMap();

function regions() {
  return document.querySelectorAll(".insights-region[data-live-src]");
}

function checkPartial(region) {
  const partial = region.querySelector('[data-testid="freshness"][data-partial="true"]');
  if (!partial) { tries.delete(region); return; }
  const n = tries.get(region) || 0;
  if (n >= RETRIES.length) return;
  tries.set(region, n + 1);
  window.setTimeout(() => { if (region.isConnected) Live.refresh(region); }, RETRIES[n]);
}

Live.on("insights:ready", (r) => {
  const region = $("drawer-insights");
  if (region && (!r || !r.student_id || Number(region.dataset.studentId) === r.student_id)) Live.refresh(region);
});

// --- freshness ----------------------------------------------------------------------------

function ago(iso) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return `${hours} hour${hours === 1 ? "" : "s"} ago`;
}

function tick() {
  document.querySelectorAll("time[data-ago]").forEach((t) => {
    const iso = t.getAttribute("datetime");
    if (iso && !Number.isNaN(Date.parse(iso))) t.textContent = ago(iso);
  });
}

// --- wiring -------------------------------------------------------------------------------

document.body.addEventListener("htmx:afterSwap", (e) => {
  const target = e.detail.target;
  if (target.classList.contains("insights-region")) checkPartial(target);
  if (target.id === "insights-drawer-body") {
    const region = $("drawer-insights");
    if (region) checkPartial(region);
  }
  if (target.classList.contains("missed-slot")) target.querySelector("select, .alert")?.focus();
});

// The report's answer replaces its box: put the focus on what it says.
document.body.addEventListener("htmx:afterSettle", (e) => {
  const box = e.detail.elt;
  if (!box || !box.classList || !box.classList.contains("missed-box")) return;
  const said = box.querySelector(".alert");
  if (said) { said.setAttribute("tabindex", "-1"); said.focus(); }
});

regions().forEach(checkPartial);
installDrawer();
window.setInterval(tick, 30000);
