// The mentor's schedule pages (docs/web.md, "Schedules, the insights drawer and missed messages").
// - The day view (#schedule-day) refreshes from the server on every schedule and attendance
//   event (another tab, the API, a student marking themselves), and on every reconnect.
// - The session form shows the student or the cohort choice, as 1:1 or group is chosen
//   (without JavaScript both show, and the server reads the one that matches).
const Live = window.Live;
const $ = (id) => document.getElementById(id);

for (const event of ["schedule:created", "schedule:assigned", "schedule:updated", "attendance:updated"]) {
  Live.on(event, () => { if ($("schedule-day")) Live.refresh($("schedule-day")); });
}

function syncKind(form) {
  const kind = form.querySelector('input[name="kind"]:checked')?.value || "one";
  form.querySelectorAll("[data-kind]").forEach((box) => { box.hidden = box.dataset.kind !== kind; });
}

document.querySelectorAll("form[data-schedule-form]").forEach((form) => {
  form.addEventListener("change", (e) => { if (e.target.name === "kind") syncKind(form); });
  syncKind(form);
});

// A refused form says what is wrong at its top: start reading there.
$("form-error")?.focus();
