"""/api/v1/openapi.json and /api/v1/docs: served from our own static files (no CDN, no external URL), the
Bearer API key declared as a security scheme, and every list operation paged with cursor + limit."""
import re

import pytest
from django.contrib.staticfiles import finders

LIST_OPERATIONS = [  # GET lists under /api/v1/ that grow without bound: all take cursor + limit
    "/api/v1/cases", "/api/v1/risk/points", "/api/v1/exposure/items", "/api/v1/exposure/publications",
    "/api/v1/rewards/assessments", "/api/v1/rewards/ledger", "/api/v1/checklists/inspections",
    "/api/v1/checklists/unit-inspections", "/api/v1/campaigns/", "/api/v1/drills/", "/api/v1/criteria/items",
    "/api/v1/apikeys",
]


@pytest.mark.django_db
def test_docs_page_is_local(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {"/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
            "/static/api/swagger-init.js"} <= set(assets)
    for asset in assets:  # each one exists in the static files (frontend/build from npm, or the app's static/)
        assert finders.find(asset.removeprefix("/static/")), asset
    assert '"url": "/api/v1/openapi.json"' in html


@pytest.mark.django_db
def test_schema_declares_the_bearer_key_and_cursor_paging(client):
    schema = client.get("/api/v1/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKeyBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    case_list = schema["paths"]["/api/v1/cases"]["get"]
    assert {"ApiKeyBearer": []} in case_list["security"] and {"SessionAuth": []} in case_list["security"]
    for path in LIST_OPERATIONS:
        params = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        assert {"cursor", "limit"} <= params, (path, params)
    for path in ("/api/v1/apikeys", "/api/v1/apikeys/{key_id}/revoke"):
        assert path in schema["paths"]
