// The educator's overview: draws the charts from the live region's data-* attributes,
// refreshes the region on grade/attendance/exam events, highlights the figures that changed,
// and never leaves figures older than the last event on screen (a refresh that returns
// figures computed before the event's figures asks again).
const Live = window.Live; // the page's one instance (live.js, loaded first)

const EVENTS = ["grade:updated", "attendance:updated", "exam:created"];
const region = document.getElementById("overview");
const charts = [];
let lastEventAt = "";
let before = new Map();

function values(root) {
  const out = new Map();
  root.querySelectorAll("[data-figure]").forEach((el) => out.set(el.dataset.figure, el.dataset.value));
  return out;
}

function json(el, name) {
  try { return JSON.parse(el.dataset[name] || "[]"); } catch { return []; }
}

function draw() {
  while (charts.length) charts.pop().destroy();
  if (!window.Chart) return;
  const dist = region.querySelector("#dist-chart");
  if (dist) {
    charts.push(new window.Chart(dist, {
      type: "bar",
      data: { labels: json(dist, "labels"), datasets: [{ label: "Students", data: json(dist, "values"), backgroundColor: "#0d6efd" }] },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }));
  }
  const trend = region.querySelector("#trend-chart");
  if (trend) {
    charts.push(new window.Chart(trend, {
      type: "line",
      data: {
        labels: json(trend, "labels"),
        datasets: [
          { label: "Average %", data: json(trend, "average"), borderColor: "#0d6efd", spanGaps: true },
          { label: "Attendance %", data: json(trend, "attendance"), borderColor: "#198754", spanGaps: true },
        ],
      },
      options: { animation: false, scales: { y: { min: 0, max: 100 } } },
    }));
  }
}

function highlight() {
  const now = values(region);
  let changed = 0;
  region.querySelectorAll("[data-figure]").forEach((el) => {
    if (before.has(el.dataset.figure) && before.get(el.dataset.figure) !== el.dataset.value) {
      el.classList.add("figure-changed");
      changed += 1;
      setTimeout(() => el.classList.remove("figure-changed"), 2000);
    }
  });
  before = now;
  if (changed) Live.announce(`Figures updated: ${changed} changed.`);
}

function computedAt() {
  const body = region.querySelector("[data-computed-at]");
  return body ? body.dataset.computedAt : "";
}

if (region) {
  before = values(region);
  region.addEventListener("htmx:afterSettle", () => {
    draw();
    highlight();
    if (lastEventAt && computedAt() && computedAt() < lastEventAt) Live.refresh(region);
  });
  for (const event of EVENTS) {
    Live.on(event, (data) => {
      const at = data && data.overview && data.overview.computed_at;
      if (at && at > lastEventAt) lastEventAt = at;
      Live.refresh(region);
    });
  }
  // Chart.js is a deferred classic script: it has run before DOMContentLoaded.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  // PDF export: "preparing" until export_ready names it; then (or after a reconnect, when
  // the region resyncs from data-live-src) its fragment shows the link.
  const pdf = document.getElementById("pdf-export");
  if (pdf) {
    const ready = new Set(); // export ids whose export_ready came (perhaps before the POST's answer)
    pdf.addEventListener("htmx:afterSettle", () => {
      const status = pdf.querySelector("[data-export-id]");
      if (status && status.dataset.status !== "ready" && status.dataset.status !== "failed") {
        pdf.dataset.liveSrc = status.dataset.statusUrl;
        if (ready.has(status.dataset.exportId)) Live.refresh(pdf);
      } else {
        delete pdf.dataset.liveSrc;
        if (status && status.dataset.status === "ready") Live.announce("The PDF is ready to download.");
      }
    });
    Live.on("notification", (n) => {
      if (!n || n.type !== "export_ready") return;
      ready.add(String(n.data && n.data.export_id));
      const status = pdf.querySelector("[data-export-id]");
      if (status && String(n.data && n.data.export_id) === status.dataset.exportId) {
        pdf.dataset.liveSrc = status.dataset.statusUrl;
        Live.refresh(pdf);
      }
    });
  }
  // Filters: choosing one loads the view it names (the URL is the state; reload restores it).
  const form = document.getElementById("filters");
  if (form) form.addEventListener("change", () => form.requestSubmit());
}
