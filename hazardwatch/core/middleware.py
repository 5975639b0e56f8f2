"""Language choice: Simplified Chinese unless the person picked English with the switch.

Browsers' Accept-Language is ignored on purpose: the platform's default is Chinese for everyone (a
phone set to English in Zhengzhou still gets the official Chinese texts first); the header switch sets
the language cookie, which LocaleMiddleware honours.
"""


class IgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
