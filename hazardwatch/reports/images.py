"""Validating uploaded photos and making their public derivatives with Pillow.

Checks, in order: size on the wire, a real image of an allowed format (not the claimed type or name),
pixel count before decoding (decompression bombs), a single frame (no animations), then a decode of every byte
(a JPEG at a reduced DCT scale) and the file's own end marker (truncated files). Anything after that end marker
(a ZIP, HTML or script appended to make a polyglot) is cut off, so no stored file carries it. `reencode` makes a fresh JPEG without metadata for
the upload points that keep no original. The hostile corpus in hazardwatch/core/tests/hostile.py proves it.
"""
import hashlib
import io
import math
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
# Phones (iPhone HDR gain maps, depth maps, Fujifilm) write JPEGs with extra pictures that Pillow calls MPO:
# a JPEG for every purpose here; the primary picture is kept, the extra ones are cut off with the trailer.
FORMAT_ALIASES = {"MPO": "JPEG"}

PHOTO_TOO_LARGE = _("The photo {name} is larger than {limit} MB.")
PHOTO_NOT_IMAGE = _("The file {name} is not a JPEG, PNG or WebP image.")
PHOTO_TOO_MANY_PIXELS = _("The photo {name} has too many pixels.")
PHOTO_TRUNCATED = _("The photo {name} is damaged or incomplete.")
PHOTO_EMPTY = _("The file {name} is empty.")
PHOTO_ANIMATED = _("The photo {name} is an animation; send a single photo.")


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
    phash: str = ""  # perceptual hash (photo_phash), from check_image's own decode


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


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the main picture's end-of-image marker, walking the segments (APPn lengths, then the
    entropy-coded scans, where FF is followed by 00 or a restart marker) so that an FF D9 inside EXIF (its
    thumbnail) or inside an appended payload is never taken for the end. None if the picture is incomplete."""
    n, i = len(data), 2
    if data[:2] != b"\xff\xd8":
        return None
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2:
            return None
        i += length
        if marker == 0xDA:  # start of scan: skip the entropy-coded data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                elif following == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break
    return None


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk (length, type, data, CRC), walking the chunks; None if incomplete."""
    n, i = len(data), 8
    while i + 8 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        i += 12 + length
        if i > n:
            return None
        if kind == b"IEND":
            return i
    return None


def _image_end(data: bytes, fmt: str) -> int | None:
    """Where the image's own bytes end, or None if the file is cut short. Checked explicitly because Pillow's
    decoder accepts truncated data whenever any library in the process sets ImageFile.LOAD_TRUNCATED_IMAGES
    (WeasyPrint does, on import)."""
    if fmt == "JPEG":
        end = _jpeg_end(data)
        if end is None and data.rfind(b"\xff\xd9") > data.find(b"\xff\xda") > 0:
            end = data.rfind(b"\xff\xd9") + 2  # odd but decodable segment layout: keep up to the last EOI
        return end
    if fmt == "PNG":
        return _png_end(data)
    if fmt == "WEBP":  # the RIFF header gives the length (chunks already padded to an even size)
        end = int.from_bytes(data[4:8], "little") + 8 if len(data) >= 12 else None
        return end if end is not None and end <= len(data) else None
    return len(data)


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
            fmt = FORMAT_ALIASES.get(img.format, img.format)
            if fmt not in ALLOWED_FORMATS:
                raise ImageRejected(PHOTO_NOT_IMAGE.format(name=name))
            width, height = img.size
            if width * height > settings.HAZARDWATCH_MAX_PHOTO_PIXELS:
                raise ImageRejected(PHOTO_TOO_MANY_PIXELS.format(name=name))
            if img.format != "MPO" and getattr(img, "n_frames", 1) > 1:  # animated PNG or WebP
                raise ImageRejected(PHOTO_ANIMATED.format(name=name))
            lat, lon, taken = _read_exif(img)
            # Decode every byte (truncated data raises here), but a JPEG at 1/8 scale: the entropy-coded data is
            # read whole while the inverse DCT and the pixels are 64 times smaller (a 12 MP photo: ~0.4 of a
            # full decode, 0.2 MB instead of 36 MB). The small picture is what the perceptual hash needs.
            img.draft(None, PHASH_DRAFT)
            img.load()
            phash = _phash(img)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(PHOTO_TOO_MANY_PIXELS.format(name=name)) from None
    except UnidentifiedImageError:
        raise ImageRejected(PHOTO_NOT_IMAGE.format(name=name)) from None
    except Exception:  # noqa: BLE001 - any decoder error on hostile bytes is a damaged photo (400), never a 500
        raise ImageRejected(PHOTO_TRUNCATED.format(name=name)) from None
    end = _image_end(data, fmt)
    if end is None:
        raise ImageRejected(PHOTO_TRUNCATED.format(name=name))
    data = data[:end]  # a payload appended after the picture (polyglot) is never stored
    ext, content_type = ALLOWED_FORMATS[fmt]
    return CheckedImage(
        data=data, format=fmt, extension=ext, content_type=content_type, width=width, height=height,
        sha256=hashlib.sha256(data).hexdigest(), exif_lat=lat, exif_lon=lon, taken_at=taken, phash=phash,
    )


def _flat_rgb(img) -> Image.Image:
    """RGB for JPEG: orientation from EXIF applied, CMYK and 16-bit converted, transparency laid on white."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _clean_jpeg(img, quality: int, optimize: bool = True) -> bytes:
    """Pixels only, copied into a new image, so that no EXIF, XMP, ICC or comment of the upload can follow."""
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=optimize)
    return out.getvalue()


def make_derivatives(data: bytes, max_side: int = 1600, thumb_side: int = 320) -> tuple[bytes, bytes]:
    """A re-encoded JPEG without any metadata (EXIF, XMP, GPS) and a thumbnail."""
    with Image.open(io.BytesIO(data)) as src:
        # A JPEG decodes straight to the smallest DCT scale (1/2, 1/4, 1/8) still at least max_side on both
        # sides (a 12 MP photo: 2000 × 1500), then resamples down: what `thumbnail` itself does for smaller
        # targets, here also for this one (half the decode time and a quarter of the memory).
        scale = min(max_side / src.width, max_side / src.height, 1.0)
        src.draft(None, (math.ceil(src.width * scale), math.ceil(src.height * scale)))
        img = _flat_rgb(src)
        img.thumbnail((max_side, max_side))
        clean = _clean_jpeg(img, 82)
        img.thumbnail((thumb_side, thumb_side))
        thumb = _clean_jpeg(img, 75)
    return clean, thumb


def reencode(image: CheckedImage, name: str = "photo", max_side: int = 2560) -> CheckedImage:
    """The checked photo as a fresh JPEG without metadata (orientation applied), for the upload points that
    keep no original (evidence, fix feedback, checklist and drill photos). 2560 px on the long side keeps
    the detail a reviewer zooms into; Huffman optimisation is skipped (a second pass, ~30 % more time, a few
    % smaller). The SHA-256 stays that of the upload."""
    try:
        with Image.open(io.BytesIO(image.data)) as src:
            img = _flat_rgb(src)
            img.thumbnail((max_side, max_side))
            data = _clean_jpeg(img, 88, optimize=False)
            width, height = img.size
    except Exception:  # noqa: BLE001 - a photo that passed check_image but cannot be re-encoded is damaged
        raise ImageRejected(PHOTO_TRUNCATED.format(name=name)) from None
    return CheckedImage(data=data, format="JPEG", extension="jpg", content_type="image/jpeg", width=width,
                        height=height, sha256=image.sha256, exif_lat=image.exif_lat, exif_lon=image.exif_lon,
                        taken_at=image.taken_at)


def check_clean_image(upload, name: str | None = None) -> CheckedImage:
    """check_image, then reencode: what the upload points without a private original store."""
    name = name or getattr(upload, "name", "photo") or "photo"
    return reencode(check_image(upload, name), name)


PHASH_DRAFT = (256, 256)  # pHash reads a 32 × 32 grey picture: any decode at least this large gives the same hash


def _phash(img) -> str:
    import imagehash

    try:
        return str(imagehash.phash(ImageOps.exif_transpose(img).convert("RGB")))
    except Exception:  # noqa: BLE001 - a hash is a hint for duplicates, never a reason to refuse a photo
        return ""


def photo_phash(data: bytes) -> str:
    """The 64-bit perceptual hash (DCT pHash, ImageHash) of an already checked photo, as 16 hex digits
    (check_image computes the same from its own decode: `CheckedImage.phash`).

    Orientation from EXIF is applied first, so the same scene shot upright or rotated by the camera's
    flag compares equal. A JPEG is decoded at a reduced DCT scale (still at least 256 px), which the hash
    cannot tell apart. Returns "" if the image cannot be hashed (never rejects a valid photo).
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft(None, PHASH_DRAFT)
            return _phash(img)
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
