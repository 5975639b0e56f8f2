"""Who may reach each URL of the site, one row per URL pattern (pages) or API operation (method + path).

test_access_matrix.py walks the URL configuration and the API; a URL without a row here fails the test, and so
does a row whose URL is gone. How to add a row: docs/roles.md, "Access matrix test".

Keys: "METHOD /api/v1/path/{arg}" for API operations (the OpenAPI path), "/page/path/{arg}/" for pages (the Django
route with converters written as {name}). A key ending in "*" covers every URL under that prefix.

Values in `args`, `query` and `body` that start with "@" name an object of the side under test
(access_world.Side): "@case" is its primary key, "@region.code" an attribute, "@risk_point_body" a whole value;
"=note" is the literal "note"; "@@jpeg" a small JPEG upload and "@@month" the current month (YYYY-MM).
The matrix requests side B's object as each role of side A (denied: 403/404, nothing changed in the database)
and side A's object as the roles in `allowed` (the positive control: the fixture is right).
"""
from dataclasses import dataclass, field

# kinds
PUBLIC = "public"  # anyone, by design (public site, intake, published items, reference data)
RECEIPT = "receipt"  # an anonymous reporter or claimant proves it with a receipt code in the body
TOKEN = "token"  # a capability URL: the unguessable token in the path is the credential
SCOPED = "scoped"  # signed-in staff; no object in the URL; the answer is limited to the user's own scope
OBJECT = "object"  # the URL (or body) names an object that belongs to a jurisdiction or organization
ADMIN_ONLY = "admin_only"  # Django admin: is_staff and permissions, checked by Django itself
NOT_APPLICABLE = "not_applicable"  # no data of any jurisdiction (sign-in, language, static catalogues)

REG = frozenset({"regulator_staff", "regulator_leader"})
STAFF = frozenset({"regulator_staff"})
LEADER = frozenset({"regulator_leader"})
UNIT = frozenset({"safety_officer"})
REVIEWER = frozenset({"reward_reviewer"})
OFFICE = frozenset({"campaign_office"})
NOBODY = frozenset()


@dataclass(frozen=True)
class Rule:
    kind: str
    methods: tuple[str, ...] = ("GET",)
    args: dict = field(default_factory=dict)  # URL kwarg -> "@object" of the side
    query: dict = field(default_factory=dict)
    body: dict | None = None
    multipart: bool = False  # send the body as multipart/form-data (pages always send forms)
    allowed: frozenset = NOBODY  # roles of side A that succeed on side A's object (admin always does)
    ok: tuple[int, ...] = (200, 201, 202, 204, 302, 303)  # what success looks like for the positive control
    admin_ok: bool = True  # the positive control also runs as a superuser (False: the action is a unit's own)
    denied: tuple[int, ...] = ()  # extra answers that count as a refusal for this URL (say why in `reason`)
    probe: bool = False  # SCOPED: resolve `query` against side B (asking for another district's data)
    hides: tuple[str, ...] = ()  # SCOPED: side B's values (e.g. "@case.reference") absent from every answer
    reason: str = ""


def public(reason: str, methods=("GET",)) -> Rule:
    return Rule(PUBLIC, methods=methods, reason=reason)


def receipt(reason="the receipt code in the body is the credential", methods=("POST",)) -> Rule:
    return Rule(RECEIPT, methods=methods, reason=reason)


def token(reason: str, methods=("GET",)) -> Rule:
    return Rule(TOKEN, methods=methods, reason=reason)


def scoped(allowed=REG, methods=("GET",), hides=(), **kw) -> Rule:
    return Rule(SCOPED, methods=methods, allowed=frozenset(allowed), hides=tuple(hides), **kw)


def obj(args=None, allowed=REG, methods=("GET",), **kw) -> Rule:
    return Rule(OBJECT, methods=methods, args=args or {}, allowed=frozenset(allowed), **kw)


def na(reason: str, methods=("GET",)) -> Rule:
    return Rule(NOT_APPLICABLE, methods=methods, reason=reason)


CASE = {"case_id": "@case"}
CLOSED = {"case_id": "@closed_case"}
POINT = {"point_id": "@risk_point"}
PUB = {"publication_id": "@publication"}
ASSESSMENT = {"assessment_id": "@assessment"}
CLAIMED = {"assessment_id": "@claimed_assessment"}
VERIFIED = {"case_id": "@verified_case"}
DRILL = {"drill_id": "@drill"}
PLANNED = {"drill_id": "@planned_drill"}
CAMPAIGN = {"campaign_id": "@campaign"}
UNIT_OF_CAMPAIGN = {"campaign_id": "@campaign", "unit_id": "@enterprise"}
SUB = {"sub_id": "@subscription"}
DELIVERY = {"delivery_id": "@delivery"}
CASE_HIDES = ("@case.reference", "@closed_case.reference")
# what any denied mutation may answer when side B's object is named in the body rather than the URL
BODY_REF = "the organization or unit named in the body"

API = {
    # --- reports: anonymous intake and receipt-code follow-up -----------------------------------------------
    "POST /api/v1/reports": public("anonymous intake", methods=("POST",)),
    "POST /api/v1/devices/reports": na("device intake, authenticated by a device key; creates a new report only",
                                       methods=("POST",)),
    "POST /api/v1/reports/duplicates": public("nearby open cases for a reporter, public fields only",
                                              methods=("POST",)),
    "POST /api/v1/reports/feedback": receipt(),
    "POST /api/v1/reports/lookup": receipt(),
    "POST /api/v1/reports/dispute": receipt(),
    # --- cases ------------------------------------------------------------------------------------------------
    "GET /api/v1/cases": scoped(REG | UNIT, hides=CASE_HIDES),
    "GET /api/v1/cases/flagged-sources": scoped(REG),
    "GET /api/v1/cases/{case_id}": obj(CASE, REG | UNIT),
    "GET /api/v1/cases/{case_id}/events": obj(CASE, REG | UNIT),
    "POST /api/v1/cases/{case_id}/transitions": obj(CASE, REG | UNIT, methods=("POST",),
                                                    body={"action": "note", "note": "matrix"}),
    "POST /api/v1/cases/{case_id}/evidence": obj(CASE, UNIT, methods=("POST",), multipart=True, admin_ok=False,
                                                 body={"note": "matrix", "photos": "@@jpeg"}),
    "GET /api/v1/cases/{case_id}/reporters": obj(CASE, REG),
    "GET /api/v1/cases/{case_id}/duplicates": obj(CASE, REG),
    "GET /api/v1/cases/{case_id}/photos": obj(CASE, REG | UNIT),
    "GET /api/v1/cases/photos/report/{photo_id}": obj({"photo_id": "@report_photo"}, REG | UNIT),
    "GET /api/v1/cases/photos/evidence/{photo_id}": obj({"photo_id": "@evidence_photo"}, REG | UNIT),
    # --- criteria: the public catalogue -----------------------------------------------------------------------
    "GET /api/v1/criteria/standards": public("published standards"),
    "GET /api/v1/criteria/standards/{code}/{edition}": public("published standards"),
    "GET /api/v1/criteria/items": public("published standards"),
    # --- risk ---------------------------------------------------------------------------------------------------
    "GET /api/v1/risk/bands": scoped(REG | UNIT),
    "GET /api/v1/risk/points": scoped(REG | UNIT, hides=("@risk_point.name",)),
    "POST /api/v1/risk/points": obj({}, UNIT, methods=("POST",), body="@risk_point_body", reason=BODY_REF),
    "GET /api/v1/risk/points/export.xlsx": scoped(REG | UNIT),
    "GET /api/v1/risk/points/{point_id}": obj(POINT, REG | UNIT),
    "PATCH /api/v1/risk/points/{point_id}": obj(POINT, UNIT, methods=("PATCH",), body="@risk_point_body"),
    "DELETE /api/v1/risk/points/{point_id}": obj(POINT, UNIT, methods=("DELETE",)),
    "POST /api/v1/risk/points/{point_id}/cases": obj(POINT, UNIT | REG, methods=("POST",),
                                                     body={"case_id": "@closed_case"}),
    "DELETE /api/v1/risk/points/{point_id}/cases/{case_id}": obj({"point_id": "@risk_point", "case_id": "@case"},
                                                                 UNIT | REG, methods=("DELETE",)),
    "GET /api/v1/risk/zones": obj({}, REG | UNIT, query={"org": "@enterprise"}),
    "GET /api/v1/risk/enterprises": scoped(REG, query={"region": "@region.code"}, probe=True,
                                          hides=("@enterprise.name", "@risk_point.name")),
    "GET /api/v1/risk/major-hazards": scoped(REG | UNIT, query={"org": "@enterprise"}, probe=True,
                                             hides=CASE_HIDES),
    # --- map and statistics -------------------------------------------------------------------------------------
    "GET /api/v1/map/clusters": scoped(REG | UNIT, query={"scope": "staff", "bbox": "34.6,113.5,34.9,113.9",
                                                          "zoom": "18"}, hides=CASE_HIDES),
    "GET /api/v1/map/export.geojson": scoped(REG | UNIT, query={"scope": "staff"}, hides=CASE_HIDES),
    "GET /api/v1/stats/summary": scoped(REG | UNIT),
    "GET /api/v1/stats/report.pdf": scoped(REG, query={"month": "@@month"}),
    "GET /api/v1/stats/{chart}.xlsx": scoped(REG, args={"chart": "=status"}),
    "GET /api/v1/stats/{chart}.csv": scoped(REG, args={"chart": "=status"}),
    # --- exposure -------------------------------------------------------------------------------------------------
    "GET /api/v1/exposure/items": public("the published exposure column"),
    "GET /api/v1/exposure/items/{publication_id}": public("a published, redacted item"),
    "POST /api/v1/exposure/cases/{case_id}/proposals": obj(CLOSED, REG, methods=("POST",), ok=(201, 409)),
    "GET /api/v1/exposure/publications": scoped(REG, hides=("@publication.public_title",)),
    "GET /api/v1/exposure/publications/{publication_id}": obj(PUB, REG),
    "POST /api/v1/exposure/publications/{publication_id}/redaction": obj(
        PUB, REG, methods=("POST",), body={"title": "matrix", "text": "matrix"}, ok=(200, 400, 409)),
    "POST /api/v1/exposure/publications/{publication_id}/transitions": obj(
        PUB, LEADER, methods=("POST",), body={"action": "take_down", "reason": "matrix"}),
    "GET /api/v1/exposure/photos/{photo_id}": obj({"photo_id": "@exposure_photo"}, REG),
    # --- rewards ------------------------------------------------------------------------------------------------
    "GET /api/v1/rewards/assessments": scoped(REVIEWER | REG, hides=CASE_HIDES),
    "GET /api/v1/rewards/assessments/{assessment_id}": obj(ASSESSMENT, REVIEWER | REG),
    "POST /api/v1/rewards/cases/{case_id}/assessment": obj(VERIFIED, REG, methods=("POST",), body={}),
    "POST /api/v1/rewards/assessments/{assessment_id}/edit": obj(ASSESSMENT, REVIEWER | REG, methods=("POST",),
                                                                 body={"note": "matrix"}),
    "POST /api/v1/rewards/assessments/{assessment_id}/approve": obj(ASSESSMENT, REVIEWER, methods=("POST",),
                                                                    body={"note": "matrix"}, admin_ok=False),
    "POST /api/v1/rewards/assessments/{assessment_id}/reject": obj(ASSESSMENT, REVIEWER, methods=("POST",),
                                                                   body={"reason": "matrix"}, admin_ok=False),
    "POST /api/v1/rewards/assessments/{assessment_id}/claim": obj(CLAIMED, REVIEWER, methods=("POST",),
                                                                  body={"purpose": "payment"}, admin_ok=False),
    "POST /api/v1/rewards/assessments/{assessment_id}/pay": obj(CLAIMED, REVIEWER, methods=("POST",),
                                                                body={"payment_reference": "M1"}, admin_ok=False),
    "GET /api/v1/rewards/ledger": scoped(REVIEWER),
    "GET /api/v1/rewards/ledger/export": scoped(REVIEWER),
    "POST /api/v1/rewards/claims/lookup": receipt(),
    "POST /api/v1/rewards/claims": receipt(),
    # --- checklists -----------------------------------------------------------------------------------------------
    "GET /api/v1/checklists/templates": public("published checklist templates"),
    "GET /api/v1/checklists/templates/{code}": public("published checklist templates"),
    "POST /api/v1/checklists/runs": obj({}, UNIT, methods=("POST",), admin_ok=False,
                                        body={"template": "enterprise", "unit_id": "@enterprise"}, reason=BODY_REF),
    "GET /api/v1/checklists/runs/{token}": token("a self-check run: its token is the credential"),
    "POST /api/v1/checklists/runs/{token}/answers": token("a self-check run", methods=("POST",)),
    "POST /api/v1/checklists/runs/{token}/items/{item}/photo": token("a self-check run", methods=("POST",)),
    "POST /api/v1/checklists/runs/{token}/complete": token("a self-check run", methods=("POST",)),
    "POST /api/v1/checklists/runs/{token}/items/{item}/report": token("a self-check run", methods=("POST",)),
    "GET /api/v1/checklists/inspections": scoped(REG, hides=("@enterprise.name",)),
    "POST /api/v1/checklists/inspections": obj({}, REG, methods=("POST",), reason=BODY_REF, body={
        "unit_id": "@enterprise", "template": "enterprise", "interval": "once", "announced": True,
        "due_date": "2099-01-01"}),
    "GET /api/v1/checklists/unit-inspections": scoped(UNIT),
    "POST /api/v1/checklists/inspections/{inspection_id}/start": obj({"inspection_id": "@inspection"}, REG,
                                                                     methods=("POST",)),
    # --- quizzes (anyone takes them; attempts are bound to the taker's cookie) ------------------------------------
    "GET /api/v1/quizzes/profile": public("the taker's own profile (cookie)"),
    "POST /api/v1/quizzes/profile": public("the taker's own profile (cookie)", methods=("POST",)),
    "POST /api/v1/quizzes/daily": public("anyone may take the daily quiz", methods=("POST",)),
    "GET /api/v1/quizzes/contests": public("open contests"),
    "POST /api/v1/quizzes/contests/{contest_id}/attempts": public("anyone may enter", methods=("POST",)),
    "GET /api/v1/quizzes/attempts/{token}": token("the taker's own attempt"),
    "POST /api/v1/quizzes/attempts/{token}/answers": token("the taker's own attempt", methods=("POST",)),
    "GET /api/v1/quizzes/leaderboards/regions": public("public leaderboard"),
    "GET /api/v1/quizzes/leaderboards/units": public("public leaderboard"),
    "GET /api/v1/quizzes/contests/{contest_id}/leaderboard": public("public leaderboard"),
    "GET /api/v1/quizzes/bench/echo": na("benchmark echo, no data"),
    "GET /api/v1/quizzes/staff/contests": scoped(OFFICE),
    "POST /api/v1/quizzes/staff/contests": scoped(OFFICE, methods=("POST",), ok=(201, 400)),
    "GET /api/v1/quizzes/staff/results": scoped(OFFICE | REG | UNIT, hides=("@enterprise.name",)),
    "GET /api/v1/quizzes/staff/results.{fmt}": scoped(OFFICE | REG | UNIT, args={"fmt": "=csv"},
                                                      hides=("@enterprise.name",)),
    # --- campaigns ---------------------------------------------------------------------------------------------
    "GET /api/v1/campaigns/": scoped(OFFICE | UNIT, hides=("@campaign.title",)),
    "POST /api/v1/campaigns/": scoped(OFFICE, methods=("POST",), ok=(201, 400)),
    "GET /api/v1/campaigns/{campaign_id}": obj(CAMPAIGN, OFFICE | UNIT),
    "PATCH /api/v1/campaigns/{campaign_id}": obj(CAMPAIGN, OFFICE, methods=("PATCH",), body={"theme": "matrix"}),
    "GET /api/v1/campaigns/{campaign_id}/units/{unit_id}": obj(UNIT_OF_CAMPAIGN, OFFICE | UNIT),
    "PUT /api/v1/campaigns/{campaign_id}/units/{unit_id}/liaison": obj(
        UNIT_OF_CAMPAIGN, UNIT, methods=("PUT",), admin_ok=False,
        body={"name": "张三", "position": "安全员", "phone": "13800138000"}),
    "POST /api/v1/campaigns/{campaign_id}/units/{unit_id}/activities": obj(
        UNIT_OF_CAMPAIGN, UNIT, methods=("POST",), body={"kind": "training", "title": "matrix"}, ok=(201, 400),
        admin_ok=False),
    "POST /api/v1/campaigns/{campaign_id}/units/{unit_id}/summary": obj(
        UNIT_OF_CAMPAIGN, UNIT, methods=("POST",), body={"text": "matrix"}, ok=(201, 400), admin_ok=False),
    "GET /api/v1/campaigns/{campaign_id}/overview": obj(CAMPAIGN, OFFICE),
    "POST /api/v1/campaigns/{campaign_id}/reminders": obj(CAMPAIGN, OFFICE, methods=("POST",)),
    "GET /api/v1/campaigns/{campaign_id}/rollup": obj(CAMPAIGN, OFFICE),
    "GET /api/v1/campaigns/{campaign_id}/rollup.xlsx": obj(CAMPAIGN, OFFICE),
    "GET /api/v1/campaigns/{campaign_id}/rollup.pdf": obj(CAMPAIGN, OFFICE),
    # --- drills ----------------------------------------------------------------------------------------------------
    "GET /api/v1/drills/": scoped(UNIT | REG, hides=("@drill.title",)),
    "POST /api/v1/drills/": obj({}, UNIT, methods=("POST",), body="@drill_body", reason=BODY_REF),
    "GET /api/v1/drills/export.xlsx": scoped(UNIT | REG),
    "GET /api/v1/drills/{drill_id}": obj(DRILL, UNIT | REG),
    "PATCH /api/v1/drills/{drill_id}": obj(PLANNED, UNIT, methods=("PATCH",), body={"place": "matrix"}),
    "POST /api/v1/drills/{drill_id}/start": obj(PLANNED, UNIT, methods=("POST",)),
    "POST /api/v1/drills/{drill_id}/record": obj(DRILL, UNIT, methods=("POST",), body={}, ok=(200, 400)),
    "POST /api/v1/drills/{drill_id}/cancel": obj(PLANNED, UNIT, methods=("POST",), body={"reason": "matrix"}),
    "POST /api/v1/drills/{drill_id}/observations": obj(DRILL, UNIT, methods=("POST",), body={"text": "matrix"}),
    "POST /api/v1/drills/{drill_id}/issues": obj(DRILL, UNIT, methods=("POST",), body={}, ok=(201, 400)),
    "GET /api/v1/drills/photos/{photo_id}": obj({"photo_id": "@drill_photo"}, UNIT | REG),
    # --- API keys ---------------------------------------------------------------------------------------------------
    "GET /api/v1/apikeys": scoped(REG, hides=("@apikey.name",)),
    "POST /api/v1/apikeys": obj({}, STAFF, methods=("POST",), body={"name": "matrix", "organization_id": "@regulator"},
                                reason=BODY_REF),
    "GET /api/v1/apikeys/{key_id}": obj({"key_id": "@apikey"}, STAFF),
    "POST /api/v1/apikeys/{key_id}/revoke": obj({"key_id": "@apikey"}, STAFF, methods=("POST",)),
    # --- webhooks ---------------------------------------------------------------------------------------------------
    "GET /api/v1/webhooks/subscriptions": scoped(REG, hides=("@subscription.name",)),
    "POST /api/v1/webhooks/subscriptions": obj({}, REG, methods=("POST",), reason=BODY_REF, body={
        "name": "matrix", "target_url": "http://127.0.0.1:9/hw", "event_types": ["opened"],
        "organization_id": "@regulator"}),
    "GET /api/v1/webhooks/subscriptions/{sub_id}": obj(SUB, REG),
    "PATCH /api/v1/webhooks/subscriptions/{sub_id}": obj(SUB, REG, methods=("PATCH",), body={"name": "matrix"}),
    "DELETE /api/v1/webhooks/subscriptions/{sub_id}": obj(SUB, REG, methods=("DELETE",)),
    "POST /api/v1/webhooks/subscriptions/{sub_id}/rotate-secret": obj(SUB, REG, methods=("POST",)),
    "GET /api/v1/webhooks/subscriptions/{sub_id}/deliveries": obj(SUB, REG),
    "GET /api/v1/webhooks/deliveries/{delivery_id}": obj(DELIVERY, REG),
    "POST /api/v1/webhooks/deliveries/{delivery_id}/replay": obj(DELIVERY, REG, methods=("POST",)),
}

PAGES = {
    # --- framework and API documents ----------------------------------------------------------------------------
    "/api/v1/openapi.json": public("the API schema"),
    "/api/v1/docs": public("the API documentation"),
    "/api/v1/": public("the API root"),
    "/api/v1/quizzes/attempts/{token}/answers": token("fast quiz path: the taker's own attempt", methods=("POST",)),
    "/api/v1/quizzes/bench/echo": na("benchmark echo, no data"),
    "/healthz": public("liveness probe, no data"),
    "/readyz": public("readiness probe, no data"),
    "/i18n/setlang/": na("language switch", methods=("POST",)),
    "/jsi18n/": na("translation catalogue"),
    "/admin/*": Rule(ADMIN_ONLY, reason="Django admin: is_staff plus model permissions (checked by Django)"),
    "/open311/v2/{path}": public("Open311 GeoReport v2: public service requests, no reporter data"),
    # --- public site ------------------------------------------------------------------------------------------
    "/": public("home page"),
    "/report/": public("report form", methods=("GET", "POST")),
    "/report/done/": public("receipt page (session)"),
    "/report/duplicates/": public("nearby open cases, public fields"),
    "/status/": receipt(methods=("GET", "POST")),
    "/status/dispute/": receipt(),
    "/status/feedback/": receipt(),
    "/criteria/": public("published standards"),
    "/criteria/{code}/{edition}/": public("published standards"),
    "/map/": public("public map"),
    "/map/staff/": scoped(REG | UNIT),  # a shell: data comes from GET /api/v1/map/clusters
    "/dashboard/": scoped(REG),
    "/dashboard/report.pdf": scoped(REG, query={"month": "@@month"}),
    "/exposure/": public("published exposure column"),
    "/exposure/feed.atom": public("published exposure column"),
    "/exposure/{publication_id}/": public("a published, redacted item"),
    "/exposure/photos/{photo_id}.jpg": public("a published, redacted photo"),
    "/rewards/claim/": receipt(methods=("GET", "POST")),
    "/checklists/": public("self-check: choose a checklist"),
    "/checklists/start/": public("self-check: start a run", methods=("POST",)),
    "/checklists/run/{token}/": token("a self-check run"),
    "/checklists/run/{token}/items/{item}/report/": token("a self-check run", methods=("POST",)),
    "/quiz/": public("quiz home"),
    "/quiz/profile/": public("the taker's own profile (cookie)", methods=("POST",)),
    "/quiz/start/": public("anyone may take the daily quiz", methods=("POST",)),
    "/quiz/contests/{contest_id}/start/": public("anyone may enter", methods=("POST",)),
    "/quiz/a/{token}/": token("the taker's own attempt"),
    "/quiz/a/{token}/answer/": token("the taker's own attempt", methods=("POST",)),
    "/quiz/leaderboard/": public("public leaderboard"),
    # --- workbench ---------------------------------------------------------------------------------------------
    "/staff/login/": na("sign-in", methods=("GET", "POST")),
    "/staff/login/code/": na("second sign-in step (the half-signed-in session's own user)", methods=("GET", "POST")),
    "/staff/security/two-factor/": na("the signed-in user's own two-factor settings", methods=("GET", "POST")),
    "/staff/logout/": na("sign-out", methods=("POST",)),
    "/staff/": scoped(REG | UNIT, hides=CASE_HIDES),
    "/staff/cases/{case_id}/": obj(CASE, REG | UNIT),
    "/staff/reporters/flagged/": scoped(REG),
    "/staff/cases/{case_id}/actions/{action}/": obj({**CASE, "action": "=note"}, REG | UNIT, methods=("POST",),
                                                    body={"note": "matrix"}),
    "/staff/cases/{case_id}/evidence/": obj(CASE, UNIT, methods=("POST",), body={"note": "matrix"}, ok=(200, 302, 400)),
    "/staff/cases/{case_id}/reporters/": obj(CASE, REG, methods=("POST",), body={}),
    "/staff/photos/report/{photo_id}/": obj({"photo_id": "@report_photo"}, REG | UNIT),
    "/staff/photos/evidence/{photo_id}/": obj({"photo_id": "@evidence_photo"}, REG | UNIT),
    # --- risk pages ----------------------------------------------------------------------------------------------
    "/staff/risk/": scoped(REG | UNIT, ok=(200, 302)),
    "/staff/risk/map/": scoped(REG | UNIT),  # a shell: data comes from the API rows above
    "/staff/risk/org/{org_id}/": obj({"org_id": "@enterprise"}, REG | UNIT),
    "/staff/risk/org/{org_id}/export.xlsx": obj({"org_id": "@enterprise"}, REG | UNIT),
    "/staff/risk/org/{org_id}/new/": obj({"org_id": "@enterprise"}, UNIT),
    "/staff/risk/region/{code}/": obj({"code": "@region.code"}, REG),
    "/staff/risk/region/{code}/export.xlsx": obj({"code": "@region.code"}, REG),
    "/staff/risk/points/{point_id}/": obj(POINT, REG | UNIT),
    "/staff/risk/points/{point_id}/cases/": obj(POINT, REG | UNIT, methods=("POST",),
                                               body={"reference": "@closed_case.reference"}),
    "/staff/risk/points/{point_id}/cases/{case_id}/unlink/": obj({"point_id": "@risk_point", "case_id": "@case"},
                                                                 REG | UNIT, methods=("POST",)),
    # --- exposure staff pages -------------------------------------------------------------------------------------
    "/staff/exposure/": scoped(REG, hides=("@publication.public_title",)),
    "/staff/exposure/propose/{case_id}/": obj(CLOSED, REG, methods=("POST",), ok=(200, 302, 303, 409)),
    "/staff/exposure/{publication_id}/": obj(PUB, REG),
    "/staff/exposure/{publication_id}/redaction/": obj(PUB, REG, methods=("POST",), body={"title": "matrix"},
                                                       ok=(200, 302, 400, 409)),
    "/staff/exposure/{publication_id}/actions/{action}/": obj({**PUB, "action": "=take_down"}, LEADER,
                                                              methods=("POST",), body={"reason": "matrix"}),
    "/staff/exposure/photos/{photo_id}/": obj({"photo_id": "@exposure_photo"}, REG),
    # --- reward staff pages -----------------------------------------------------------------------------------------
    "/staff/rewards/": scoped(REVIEWER | REG, hides=CASE_HIDES),
    "/staff/rewards/ledger/": scoped(REVIEWER),
    "/staff/rewards/cases/{case_id}/propose/": obj(
        VERIFIED, REG, methods=("POST",), body={}, denied=(303,),
        reason="a refused proposal redirects (303) to the queue with the service's 'not found' message"),
    "/staff/rewards/{assessment_id}/": obj(ASSESSMENT, REVIEWER | REG),
    "/staff/rewards/{assessment_id}/claim/": obj(CLAIMED, REVIEWER, methods=("POST",),
                                                 body={"purpose": "payment"}, admin_ok=False),
    "/staff/rewards/{assessment_id}/{action}/": obj({**ASSESSMENT, "action": "=approve"}, REVIEWER,
                                                    methods=("POST",), body={"note": "matrix"}, admin_ok=False),
    # --- checklists staff pages -------------------------------------------------------------------------------------
    "/staff/checklists/": scoped(REG, hides=("@enterprise.name",)),
    "/staff/checklists/inspections/{pk}/start/": obj({"pk": "@inspection"}, REG, methods=("POST",)),
    # --- quizzes staff pages ----------------------------------------------------------------------------------------
    "/staff/quizzes/": scoped(OFFICE | REG | UNIT, hides=("@enterprise.name",)),
    "/staff/quizzes/results.{fmt}": scoped(OFFICE | REG | UNIT, args={"fmt": "=csv"}, hides=("@enterprise.name",)),
    # --- campaigns --------------------------------------------------------------------------------------------------
    "/campaigns/": scoped(UNIT, ok=(200, 302), hides=("@campaign.title",)),
    "/campaigns/{campaign_id}/unit/{unit_id}/": obj(UNIT_OF_CAMPAIGN, UNIT | OFFICE),
    "/campaigns/{campaign_id}/unit/{unit_id}/liaison/": obj(
        UNIT_OF_CAMPAIGN, UNIT, methods=("POST",), admin_ok=False,
        body={"name": "张三", "position": "安全员", "phone": "13800138000"}),
    "/campaigns/{campaign_id}/unit/{unit_id}/activities/": obj(UNIT_OF_CAMPAIGN, UNIT, methods=("POST",),
                                                               body={"title": "matrix"}, ok=(200, 302, 400),
                                                               admin_ok=False),
    "/campaigns/{campaign_id}/unit/{unit_id}/summary/": obj(UNIT_OF_CAMPAIGN, UNIT, methods=("POST",),
                                                            body={"text": "matrix"}, ok=(200, 302, 400),
                                                            admin_ok=False),
    "/staff/campaigns/": scoped(OFFICE, hides=("@campaign.title",)),
    "/staff/campaigns/new/": scoped(OFFICE),
    "/staff/campaigns/{campaign_id}/": obj(CAMPAIGN, OFFICE),
    "/staff/campaigns/{campaign_id}/edit/": obj(CAMPAIGN, OFFICE),
    "/staff/campaigns/{campaign_id}/remind/": obj(CAMPAIGN, OFFICE, methods=("POST",)),
    "/staff/campaigns/{campaign_id}/rollup.xlsx": obj(CAMPAIGN, OFFICE),
    "/staff/campaigns/{campaign_id}/rollup.pdf": obj(CAMPAIGN, OFFICE),
    # --- drills -----------------------------------------------------------------------------------------------------
    "/staff/drills/": scoped(UNIT | REG, hides=("@drill.title",)),
    "/staff/drills/export.xlsx": scoped(UNIT | REG),
    "/staff/drills/new/": scoped(UNIT),
    "/staff/drills/{drill_id}/": obj(DRILL, UNIT | REG),
    "/staff/drills/{drill_id}/edit/": obj(PLANNED, UNIT),
    "/staff/drills/{drill_id}/start/": obj(PLANNED, UNIT, methods=("POST",)),
    "/staff/drills/{drill_id}/cancel/": obj(PLANNED, UNIT, methods=("POST",), body={"reason": "matrix"}),
    "/staff/drills/{drill_id}/record/": obj(DRILL, UNIT, methods=("POST",), body={}, ok=(200, 302, 400)),
    "/staff/drills/{drill_id}/observe/": obj(DRILL, UNIT, methods=("POST",), body={"text": "matrix"}),
    "/staff/drills/{drill_id}/issues/": obj(DRILL, UNIT, methods=("POST",), body={}, ok=(200, 302, 400)),
    "/staff/drills/photos/{photo_id}/": obj({"photo_id": "@drill_photo"}, UNIT | REG),
    # --- API keys and webhooks --------------------------------------------------------------------------------------
    "/staff/apikeys/": scoped(REG, hides=("@apikey.name",)),
    "/staff/apikeys/new/": scoped(REG | UNIT),
    "/staff/apikeys/{pk}/revoke/": obj({"pk": "@apikey"}, STAFF, methods=("POST",)),
    "/staff/webhooks/": scoped(REG, hides=("@subscription.name",)),
    "/staff/webhooks/new/": scoped(REG),
    "/staff/webhooks/{pk}/": obj({"pk": "@subscription"}, REG),
    "/staff/webhooks/{pk}/delete/": obj({"pk": "@subscription"}, REG, methods=("POST",)),
    "/staff/webhooks/{pk}/rotate-secret/": obj({"pk": "@subscription"}, REG, methods=("POST",)),
    "/staff/webhooks/deliveries/{delivery_id}/replay/": obj(DELIVERY, REG, methods=("POST",)),
}

RULES: dict[str, Rule] = {**API, **PAGES}
