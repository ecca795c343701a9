// Crisis oversight: a crisis notification (a new or escalated alert) refreshes the table.
const Live = window.Live;
const region = document.getElementById("crisis");
if (region) {
  Live.on("notification", (n) => {
    if (n && n.type === "crisis_alert") Live.refresh(region);
  });
}
