// Starts Swagger UI on /api/v1/docs with the settings the server put in #swagger-settings. Unsafe requests
// made with the session cookie carry the CSRF token; requests with an API key (Authorize → Bearer) need none.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = root.getAttribute("data-csrf-token") || "";
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (req) {
    var method = (req.method || "GET").toUpperCase();
    if (csrf && ["GET", "HEAD", "OPTIONS"].indexOf(method) === -1) {
      req.headers["X-CSRFToken"] = csrf;
    }
    return req;
  };
  window.ui = window.SwaggerUIBundle(settings);
})();
