"""The one NinjaAPI: routers per app under /api/v1/, and one error format {"message", "extra"}."""
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hazardwatch.core.errors import ApplicationError

INVALID_INPUT = _("The request has invalid fields.")
NOT_FOUND = _("Not found.")
AUTH_REQUIRED = _("Sign in or give a valid API key.")

api = NinjaAPI(
    title="Hazardwatch API",
    version="1",
    description="Report hazards, follow them by receipt code, and govern cases to closure.",
    urls_namespace="api",
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


_mount()
