"""Redacting one photo for publication: decode, blur faces (OpenCV's bundled Haar cascade) and the boxes
drawn by staff, and re-encode as a fresh JPEG that carries no metadata at all (no EXIF, GPS, XMP, ICC).

Boxes drawn by hand are normalized [x, y, w, h] fractions of the displayed (orientation-corrected) image.
"""
import hashlib
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter, ImageOps

MAX_SIDE = 1600
MAX_BOXES = 20
MIN_BOX = 0.005  # a box narrower than 0.5 % of the photo is a mis-click
FACE_MARGIN = 0.2  # blur a little around each detected face (hair, ears)

BOXES_MALFORMED = _("Blur boxes must be a list of [x, y, width, height] numbers.")
BOXES_OUT_OF_RANGE = _("Blur boxes must lie inside the photo: x, y ≥ 0, width and height > 0, x + width ≤ 1 and "
                       "y + height ≤ 1.")
BOXES_TOO_MANY = _("At most {limit} blur boxes per photo.")


class BoxesInvalid(ValueError):
    pass


def boxes_parse(value) -> list[list[float]]:
    """Validate drawn boxes (a list, or its JSON text) and return them rounded to 4 decimals.

    Accepts [x, y, w, h] lists or {"x", "y", "w", "h"} objects. Raises BoxesInvalid with a message.
    """
    import json

    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BoxesInvalid(BOXES_MALFORMED) from None
    if not isinstance(value, list):
        raise BoxesInvalid(BOXES_MALFORMED)
    if len(value) > MAX_BOXES:
        raise BoxesInvalid(BOXES_TOO_MANY.format(limit=MAX_BOXES))
    out = []
    for box in value:
        if isinstance(box, dict):
            box = [box.get(k) for k in ("x", "y", "w", "h")]
        if not isinstance(box, list | tuple) or len(box) != 4:
            raise BoxesInvalid(BOXES_MALFORMED)
        if any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in box):
            raise BoxesInvalid(BOXES_MALFORMED)
        x, y, w, h = (float(v) for v in box)
        eps = 1e-6
        if x < 0 or y < 0 or w < MIN_BOX or h < MIN_BOX or x + w > 1 + eps or y + h > 1 + eps:
            raise BoxesInvalid(BOXES_OUT_OF_RANGE)
        out.append([round(x, 4), round(y, 4), round(min(w, 1 - x), 4), round(min(h, 1 - y), 4)])
    return out


@lru_cache(maxsize=1)
def _face_cascade():
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():  # pragma: no cover - opencv-python-headless 4.x ships the file
        raise RuntimeError("OpenCV's frontal-face cascade is missing (opencv-python-headless 4.x ships it)")
    return cascade


def faces_detect(img: Image.Image) -> list[list[int]]:
    """Pixel boxes [x, y, w, h] of frontal faces, found by OpenCV's bundled Haar cascade."""
    import cv2
    import numpy as np

    gray = np.asarray(img.convert("L"))
    gray = cv2.equalizeHist(gray)
    side = min(img.size)
    found = _face_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5,
                                             minSize=(max(20, side // 40), max(20, side // 40)))
    return [[int(v) for v in box] for box in (found if len(found) else [])]


def _blur_region(img: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Pixelate, then blur, one region in place: no detail of a face or a plate survives."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    if w < 2 or h < 2:
        return
    region = img.crop(box)
    cells = max(4, min(w, h) // 12)
    small = region.resize((max(1, w // cells), max(1, h // cells)), Image.Resampling.BILINEAR)
    region = small.resize((w, h), Image.Resampling.NEAREST)
    region = region.filter(ImageFilter.GaussianBlur(radius=max(2, cells // 2)))
    img.paste(region, (left, top))


@dataclass
class Redacted:
    data: bytes
    width: int
    height: int
    sha256: str
    faces: list = field(default_factory=list)


def redact_photo(data: bytes, boxes: list[list[float]], *, blur_faces: bool = True) -> Redacted:
    """Decode, orient, shrink to MAX_SIDE, blur faces and boxes, re-encode without metadata.

    Raises ValueError (or OSError) when the bytes are not a readable image.
    """
    with Image.open(io.BytesIO(data)) as src:
        src.load()
        img = ImageOps.exif_transpose(src).convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image holds pixels only: nothing of the source's info, EXIF, XMP or ICC profile is carried over.
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    width, height = clean.size
    faces = faces_detect(clean) if blur_faces else []
    regions = []
    for x, y, w, h in faces:
        mx, my = int(w * FACE_MARGIN), int(h * FACE_MARGIN)
        regions.append((max(0, x - mx), max(0, y - my), min(width, x + w + mx), min(height, y + h + my)))
    for x, y, w, h in boxes:
        regions.append((int(x * width), int(y * height), min(width, math.ceil((x + w) * width)),
                        min(height, math.ceil((y + h) * height))))
    for region in regions:
        _blur_region(clean, region)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    payload = out.getvalue()
    return Redacted(data=payload, width=width, height=height, sha256=hashlib.sha256(payload).hexdigest(), faces=faces)
