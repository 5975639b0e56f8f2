"""The photo-similarity threshold on a real photograph: same-scene variants match, other photos do not.

The photograph is hazardwatch/exposure/tests/data/astronaut.jpg; "other photos" are its four quadrants, each a
real photograph of a different subject (helmet and face, flag, suit, hands). The figures behind the default
threshold (more photos) are in docs/duplicates.md.
"""
import io

import pytest
from django.conf import settings as django_settings
from PIL import Image

from hazardwatch.cases import phash_calibration as cal
from hazardwatch.cases.tests.test_duplicates import JINSHUI, duplicates, offset, submit, upload

ASTRONAUT = django_settings.BASE_DIR / "hazardwatch" / "exposure" / "tests" / "data" / "astronaut.jpg"


def _photos():
    img = Image.open(ASTRONAUT).convert("RGB")
    w, h = img.size
    quadrants = {"helmet": (0, 0, w // 2, h // 2), "flag": (w // 2, 0, w, h // 2),
                 "suit": (0, h // 2, w // 2, h), "hands": (w // 2, h // 2, w, h)}
    return img, {name: img.crop(box).resize((320, 320)) for name, box in quadrants.items()}


def test_default_threshold_separates_same_scene_from_other_photos():
    threshold = django_settings.HAZARDWATCH_DUPLICATE_PHASH_DISTANCE
    assert threshold == 12  # the calibrated default (docs/duplicates.md)
    img, others = _photos()
    result = cal.measure({"astronaut": img, **others})
    for variant, (_, expected) in cal.VARIANTS.items():
        distances = result["same"][variant]
        if expected:  # re-encodes, rescales, 95 % crops, light and colour changes, blur, noise
            assert max(distances) <= threshold, (variant, distances)
    assert min(result["same"]["mirrored"]) > threshold  # a known limit of pHash: a mirror image is another photo
    # different subjects, each under every variant: never within the threshold, with a margin
    assert result["different"][0] > threshold + 2, result["different"][:5]


@pytest.mark.django_db
def test_a_re_encoded_cropped_brighter_shot_finds_the_case_600_m_away(client, city):
    img, others = _photos()
    original = cal._jpeg(img)
    _, case = submit(client, point=offset(JINSHUI, east_m=600), photos=[upload(original)])
    # the same scene as another phone would send it: smaller, cropped to 95 %, brighter, re-encoded
    same = cal.VARIANTS["brightness ×1.3"][0](cal.VARIANTS["cropped to 95%"][0](img.resize((240, 240))))
    out = duplicates(client, JINSHUI, photos=[upload(cal._jpeg(same, 60))])
    found = [i for i in out["items"] if i["reference"] == case.reference]
    assert found and found[0]["photo_similar"]
    # a different photograph (a part of the picture with another subject) at the same place: no photo match,
    # and 600 m is beyond the plain radius
    for name, other in others.items():
        out = duplicates(client, JINSHUI, photos=[upload(cal._jpeg(other))])
        assert case.reference not in [i["reference"] for i in out["items"]], name
    assert Image.open(io.BytesIO(original)).size == img.size
