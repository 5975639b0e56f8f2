"""Validating uploaded photos and making their public derivatives with Pillow.

Checks, in order: size on the wire, a real image of an allowed format (not the claimed type or name),
pixel count before decoding (decompression bombs), then a full decode (truncated files).
"""
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}

PHOTO_TOO_LARGE = _("The photo {name} is larger than {limit} MB.")
PHOTO_NOT_IMAGE = _("The file {name} is not a JPEG, PNG or WebP image.")
PHOTO_TOO_MANY_PIXELS = _("The photo {name} has too many pixels.")
PHOTO_TRUNCATED = _("The photo {name} is damaged or incomplete.")
PHOTO_EMPTY = _("The file {name} is empty.")


class ImageRejected(ValueError):
    pass


@dataclass
class CheckedImage:
    data: bytes
    format: str
    extension: str
    content_type: str
    width: int
    height: int
    sha256: str
    exif_lat: float | None = None
    exif_lon: float | None = None
    taken_at: str = ""


def _gps_to_decimal(values, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
        value = d + m / 60 + s / 3600
        return -value if ref in ("S", "W") else value
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _read_exif(img) -> tuple[float | None, float | None, str]:
    try:
        exif = img.getexif()
        gps = exif.get_ifd(0x8825)
        lat = _gps_to_decimal(gps.get(2), gps.get(1)) if gps.get(2) else None
        lon = _gps_to_decimal(gps.get(4), gps.get(3)) if gps.get(4) else None
        taken = str(exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132) or "")[:40]
        return lat, lon, taken
    except Exception:  # noqa: BLE001 - broken EXIF must not reject an otherwise valid photo
        return None, None, ""


def _complete(data: bytes, fmt: str) -> bool:
    """The file's own end marker is there. Checked explicitly because Pillow's decoder accepts truncated data
    whenever any library in the process sets ImageFile.LOAD_TRUNCATED_IMAGES (WeasyPrint does, on import)."""
    if fmt == "JPEG":
        return data.rfind(b"\xff\xd9") > data.find(b"\xff\xda") > 0  # end of image after the start of scan
    if fmt == "PNG":
        return data.rfind(b"IEND") > data.find(b"IDAT") > 0
    if fmt == "WEBP":
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True


def check_image(upload, name: str | None = None) -> CheckedImage:
    """Read and validate one uploaded file; raise ImageRejected with a message for the reporter."""
    name = name or getattr(upload, "name", "photo") or "photo"
    limit = settings.HAZARDWATCH_MAX_PHOTO_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ImageRejected(PHOTO_TOO_LARGE.format(name=name, limit=limit // (1024 * 1024)))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImageRejected(PHOTO_TOO_LARGE.format(name=name, limit=limit // (1024 * 1024)))
    if not data:
        raise ImageRejected(PHOTO_EMPTY.format(name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = img.format
            if fmt not in ALLOWED_FORMATS:
                raise ImageRejected(PHOTO_NOT_IMAGE.format(name=name))
            width, height = img.size
            if width * height > settings.HAZARDWATCH_MAX_PHOTO_PIXELS:
                raise ImageRejected(PHOTO_TOO_MANY_PIXELS.format(name=name))
            lat, lon, taken = _read_exif(img)
            img.load()  # full decode: truncated data raises here
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(PHOTO_TOO_MANY_PIXELS.format(name=name)) from None
    except UnidentifiedImageError:
        raise ImageRejected(PHOTO_NOT_IMAGE.format(name=name)) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected(PHOTO_TRUNCATED.format(name=name)) from None
    if not _complete(data, fmt):
        raise ImageRejected(PHOTO_TRUNCATED.format(name=name))
    ext, content_type = ALLOWED_FORMATS[fmt]
    return CheckedImage(
        data=data, format=fmt, extension=ext, content_type=content_type, width=width, height=height,
        sha256=hashlib.sha256(data).hexdigest(), exif_lat=lat, exif_lon=lon, taken_at=taken,
    )


def make_derivatives(data: bytes, max_side: int = 1600, thumb_side: int = 320) -> tuple[bytes, bytes]:
    """A re-encoded JPEG without any metadata (EXIF, XMP, GPS) and a thumbnail."""
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        img = img.convert("RGB")
        img.thumbnail((max_side, max_side))
        clean = Image.new("RGB", img.size)
        clean.paste(img)
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=82, optimize=True)
        clean.thumbnail((thumb_side, thumb_side))
        thumb = io.BytesIO()
        clean.save(thumb, "JPEG", quality=75)
    return out.getvalue(), thumb.getvalue()


def photo_phash(data: bytes) -> str:
    """The 64-bit perceptual hash (DCT pHash, ImageHash) of an already checked photo, as 16 hex digits.

    Orientation from EXIF is applied first, so the same scene shot upright or rotated by the camera's
    flag compares equal. Returns "" if the image cannot be hashed (never rejects a valid photo).
    """
    import imagehash

    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            return str(imagehash.phash(img))
    except Exception:  # noqa: BLE001 - a hash is a hint for duplicates, never a reason to refuse a photo
        return ""


def phash_distance(a: str, b: str) -> int | None:
    """Hamming distance between two hex pHashes (0 = same picture), or None if either is missing."""
    if not a or not b or len(a) != len(b):
        return None
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return None
