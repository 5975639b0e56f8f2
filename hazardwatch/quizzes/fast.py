"""The hot path as plain Django views, routed ahead of the Ninja API (config/urls.py): answering a question,
and the bench's bare JSON endpoint. Same URLs, input and output as the documented API operations
(api.py `answer_create`, `bench_echo`), without the schema machinery, which costs as much as the Redis call
itself (docs/quizzes.md, "Write path")."""
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _g
from django.views.decorators.csrf import csrf_exempt

from hazardwatch.core.errors import ApplicationError
from hazardwatch.quizzes import services, takers


def answer_payload(request, result) -> dict:
    q = services.question_cache(result.question_id)
    lang_en = (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en")
    explanation = q["explanation_en"] if lang_en and q["explanation_en"] else q["explanation_zh"]
    return {"question": result.question_id, "correct": result.correct, "points": result.points,
            "answer": result.answer, "explanation": explanation}


_TRUE_FALSE = {True: b"true", False: b"false"}


def answer_body(request, result) -> bytes:
    """answer_payload as JSON bytes, byte for byte what JsonResponse(answer_payload(...)) sends (same key order
    and separators; the explanation is encoded once per question and language by services.question_cache)."""
    q = services.question_cache(result.question_id)
    lang = "en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "zh"
    return b'{"question": %d, "correct": %s, "points": %d, "answer": %s, "explanation": %s}' % (
        result.question_id, _TRUE_FALSE[result.correct], result.points, json.dumps(result.answer).encode(),
        q["explanation_json"][lang])


def _invalid(fields: dict) -> JsonResponse:
    return JsonResponse({"message": _g("The request has invalid fields."), "extra": {"fields": fields}}, status=400)


@csrf_exempt
def answer(request, token: str):
    if request.method != "POST":
        return JsonResponse({"message": _g("Method not allowed."), "extra": {}}, status=405)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return _invalid({"body": ["not JSON"]})
    if not isinstance(data, dict):
        return _invalid({"body": ["not an object"]})
    question, choice = data.get("question"), data.get("choice")
    fields = {}
    if not isinstance(question, int) or isinstance(question, bool):
        fields["question"] = ["an integer is required"]
    if not isinstance(choice, list) or len(choice) > 8 or not all(isinstance(c, str) for c in choice):
        fields["choice"] = ["a list of option keys is required"]
    if fields:
        return _invalid(fields)
    try:
        result = services.answer_submit(token=token[:64], taker_token=takers.cookie_token(request),
                                        question_id=question, choice=choice)
    except ApplicationError as exc:
        return JsonResponse({"message": str(exc.message), "extra": exc.extra}, status=exc.status_code)
    return HttpResponse(answer_body(request, result), content_type="application/json", status=201)


def echo(request):
    if not settings.HAZARDWATCH_QUIZ_BENCH:
        raise Http404
    return JsonResponse({"ok": True})
