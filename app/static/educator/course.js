// An educator's course page: the figures and enrolments region refreshes when this course's
// progress:updated arrives (live.js also refreshes it on every connect), and the figures
// that changed are highlighted for a moment and announced.
const Live = window.Live; // the page's one instance (live.js, loaded first)

const region = document.getElementById("course-live");

function values() {
  const out = new Map();
  region.querySelectorAll("[data-figure]").forEach((el) => out.set(el.dataset.figure, el.dataset.value));
  return out;
}

if (region) {
  let before = values();
  region.addEventListener("htmx:afterSettle", () => {
    let changed = 0;
    region.querySelectorAll("[data-figure]").forEach((el) => {
      if (before.has(el.dataset.figure) && before.get(el.dataset.figure) !== el.dataset.value) {
        el.classList.add("figure-changed");
        changed += 1;
        setTimeout(() => el.classList.remove("figure-changed"), 2000);
      }
    });
    before = values();
    if (changed) Live.announce(`Course figures updated: ${changed} changed.`);
  });
  Live.on("progress:updated", (data) => {
    if (data && String(data.course_id) === region.dataset.course) Live.refresh(region);
  });
}
