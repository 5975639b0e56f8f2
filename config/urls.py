from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from hazardwatch.api.api import api

urlpatterns = [
    path("", include("hazardwatch.ops.urls")),  # /healthz, /readyz
    path("api/v1/quizzes/", include("hazardwatch.quizzes.fast_urls")),  # hot path first (docs/quizzes.md)
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("hazardwatch.open311.urls")),
    path("staff/webhooks/", include("hazardwatch.webhooks.urls")),
    path("staff/risk/", include("hazardwatch.risk.urls")),
    path("", include("hazardwatch.exposure.urls")),
    path("", include("hazardwatch.rewards.urls")),
    path("", include("hazardwatch.checklists.urls")),
    path("", include("hazardwatch.quizzes.urls")),
    path("", include("hazardwatch.campaigns.urls")),
    path("", include("hazardwatch.drills.urls")),
    path("staff/apikeys/", include("hazardwatch.apikeys.urls")),
    path("staff/", include("hazardwatch.workbench.urls")),
    path("", include("hazardwatch.insights.urls")),
    path("", include("hazardwatch.public.urls")),
]

if settings.HAZARDWATCH_BENCH:  # bench-only endpoints (docs/performance.md), absent in normal runs
    urlpatterns.insert(0, path("bench/", include("hazardwatch.jobs.bench_urls")))
