"""Case events reach a real HTTP receiver, signed, scoped to the jurisdiction, retried with backoff, replayable."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from hazardwatch.cases.models import Case
from hazardwatch.cases.tests.test_journeys import act, evidence, post_json, submit
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.webhooks import services
from hazardwatch.webhooks.models import Delivery, DeliveryStatus
from hazardwatch.webhooks.tests.conftest import verify

ALL = ["opened", "graded", "assigned", "overdue", "closed"]


def subscribe(user, url, events=ALL, org=None, name="12345 hotline"):
    manager = services.manager_for(user)
    return services.subscription_create(manager=manager, name=name, target_url=url, event_types=events,
                                        organization_id=org.pk if org else None)


def full_lifecycle(client, city, make_jpeg, on_commit):
    """Report → accept → grade → assign → start → overdue → evidence → approve, all through the API."""
    with on_commit(execute=True):
        code, case = submit(client)
    with on_commit(execute=True):
        act(client, city.inspector_li, case, "accept")
        act(client, city.inspector_li, case, "grade", grade="general")
        act(client, city.inspector_li, case, "assign", responsible_unit_id=city.enterprise.pk)
        act(client, city.officer_liu, case, "start")
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    from hazardwatch.cases.tasks import cases_check_overdue

    with on_commit(execute=True):
        assert cases_check_overdue.call() == 1
    with on_commit(execute=True):
        evidence(client, city.officer_liu, case, make_jpeg)
        act(client, city.inspector_li, case, "approve")
    return case


@pytest.mark.django_db
def test_case_lifecycle_delivers_signed_events_to_a_real_receiver(client, city, make_jpeg, on_commit, receiver):
    sub = subscribe(city.inspector_li, receiver.url)
    assert sub.organization == city.jinshui_fire and sub.secret.startswith("whsec_")
    case = full_lifecycle(client, city, make_jpeg, on_commit)

    assert receiver.events() == ["opened", "graded", "assigned", "overdue", "closed"]
    statuses = [p["case"]["status"] for p in receiver.payloads()]
    assert statuses == ["new", "triaged", "assigned", "rectifying", "closed"]
    graded, assigned, overdue = receiver.payloads()[1:4]
    assert graded["case"]["grade"] == "general" and graded["action"] == "grade"
    assert assigned["case"]["deadline"] and assigned["case"]["responsible_unit_id"] == city.enterprise.pk
    assert overdue["case"]["is_overdue"] is True and overdue["case"]["escalation_level"] == 1
    deliveries = {str(d.pk): d for d in Delivery.objects.filter(subscription=sub)}
    assert len(deliveries) == 5
    for request in receiver.requests:
        h = request["headers"]
        assert request["path"] == "/hooks/hazardwatch?src=test"
        assert h["content-type"].startswith("application/json")
        assert verify(sub.secret, h, request["body"])
        assert not verify("whsec_wrong", h, request["body"])
        assert not verify(sub.secret, h, request["body"] + b" ")  # a changed body fails
        payload = json.loads(request["body"])
        delivery = deliveries[h["x-hazardwatch-delivery"]]
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
        assert delivery.last_status_code == 200 and delivery.next_attempt_at is None
        assert h["x-hazardwatch-event"] == payload["type"] == delivery.event_type
        assert h["x-hazardwatch-event-id"] == payload["id"] == str(delivery.event_id)
        assert h["x-hazardwatch-attempt"] == "1"
        assert abs(int(h["x-hazardwatch-timestamp"]) - timezone.now().timestamp()) < 60
        assert payload["case"]["reference"] == case.reference and payload["case"]["id"] == case.pk
        assert payload["case"]["sector"] == "fire" and payload["case"]["region_code"]
        assert dt.datetime.fromisoformat(payload["occurred_at"]) and payload["occurred_at"].endswith("+00:00")
    assert audit_verify().ok


@pytest.mark.django_db
def test_payload_has_no_personal_data(client, city, on_commit, receiver):
    subscribe(city.inspector_li, receiver.url)
    with on_commit(execute=True):
        code, case = submit(client, description="我叫王小明，住3号楼。地下车库消防通道被杂物堵塞",
                            contact={"phone": "13912345678", "email": "wang.xm@example.com", "name": "王小明"})
        act(client, city.inspector_li, case, "accept", note="联系了王小明")
        act(client, city.inspector_li, case, "grade", grade="general", note="王小明说很严重")
    assert receiver.events() == ["opened", "graded"]
    for request in receiver.requests:
        text = request["body"].decode()
        for secret in ("13912345678", "wang.xm", "王小明", "3号楼", "inspector_li", code, "reporter", "contact",
                       "description", "title", "note"):
            assert secret not in text, secret


@pytest.mark.django_db
def test_subscriptions_get_only_cases_of_their_jurisdiction(client, city, make_jpeg, on_commit, receiver):
    from hazardwatch.webhooks.tests.conftest import Receiver

    others = {name: Receiver() for name in ("erqi", "jinshui_em", "city_fire", "admin", "inactive", "closed_only")}
    try:
        subscribe(city.erqi_wang, others["erqi"].url)  # another district
        subscribe(city.em_li, others["jinshui_em"].url)  # same district, other sectors
        subscribe(city.city_sun, others["city_fire"].url)  # the city fire service covers Jinshui
        subscribe(city.admin_chen, others["admin"].url)  # no organization: every case
        inactive = subscribe(city.inspector_li, others["inactive"].url)
        services.subscription_update(manager=services.manager_for(city.inspector_li), sub=inactive, is_active=False)
        subscribe(city.leader_zhao, others["closed_only"].url, events=["closed"])
        subscribe(city.inspector_li, receiver.url)
        full_lifecycle(client, city, make_jpeg, on_commit)
        assert len(receiver.requests) == 5
        assert others["erqi"].requests == [] and others["jinshui_em"].requests == []
        assert others["inactive"].requests == []
        assert others["city_fire"].events() == ALL and others["admin"].events() == ALL
        assert others["closed_only"].events() == ["closed"]
    finally:
        for r in others.values():
            r.close()


@pytest.mark.django_db
def test_failed_delivery_is_retried_with_backoff_then_logged_as_delivered(client, city, on_commit, receiver,
                                                                          settings):
    sub = subscribe(city.inspector_li, receiver.url)
    receiver.statuses = [500, 503]
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and "boom" in delivery.last_response
    assert delivery.next_attempt_at - delivery.last_attempt_at == dt.timedelta(minutes=1)

    # the worker's backend defers: the retry is enqueued with run_after = next_attempt_at
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from hazardwatch.webhooks.tasks import webhook_deliver

    assert webhook_deliver.call(str(delivery.pk), 2) == DeliveryStatus.RETRYING
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status_code == 503
    assert delivery.next_attempt_at - delivery.last_attempt_at == dt.timedelta(minutes=5)
    (queued,) = webhook_deliver.get_backend().results
    assert queued.task.run_after == delivery.next_attempt_at and list(queued.args) == [str(delivery.pk), 3]

    assert webhook_deliver.call(str(delivery.pk), 3) == DeliveryStatus.DELIVERED
    assert webhook_deliver.call(str(delivery.pk), 3) == DeliveryStatus.DELIVERED  # a duplicate run sends nothing
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3 and delivery.delivered_at
    assert delivery.next_attempt_at is None and delivery.last_status_code == 200
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert len(receiver.requests) == 3
    assert [r["headers"]["x-hazardwatch-attempt"] for r in receiver.requests] == ["1", "2", "3"]
    assert len({r["headers"]["x-hazardwatch-delivery"] for r in receiver.requests}) == 1  # de-duplication key
    assert len({r["body"] for r in receiver.requests}) == 1  # the same frozen payload each time
    assert all(verify(sub.secret, r["headers"], r["body"]) for r in receiver.requests)


@pytest.mark.django_db
def test_backoff_schedule_and_giving_up(client, city, on_commit, receiver):
    sub = subscribe(city.inspector_li, receiver.url)
    receiver.statuses = [500] * 10
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    waits = [delivery.next_attempt_at - delivery.last_attempt_at]
    now = delivery.next_attempt_at
    for attempt in range(2, services.MAX_ATTEMPTS + 1):
        delivery = services.delivery_attempt(delivery.pk, attempt=attempt, now=now)
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert [w.total_seconds() for w in waits] == [60, 300, 1800, 7200, 43200]
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6 == services.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and len(receiver.requests) == 6
    # no seventh attempt on its own
    assert services.delivery_attempt(delivery.pk, attempt=7).attempts == 6 and len(receiver.requests) == 6


@pytest.mark.django_db
def test_unreachable_receiver_is_logged_and_retried(client, city, on_commit, receiver):
    sub = subscribe(city.inspector_li, receiver.url)
    receiver.close()  # nothing listens on that port any more
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "Error" in delivery.last_error


@pytest.mark.django_db
def test_replay_resends_the_same_payload_and_is_audited(client, city, on_commit, receiver):
    sub = subscribe(city.inspector_li, receiver.url)
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.DELIVERED

    client.force_login(city.erqi_wang)  # another district's staff cannot see or replay it
    assert client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay").status_code == 404
    client.force_login(city.inspector_li)
    with on_commit(execute=True):
        resp = client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay")
    assert resp.status_code == 202, resp.content
    assert len(receiver.requests) == 2
    first, again = receiver.requests
    assert again["body"] == first["body"]
    assert again["headers"]["x-hazardwatch-delivery"] == first["headers"]["x-hazardwatch-delivery"] == str(delivery.pk)
    assert again["headers"]["x-hazardwatch-attempt"] == "2" and verify(sub.secret, again["headers"], again["body"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [a.is_replay for a in delivery.attempt_log.all()] == [False, True]
    entry = AuditEntry.objects.get(action="webhook.replay")
    assert entry.actor_label == "inspector_li" and entry.object_id == str(delivery.pk)

    # the replay button on the delivery log page
    page = client.get(f"/staff/webhooks/{sub.pk}/")
    assert page.status_code == 200 and f"/staff/webhooks/deliveries/{delivery.pk}/replay/" in page.content.decode()
    with on_commit(execute=True):
        resp = client.post(f"/staff/webhooks/deliveries/{delivery.pk}/replay/")
    assert resp.status_code == 303 and resp["Location"] == f"/staff/webhooks/{sub.pk}/"
    assert len(receiver.requests) == 3 and AuditEntry.objects.filter(action="webhook.replay").count() == 2
    assert audit_verify().ok


@pytest.mark.django_db
def test_delivery_is_refused_at_send_time_when_the_target_became_private(client, city, on_commit, receiver, settings):
    sub = subscribe(city.inspector_li, receiver.url)
    settings.HAZARDWATCH_WEBHOOK_ALLOW_LOCAL = False  # e.g. production: loopback is never a valid target
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "https" in delivery.last_error or "private" in delivery.last_error


@pytest.mark.django_db
def test_events_that_are_not_subscribable_send_nothing(client, city, on_commit, receiver):
    subscribe(city.inspector_li, receiver.url)
    with on_commit(execute=True):
        code, case = submit(client)
        act(client, city.inspector_li, case, "accept")
        post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": "note", "note": "x"})
    assert receiver.events() == ["opened"]


@pytest.mark.django_db
def test_the_verification_snippet_in_the_docs_accepts_real_deliveries(client, city, on_commit, receiver):
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    snippet = doc.split("## Verifying the signature", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    sub = subscribe(city.inspector_li, receiver.url)
    with on_commit(execute=True):
        submit(client)
    (request,) = receiver.requests
    headers = {k.title(): v for k, v in request["headers"].items()}
    assert namespace["verify"](sub.secret, headers, request["body"])
    assert not namespace["verify"](sub.secret, headers, request["body"].replace(b"new", b"old"))
    stale = {**headers, "X-Hazardwatch-Timestamp": str(int(headers["X-Hazardwatch-Timestamp"]) - 3600)}
    assert not namespace["verify"](sub.secret, stale, request["body"])


@pytest.mark.django_db
def test_switching_a_subscription_off_stops_its_queued_retries(client, city, on_commit, receiver):
    sub = subscribe(city.inspector_li, receiver.url)
    receiver.statuses = [500]
    with on_commit(execute=True):
        submit(client)
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.RETRYING
    services.subscription_update(manager=services.manager_for(city.inspector_li), sub=sub, is_active=False)
    delivery = services.delivery_attempt(delivery.pk, attempt=2)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "subscription inactive"
    assert len(receiver.requests) == 1
    with on_commit(execute=True):
        submit(client)  # and no new deliveries
    assert Delivery.objects.filter(subscription=sub).count() == 1


@pytest.mark.django_db
def test_sweep_enqueues_deliveries_whose_task_was_lost(client, city, on_commit, receiver, settings):
    """A delivery created but never attempted (task lost), one claimed by a worker killed mid-request, and a
    retry whose deferred task was dropped are each sent again by the periodic sweep — once, after `stale`."""
    from hazardwatch.jobs.schedules import schedules
    from hazardwatch.webhooks.tasks import webhooks_sweep

    assert webhooks_sweep in [task for task, _interval in schedules()]
    sub = subscribe(city.inspector_li, receiver.url)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # enqueued, never run
    from hazardwatch.reports.models import Report
    from hazardwatch.reports.services import report_triage_run

    from hazardwatch.cases.tests.test_journeys import JINSHUI

    with on_commit(execute=True):
        for _ in range(3):  # received; the triage task goes to the dummy backend
            resp = post_json(client, "/api/v1/reports", {"description": "小区地下车库消防通道被杂物堵塞", **JINSHUI})
            assert resp.status_code == 201 and resp.json()["status"] == "received"
        for report_id in Report.objects.order_by("pk").values_list("pk", flat=True):  # what the worker does
            report_triage_run(report_id)
    never, killed, dropped = Delivery.objects.filter(subscription=sub).order_by("created_at")
    assert receiver.requests == []
    now = timezone.now()
    Delivery.objects.filter(pk=killed.pk).update(attempts=1)  # claimed, then the worker died: no attempt logged
    Delivery.objects.filter(pk=dropped.pk).update(status=DeliveryStatus.RETRYING, attempts=1,
                                                  last_attempt_at=now - dt.timedelta(hours=1),
                                                  next_attempt_at=now - dt.timedelta(minutes=55))
    assert services.deliveries_sweep(now=now) == 1  # only the retry is overdue; the others are younger than stale
    later = now + dt.timedelta(minutes=11)
    from django_tasks import default_task_backend

    default_task_backend.clear()
    assert services.deliveries_sweep(now=later) == 3
    queued = {r.args[0]: r.args[1] for r in default_task_backend.results}
    assert queued == {str(never.pk): 1, str(killed.pk): 2, str(dropped.pk): 2}
    for delivery_id, attempt in queued.items():  # the worker runs them: each reaches the receiver once
        services.delivery_attempt(delivery_id, attempt=attempt)
        services.delivery_attempt(delivery_id, attempt=attempt)  # a duplicate from a second sweep does nothing
    assert len(receiver.requests) == 3
    assert set(Delivery.objects.filter(subscription=sub).values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert services.deliveries_sweep(now=later + dt.timedelta(hours=1)) == 0
