"""The Redis side of the quiz write path: attempt state, the answer stream (write-ahead queue) and the
leaderboard sorted sets. Used only when settings.REDIS_URL is set; every key starts with
settings.HAZARDWATCH_QUIZ_REDIS_PREFIX so tests and benches can share a Redis server.

Keys (prefix omitted):
  att:<token>                       hash: "s" = attempt state JSON, "a:<question id>" = the answer (set once)
  answers                           stream: one entry per acknowledged answer, consumer group "persist"
  lb:<scope>:region:<parent code>   sorted set: child division code -> points in its subtree ("_" = top)
  lb:<scope>:unit                   sorted set: organization id -> points
  lb:<scope>:taker                  sorted set: taker id -> points
where scope is "daily" or "c<contest id>".
"""
import threading

from django.conf import settings
from django.utils.translation import gettext_lazy as _

STREAM = "answers"
GROUP = "persist"

# The whole answer in one round trip: check the taker, the time limit, that the question is in the attempt and
# the choice is one of its options, refuse a second answer, score it, append it to the stream, and add the
# points to every leaderboard of the attempt. KEYS = attempt hash, stream; ARGV = taker token, question id,
# choice (sorted option letters), now (ms), grace (ms), key prefix. Returns {code, correct answer, points}:
# code 1 correct, 0 wrong, -1 no state, -2 not this taker, -3 time up, -4 not in attempt, -5 answered
# already, -6 not an option, -7 one option expected.
_ANSWER_LUA = """
local s = redis.call('HMGET', KEYS[1], 'id', 'tk', 'dl', 'ppc', 'lb', 'q:' .. ARGV[2])
if not s[1] then return {-1} end
if s[2] ~= ARGV[1] then return {-2} end
if tonumber(ARGV[4]) > tonumber(s[3]) + tonumber(ARGV[5]) then return {-3} end
if not s[6] then return {-4} end
local kind, ans, valid = string.match(s[6], '^([^|]*)|([^|]*)|([^|]*)$')
local choice = ARGV[3]
if choice == '' then return {-6, ans} end
for i = 1, #choice do
  if not string.find(valid, string.sub(choice, i, i), 1, true) then return {-6, ans} end
end
if kind ~= 'multiple' and #choice ~= 1 then return {-7, ans} end
if redis.call('HSETNX', KEYS[1], 'a:' .. ARGV[2], choice) == 0 then return {-5, ans} end
local ok = 0
if choice == ans then ok = 1 end
local pts = ok * tonumber(s[4])
redis.call('XADD', KEYS[2], '*', 'a', s[1], 'q', ARGV[2], 'c', choice, 'ok', ok, 'p', pts, 't', ARGV[4])
if pts > 0 and s[5] then
  for k, m in string.gmatch(s[5], '([^ \\n]+) ([^\\n]+)') do redis.call('ZINCRBY', ARGV[6] .. k, pts, m) end
end
return {ok, ans, pts}
"""

UNAVAILABLE = _("Answers cannot be recorded right now. Please try again in a moment.")

_lock = threading.Lock()
_clients: dict[str, object] = {}
_scripts: dict[str, object] = {}


def enabled() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def prefix() -> str:
    return getattr(settings, "HAZARDWATCH_QUIZ_REDIS_PREFIX", "hw:quiz:")


def client():
    import redis

    url = settings.REDIS_URL
    c = _clients.get(url)
    if c is None:
        with _lock:
            c = _clients.get(url)
            if c is None:
                c = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
                # The script first: other threads read _clients without the lock and then use _scripts.
                _scripts[url] = c.register_script(_ANSWER_LUA)
                _clients[url] = c
    return c


def key(*parts) -> str:
    return prefix() + ":".join(str(p) for p in parts)


def board_keys(scope: str, region_path: str, unit_id: int | None, taker_id: int) -> list[tuple[str, str]]:
    """(key suffix, member) for every board an answer counts on: each step of the region path, the unit,
    the taker."""
    codes = [c for c in region_path.strip("/").split("/") if c]
    out = []
    parent = "_"
    for code in codes:
        out.append((f"lb:{scope}:region:{parent}", code))
        parent = code
    if unit_id:
        out.append((f"lb:{scope}:unit", str(unit_id)))
    out.append((f"lb:{scope}:taker", str(taker_id)))
    return out


def state_fields(*, attempt_id: int, taker_token: str, deadline_ts: float, points: int,
                 boards: list[tuple[str, str]], questions: dict[int, tuple[str, list[str], list[str]]]) -> dict:
    """The hash fields of an attempt: questions map id -> (kind, correct keys, option keys); keys are single
    letters (the importer guarantees it), so they are stored as strings of letters."""
    fields = {"id": attempt_id, "tk": taker_token, "dl": int(deadline_ts * 1000), "ppc": points,
              "lb": "\n".join(f"{k} {m}" for k, m in boards)}
    for qid, (kind, answer, keys) in questions.items():
        fields[f"q:{qid}"] = f"{kind}|{''.join(sorted(answer))}|{''.join(keys)}"
    return fields


def state_put(token: str, fields: dict, ttl_seconds: int, answered: dict[str, str] | None = None,
              pipe=None) -> None:
    c = client()
    k = key("att", token)
    p = pipe if pipe is not None else c.pipeline(transaction=False)
    p.hset(k, mapping=fields)
    for field, value in (answered or {}).items():
        p.hsetnx(k, field, value)
    p.expire(k, ttl_seconds)
    if pipe is None:
        p.execute()


def answered_get(token: str) -> dict[int, str] | None:
    """Question id -> chosen letters, or None when the attempt has no state in Redis."""
    raw = client().hgetall(key("att", token))
    if not raw:
        return None
    return {int(k[2:]): v for k, v in raw.items() if k.startswith("a:")}


_local = threading.local()


def _bulk(value) -> bytes:
    b = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)


_packing: dict[tuple[str, str], tuple[bytes, bytes, bytes]] = {}


def _answer_packing(url: str, pfx: str) -> tuple[bytes, bytes, bytes]:
    """The parts of the EVALSHA command that only depend on the script, the server and the key prefix, encoded
    once: the head up to the attempt key, the stream key, and the last argument (the prefix)."""
    parts = _packing.get((url, pfx))
    if parts is None:
        head = b"*11\r\n" + _bulk("EVALSHA") + _bulk(_scripts[url].sha) + _bulk(2)
        parts = _packing[(url, pfx)] = (head, _bulk(pfx + STREAM), _bulk(pfx))
    return parts


def answer_command(url: str, *, token: str, taker_token: str, question_id: int, choice: str, now_ms: int,
                   grace_ms: int) -> bytes:
    """The EVALSHA of the answer script as RESP bytes (what redis-py's pack_command would produce)."""
    pfx = prefix()
    head, stream, last = _answer_packing(url, pfx)
    att, tk, qid, ch = ((pfx + "att:" + token).encode(), taker_token.encode(), b"%d" % question_id, choice.encode())
    now, grace = b"%d" % now_ms, b"%d" % grace_ms
    return b"%s$%d\r\n%s\r\n%s$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n%s" % (
        head, len(att), att, stream, len(tk), tk, len(qid), qid, len(ch), ch, len(now), now, len(grace), grace, last)


def answer_record(*, token: str, taker_token: str, question_id: int, choice: str, now_ms: int,
                  grace_ms: int) -> list:
    """EVALSHA on this thread's own connection with the command encoded here (the constant parts once per
    process): the hot path, where redis-py's generic packing and pool checks cost as much as the round trip.
    The script is loaded when Redis does not know it yet. A broken connection is replaced and the call tried
    once more (if the first call had been executed, the retry answers "already answered"); when Redis stays
    unreachable the caller gets a 503."""
    import redis

    from hazardwatch.core.errors import ApplicationError

    c = client()
    url = settings.REDIS_URL
    packed = [answer_command(url, token=token, taker_token=taker_token, question_id=question_id, choice=choice,
                             now_ms=now_ms, grace_ms=grace_ms)]
    conns = _local.__dict__.setdefault("conns", {})
    for attempt in range(2):
        conn = conns.get(url)
        if conn is None:
            conn = conns[url] = c.connection_pool.make_connection()
        try:
            conn.send_packed_command(packed)
            try:
                return conn.read_response()
            except redis.exceptions.NoScriptError:
                conn.send_command("SCRIPT", "LOAD", _ANSWER_LUA)
                conn.read_response()
                conn.send_packed_command(packed)
                return conn.read_response()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            conn.disconnect()
            conns.pop(url, None)
            if attempt:
                raise ApplicationError(UNAVAILABLE, status_code=503) from None
    raise AssertionError("unreachable")


def board_read(board: str, limit: int) -> list[tuple[str, int]]:
    # A margin past the limit so that ties at the cut are ordered the same way as the database's ranking.
    rows = client().zrevrange(prefix() + board, 0, limit + 100 if limit else -1, withscores=True)
    return [(m, int(s)) for m, s in rows if s > 0]


def ensure_group() -> None:
    import redis

    try:
        client().xgroup_create(key(STREAM), GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:  # BUSYGROUP: exists already
        if "BUSYGROUP" not in str(exc):
            raise


def clear_all() -> int:
    """Delete every key under the prefix (tests and benches)."""
    c = client()
    n = 0
    for k in c.scan_iter(match=prefix() + "*", count=1000):
        n += c.delete(k)
    return n
