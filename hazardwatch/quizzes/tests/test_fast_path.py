"""The hand-built pieces of the answer hot path equal what the generic code they replace would produce:
the response bytes (JsonResponse), the EVALSHA command (redis-py's packing), the cookie signer (Django's)."""
import json

import pytest
from django.core import signing
from django.http import JsonResponse

from hazardwatch.quizzes import fast, services, store, takers
from hazardwatch.quizzes.models import Question
from hazardwatch.quizzes.tests.conftest import correct_choice, make_client


class _Req:
    def __init__(self, lang):
        self.LANGUAGE_CODE = lang


@pytest.mark.parametrize("lang", ["zh-hans", "en", ""])
def test_answer_body_is_byte_for_byte_the_json_response(bank, lang):
    q = Question.objects.order_by("pk").first()
    # quotes, backslashes, control and non-ASCII characters are escaped exactly as json.dumps does
    Question.objects.filter(pk=q.pk).update(explanation_zh='关闭"阀门"\\开窗\n通风', explanation_en="Close 'it' \u2014 now")
    services._qcache.pop(q.pk, None)
    for correct, points, answer in ((True, 10, ["A"]), (False, 0, ["A", "C"])):
        result = services.AnswerResult(q.pk, correct, points, answer)
        expected = JsonResponse(fast.answer_payload(_Req(lang), result)).content
        assert fast.answer_body(_Req(lang), result) == expected
        assert json.loads(expected)["explanation"] == ("Close 'it' \u2014 now" if lang == "en" else '关闭"阀门"\\开窗\n通风')


def test_answer_body_falls_back_to_chinese_without_english(bank):
    q = Question.objects.order_by("pk").first()
    Question.objects.filter(pk=q.pk).update(explanation_en="")
    services._qcache.pop(q.pk, None)
    result = services.AnswerResult(q.pk, True, 10, ["B"])
    assert fast.answer_body(_Req("en"), result) == JsonResponse(fast.answer_payload(_Req("en"), result)).content
    assert json.loads(fast.answer_body(_Req("en"), result))["explanation"] == q.explanation_zh


def test_answer_response_through_the_view(city, bank, mode):
    c = make_client()
    a = c.post("/api/v1/quizzes/daily").json()
    qid = a["questions"][0]["id"]
    r = c.post(f"/api/v1/quizzes/attempts/{a['token']}/answers", {"question": qid, "choice": correct_choice(qid)},
               content_type="application/json")
    assert r.status_code == 201 and r["Content-Type"] == "application/json"
    q = Question.objects.get(pk=qid)
    assert r.json() == {"question": qid, "correct": True, "points": 10, "answer": sorted(q.answer),
                        "explanation": q.explanation_en or q.explanation_zh}


def test_answer_command_is_what_redis_py_would_send(redis_on):
    store.client()
    url = store.settings.REDIS_URL
    args = dict(token="t0ken", taker_token="tk\u00e9", question_id=42, choice="AC", now_ms=1764430000123,
                grace_ms=3000)
    packed = b"".join(store.client().connection_pool.make_connection().pack_command(
        "EVALSHA", store._scripts[url].sha, 2, store.key("att", "t0ken"), store.key(store.STREAM), "tk\u00e9", 42,
        "AC", 1764430000123, 3000, store.prefix()))
    assert store.answer_command(url, **args) == packed


def test_hiredis_parses_the_replies(redis_on):
    """hiredis is a dependency for the answer path (docs/quizzes.md, "Benchmark"): redis-py must pick it up."""
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE
    conn = store.client().connection_pool.make_connection()
    assert type(conn._parser).__name__ == "_HiredisParser"


def test_cookie_signer_is_reused_and_follows_the_settings(settings):
    s1 = takers.signer()
    assert takers.signer() is s1
    value = s1.sign("abc")
    assert signing.get_cookie_signer(salt=signing._cookie_signer_salt(takers.COOKIE, takers.SALT)).unsign(
        value) == "abc"
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-for-the-test-0123456789"
    s2 = takers.signer()
    assert s2 is not s1
    with pytest.raises(signing.BadSignature):
        s2.unsign(value)
    settings.SECRET_KEY_FALLBACKS = [old_key]  # a rotated key still verifies old cookies
    assert takers.signer().unsign(value) == "abc"
