"""Photo redaction on a real photograph: the face found by OpenCV's cascade is blurred beyond recognition,
the rest of the photo stays close to the original, drawn boxes are blurred, and no metadata survives."""
import io

import numpy as np
import pytest
from PIL import Image

from hazardwatch.exposure import redaction
from hazardwatch.exposure.tests.conftest import FACE_JPEG, photo_keys

pytestmark = pytest.mark.django_db


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.int16)


def region_diff(a, b, box) -> float:
    x, y, w, h = box
    return float(np.abs(a[y:y + h, x:x + w] - b[y:y + h, x:x + w]).mean())


def outside_diff(a, b, boxes) -> float:
    mask = np.ones(a.shape[:2], dtype=bool)
    for x, y, w, h in boxes:
        mask[y:y + h, x:x + w] = False
    return float(np.abs(a - b)[mask].mean())


def test_the_cascade_finds_the_face_in_the_test_photograph():
    with Image.open(FACE_JPEG) as img:
        faces = redaction.faces_detect(img.convert("RGB"))
    assert len(faces) == 1
    x, y, w, h = faces[0]
    assert 90 <= x <= 130 and 20 <= y <= 60 and 45 <= w <= 80  # Eileen Collins' face, top centre-left


def test_published_photo_has_the_face_blurred_and_the_rest_intact(client, api, city, accepted_case, face_jpeg):
    pub = api.as_(city.inspector_li).propose(accepted_case.pk)["id"]
    (source, photo_id), = photo_keys(accepted_case)
    out = api.redact(pub, title="消防通道堵塞", text="消防通道被杂物堵塞。",
                     photos=[{"source": source, "id": photo_id, "boxes": []}])
    assert out["photos"][0]["faces"] == 1
    resp = client.get(out["photos"][0]["preview_url"])
    assert resp.status_code == 200
    redacted = b"".join(resp.streaming_content)
    before, after = pixels(face_jpeg), pixels(redacted)
    assert before.shape == after.shape

    from hazardwatch.exposure.models import PublicationPhoto

    face = PublicationPhoto.objects.get().faces[0]
    x, y, w, h = face
    m = int(w * redaction.FACE_MARGIN)
    blurred_area = (x - m, y - m, w + 2 * m, h + 2 * m)
    inner = (x + w // 4, y + h // 4, w // 2, h // 2)  # eyes, nose, mouth
    assert region_diff(before, after, inner) > 12, "the face must change strongly"
    assert outside_diff(before, after, [blurred_area]) < 3, "the rest must stay close (JPEG noise only)"
    # no detail survives: the face's fine texture (local variance) is gone
    fx = after[inner[1]:inner[1] + inner[3], inner[0]:inner[0] + inner[2]]
    ox = before[inner[1]:inner[1] + inner[3], inner[0]:inner[0] + inner[2]]
    assert np.abs(np.diff(fx, axis=1)).mean() < 0.4 * np.abs(np.diff(ox, axis=1)).mean()


def test_drawn_box_is_blurred_where_it_was_drawn(client, api, city, accepted_case, face_jpeg):
    pub = api.as_(city.inspector_li).propose(accepted_case.pk)["id"]
    (source, photo_id), = photo_keys(accepted_case)
    box = [0.05, 0.6, 0.35, 0.3]  # the lower left, far from the face
    out = api.redact(pub, title="消防通道堵塞", text="消防通道被杂物堵塞。",
                     photos=[{"source": source, "id": photo_id, "boxes": [box]}])
    assert out["photos"][0]["boxes"] == [box]
    redacted = b"".join(client.get(out["photos"][0]["preview_url"]).streaming_content)
    before, after = pixels(face_jpeg), pixels(redacted)
    px = (int(0.05 * 320), int(0.6 * 320), int(0.35 * 320), int(0.3 * 320))
    assert region_diff(before, after, (px[0] + 8, px[1] + 8, px[2] - 16, px[3] - 16)) > 8


def test_redact_photo_strips_every_kind_of_metadata_and_orients_the_pixels():
    img = Image.new("RGB", (400, 200), (200, 30, 30))
    img.paste((20, 20, 200), (0, 0, 100, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (34.0, 46.0, 48.0), 3: "E", 4: (113.0, 40.0, 19.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret</x:xmpmeta>",
             icc_profile=b"\0" * 128)
    result = redaction.redact_photo(out.getvalue(), [])
    assert (result.width, result.height) == (200, 400)  # orientation applied to the pixels
    assert b"Exif" not in result.data and b"xmpmeta" not in result.data and b"ICC_PROFILE" not in result.data
    with Image.open(io.BytesIO(result.data)) as clean:
        assert not clean.getexif() and not clean.info.get("icc_profile") and "xmp" not in clean.info
        assert clean.getpixel((100, 10))[2] > 150  # the blue band is now on top


def test_redact_photo_refuses_bytes_that_are_not_an_image():
    with pytest.raises((ValueError, OSError)):
        redaction.redact_photo(b"not an image at all", [])
