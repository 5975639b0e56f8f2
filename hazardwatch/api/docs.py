"""Interactive API docs (Swagger UI) served from our own static files: no CDN, no external favicon.

swagger-ui-dist comes from the npm registry (package.json, pinned) and is copied by frontend/build.mjs to
static vendor/swagger-ui/. The page sends the CSRF token with unsafe requests made under the session, and
the "Authorize" button takes an API key (Bearer)."""
from django.middleware.csrf import get_token
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {
            "swagger_settings": settings, "api": api, "csrf_token_value": get_token(request),
        })


docs = LocalSwagger(settings={"persistAuthorization": False, "displayRequestDuration": True,
                              "docExpansion": "list", "defaultModelsExpandDepth": 0})
