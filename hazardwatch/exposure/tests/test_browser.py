"""The redaction editor in headless Chromium: a blur box drawn with the mouse on a photo ends up blurred in
the published photo, and the public column renders. With HAZARDWATCH_SCREENSHOTS=1 it also saves
docs/img/exposure-column.png and docs/img/exposure-redaction.png."""
import io
import os

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from hazardwatch.exposure import services
from hazardwatch.exposure.models import Publication, PublicationPhoto

SHOTS = settings.BASE_DIR / "docs" / "img"


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.int16)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_box_drawn_on_the_redaction_page_is_blurred_in_the_published_photo(city, accepted_case, face_jpeg,
                                                                          live_server, desktop_page):
    pub = services.publication_propose(case_id=accepted_case.pk, actor=city.inspector_li)
    errors = []
    page = desktop_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/login/?next=/staff/exposure/{pub.pk}/")
    page.fill("input[name=username]", "inspector_li")
    page.fill("input[name=password]", "pw-inspector_li")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("#redaction [data-draw] img")
    page.wait_for_function("() => document.querySelector('#redaction [data-draw] img').naturalWidth > 0")

    page.fill("#xp-title", "小区地下车库消防通道被杂物堵塞")
    page.fill("#xp-text", "金水区某小区地下车库消防通道被杂物堵塞，消火栓无水。消防救援大队已责令物业限期清理并恢复供水。")
    img = page.locator("#redaction [data-draw] img").first
    box = img.bounding_box()
    # drag from 55 % / 55 % to 95 % / 90 % of the photo (the lower right, away from the face)
    page.mouse.move(box["x"] + 0.55 * box["width"], box["y"] + 0.55 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.75 * box["width"], box["y"] + 0.7 * box["height"], steps=5)
    page.mouse.move(box["x"] + 0.95 * box["width"], box["y"] + 0.9 * box["height"], steps=5)
    page.mouse.up()
    assert page.locator("#redaction .xp-box").count() == 1
    assert page.locator("[data-box-count]").first.inner_text() == "1"
    assert page.locator("#redaction input[name=photo]").first.is_checked()
    if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "exposure-redaction.png"), full_page=False)

    page.click("[data-save-redaction]")
    page.wait_for_selector("#pub-main img[data-redacted]")
    photo = PublicationPhoto.objects.get()
    (x, y, w, h), = photo.boxes
    assert abs(x - 0.55) < 0.02 and abs(y - 0.55) < 0.02 and abs(x + w - 0.95) < 0.02 and abs(y + h - 0.9) < 0.02
    assert len(photo.faces) == 1

    page.click("form[data-action=submit] button")
    page.wait_for_selector("#pub-main[data-status=awaiting_signoff]")
    services.publication_transition(publication_id=pub.pk, action="sign_off", actor=city.leader_zhao)
    assert Publication.objects.get().status == "published"

    # the published photo, fetched as the public: blurred inside the drawn box, close to the original elsewhere
    resp = page.request.get(f"{live_server.url}/exposure/photos/{photo.pk}.jpg")
    assert resp.status == 200
    before, after = pixels(face_jpeg), pixels(resp.body())
    H, W = after.shape[:2]
    inside = (slice(int((y + 0.03) * H), int((y + h - 0.03) * H)), slice(int((x + 0.03) * W), int((x + w - 0.03) * W)))
    diff_inside = np.abs(before[inside] - after[inside]).mean()
    detail_before = np.abs(np.diff(before[inside], axis=1)).mean()
    detail_after = np.abs(np.diff(after[inside], axis=1)).mean()
    left = (slice(int(0.6 * H), H), slice(0, int(0.45 * W)))
    assert diff_inside > 5 and detail_after < 0.5 * detail_before
    assert np.abs(before[left] - after[left]).mean() < 3

    shots = os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1"
    if shots:  # a fuller column for the documentation
        more = _publish_scenes(city)
    page.goto(f"{live_server.url}/exposure/")
    page.wait_for_selector(f"[data-publication='{pub.pk}'] img.xp-cover")
    assert page.locator(".xp-item").count() == (1 + more if shots else 1)
    assert errors == []
    if shots:
        page.screenshot(path=str(SHOTS / "exposure-column.png"), full_page=False)
        last = Publication.objects.filter(status="published").order_by("-published_at").first()
        page.goto(f"{live_server.url}/exposure/{last.pk}/")
        page.wait_for_selector("[data-photos=after] img")
        page.screenshot(path=str(SHOTS / "exposure-detail.png"), full_page=True)


SCENES = [
    ("ebike_charging", "household_community", "居民楼楼道内电动自行车违规充电", "楼道内多辆电动自行车飞线充电，堵塞疏散通道。社区已组织清理并设置集中充电棚。"),
    ("electrical", "electrical", "商铺配电箱私拉乱接电线", "某商铺门口配电箱箱门损坏，电线私拉乱接、裸露老化。已更换配电箱并规范布线。"),
    ("workplace", "industry_trade", "加工车间粉尘积聚除尘器停用", "某加工车间地面和设备粉尘积聚较厚，除尘器长期停用。企业已清扫积尘并恢复除尘系统运行。"),
]


def _publish_scenes(city) -> int:
    """Three closed cases with generated scene photos, published through the services (screenshots only)."""
    import random

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from hazardwatch.cases import services as case_services
    from hazardwatch.cases.models import Case
    from hazardwatch.demo.images import scene_jpeg
    from hazardwatch.reports.images import check_image

    rng = random.Random(7)
    org = city.city_em
    for n, (category, sector, title, text) in enumerate(SCENES):
        case = Case.objects.create(reference=f"HWX{n}", status="triaged", sector=sector, title=title, description=text,
                                   region=city.divisions["410105"], region_path=city.divisions["410105"].path,
                                   regulator=org, lat=34.78, lon=113.67)
        stamp = timezone.localdate().isoformat()
        case_services.case_transition(case_id=case.pk, action="grade", actor=city.admin_chen, data={"grade": "general"})
        case_services.case_transition(case_id=case.pk, action="assign", actor=city.admin_chen,
                                      data={"responsible_unit_id": city.enterprise.pk})
        case_services.case_transition(case_id=case.pk, action="start", actor=city.admin_chen)
        after = ContentFile(scene_jpeg(rng=rng, category=category, caption=title, stamp=stamp, after=True), "a.jpg")
        case_services.case_submit_evidence(case_id=case.pk, actor=city.admin_chen, note="已整改", uploads=[after])
        case_services.case_transition(case_id=case.pk, action="approve", actor=city.admin_chen)
        from hazardwatch.reports.models import Report, ReportPhoto

        report = Report.objects.create(receipt_hash=f"x{n}", submitted_at=timezone.now(), description=text,
                                       case=case, region=case.region)
        image = check_image(ContentFile(scene_jpeg(rng=rng, category=category, caption=title, stamp=stamp), "b.jpg"))
        photo = ReportPhoto(report=report, extension="jpg", content_type="image/jpeg", width=image.width,
                            height=image.height, size_bytes=len(image.data), sha256=image.sha256)
        photo.original.save("b.jpg", ContentFile(image.data))
        pub = services.publication_propose(case_id=case.pk, actor=city.em_li)
        keys = [{"source": s, "id": p.pk} for s, p in services.photo_candidates(case)]
        services.publication_redact(publication_id=pub.pk, actor=city.em_li, title=title, text=text, photos=keys)
        services.publication_transition(publication_id=pub.pk, action="submit", actor=city.em_li)
        services.publication_transition(publication_id=pub.pk, action="sign_off", actor=city.admin_chen)
    return len(SCENES)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_column_and_item_fit_a_phone(published, live_server, phone_page):
    page = phone_page
    for url in ("/exposure/", f"/exposure/{published}/"):
        page.goto(live_server.url + url)
        page.wait_for_selector("main img")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
