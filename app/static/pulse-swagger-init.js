// Starts Swagger UI from the container's data attributes (kept out of the page so the
// Content-Security-Policy needs no 'unsafe-inline' for scripts).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var extra = JSON.parse(container.dataset.config || "{}");
  for (var key in extra) { config[key] = extra[key]; }
  window.ui = SwaggerUIBundle(config);
});
