// The payments queue: any admin's decision (or a new report) refreshes it on every admin's page.
const Live = window.Live;
const region = document.getElementById("payments");
if (region) Live.on("payment:changed", () => Live.refresh(region));
