"""The one NinjaAPI: routers per app under /api/v1/, and one error format {"message", "extra"}."""
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hazardwatch.api.docs import docs
from hazardwatch.apikeys.openapi import add_key_security
from hazardwatch.core.errors import ApplicationError

INVALID_INPUT = _("The request has invalid fields.")
NOT_FOUND = _("Not found.")
AUTH_REQUIRED = _("Sign in or give a valid API key.")

ERROR_SCHEMA = {"type": "object", "title": "Error", "required": ["message", "extra"],
                "properties": {"message": {"type": "string"}, "extra": {"type": "object"}}}
_UNSAFE = {"post", "put", "patch", "delete"}


class HazardwatchAPI(NinjaAPI):
    """Declares in the schema the answers the handlers below give for any operation, in the standard error
    format: 400 where the operation takes input (validation), 404 where its path names an object, 401 where it
    needs authentication, 403 for unsafe methods under session auth (CSRF check). An operation's own
    `response={...}` wins. Schemathesis checks every answer is declared (api/tests/test_schema_fuzz.py)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        cookie_schemes = {name for name, scheme in schema["components"].get("securitySchemes", {}).items()
                          if scheme.get("in") == "cookie"}
        for methods in schema.get("paths", {}).values():
            for method, operation in methods.items():
                if not isinstance(operation, dict):
                    continue
                responses = operation.setdefault("responses", {})
                params = operation.get("parameters") or []
                if params or operation.get("requestBody"):
                    responses.setdefault(400, {"description": "Bad Request", **error})
                if any(p.get("in") == "path" for p in params):
                    responses.setdefault(404, {"description": "Not Found", **error})
                security = operation.get("security")
                if not security:
                    continue
                responses.setdefault(401, {"description": "Unauthorized", **error})
                if method in _UNSAFE and any(cookie_schemes & set(s) for s in security):
                    responses.setdefault(403, {"description": "Forbidden", **error})
        add_key_security(schema)  # Bearer API keys wherever the session is accepted (hazardwatch/apikeys/openapi.py)
        return schema


api = HazardwatchAPI(
    title="Hazardwatch API",
    version="1",
    description="Report hazards, follow them by receipt code, and govern cases to closure.",
    urls_namespace="api",
    docs=docs,  # Swagger UI from our own static files (hazardwatch/api/docs.py)
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, {"message": str(exc.message), "extra": exc.extra}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(loc) or "body", []).append(err.get("msg", "invalid"))
    return api.create_response(request, {"message": str(INVALID_INPUT), "extra": {"fields": fields}}, status=400)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(request, {"message": str(AUTH_REQUIRED), "extra": {}}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"message": str(exc), "extra": {}}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": str(NOT_FOUND), "extra": {}}, status=404)


def _mount():
    from hazardwatch.cases.api import router as cases_router
    from hazardwatch.reports.api import router as reports_router

    api.add_router("/", reports_router)
    api.add_router("/cases", cases_router)
    api.add_router("/criteria", "hazardwatch.criteria.api.router")
    api.add_router("/risk", "hazardwatch.risk.api.router")
    api.add_router("/map", "hazardwatch.insights.map_api.router")
    api.add_router("/stats", "hazardwatch.insights.stats_api.router")
    api.add_router("/exposure", "hazardwatch.exposure.api.router")
    api.add_router("/rewards", "hazardwatch.rewards.api.router")
    api.add_router("/checklists", "hazardwatch.checklists.api.router")
    api.add_router("/quizzes", "hazardwatch.quizzes.api.router")
    api.add_router("/campaigns", "hazardwatch.campaigns.api.router")
    api.add_router("/drills", "hazardwatch.drills.api.router")
    api.add_router("/apikeys", "hazardwatch.apikeys.api.router")
    api.add_router("/webhooks", "hazardwatch.webhooks.api.router")


_mount()
