"""`Authorization: Bearer hwk_…` on /api/ and /open311/: the request acts as the key (its user, within its
organization), without CSRF (no ambient credentials). A presented but unknown or revoked key → 401."""
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.utils.translation import gettext as _g

PATHS = ("/api/", "/open311/")


class ApiKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_key = None
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer " and request.path.startswith(PATHS):
            from hazardwatch.apikeys.services import apikey_authenticate, key_jurisdiction

            key = apikey_authenticate(header[7:].strip())
            if key is None:
                return JsonResponse({"message": _g("The API key is unknown or revoked."), "extra": {}}, status=401)
            request.api_key = key
            if key.user is not None:
                key.user._hw_jurisdiction = key_jurisdiction(key)
                request.user = key.user
            else:
                request.user = AnonymousUser()
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)
