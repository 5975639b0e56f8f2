"""The API key in the OpenAPI schema: one `ApiKeyBearer` security scheme, offered wherever the session is.

ApiKeyMiddleware authenticates `Authorization: Bearer hwk_…` before Ninja runs, so every operation that
accepts the session also accepts a key; the schema says so, and Swagger UI's Authorize button takes the key."""

SCHEME = "ApiKeyBearer"
DEFINITION = {
    "type": "http", "scheme": "bearer", "bearerFormat": "hwk_<prefix>_<secret>",
    "description": "An API key issued under /staff/apikeys/, with POST /api/v1/apikeys or `hazardwatch apikey "
                   "create`. It acts as its user within its organization. Also accepted as the Open311 api_key.",
}


def add_key_security(schema: dict) -> dict:
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[SCHEME] = DEFINITION
    session = {name for name, s in schemes.items() if s.get("type") == "apiKey" and s.get("in") == "cookie"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if not security or not any(session & set(s) for s in security):
                continue
            bearer = {name for s in security for name in s if schemes.get(name, {}).get("scheme") == "bearer"}
            if not bearer:  # routers with their own bearer auth (webhooks) already say so
                security.append({SCHEME: []})
    return schema
