"""A corpus of hostile (and awkward but honest) upload files, generated in memory: nothing binary is committed.

Each `Sample` says what an upload point must do with it: "reject" (a 4xx with a message, nothing stored) or
"accept" (stored only as a fresh image: no metadata, no appended payload, orientation applied). The corpus is
used by test_hostile_uploads.py against every upload point; add a sample here and every point is tested.

Sizes are chosen for a photo limit of `PHOTO_LIMIT` bytes, which the tests set, so the corpus stays small.
"""
import functools
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

PHOTO_LIMIT = 1024 * 1024  # the tests run with HAZARDWATCH_MAX_PHOTO_BYTES at 1 MB
MARKER = b"HWPAYLOAD-7f3c"  # what an appended or embedded payload carries; never in a stored file
GPS = (34.7805, 113.6801)


@dataclass(frozen=True)
class Sample:
    key: str
    filename: str
    content_type: str
    data: bytes
    expect: str  # "reject" or "accept"
    reason: str = ""  # for "reject": a word of the message expected ("pixels", "JPEG", "damaged", ...)
    size: tuple[int, int] | None = None  # for "accept": the stored picture's size after orientation
    appended: bool = False  # a payload follows the picture's end: no stored file may keep it


# --- building blocks ---------------------------------------------------------------------------------------

def _jpeg(size=(64, 48), color=(200, 80, 40), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "JPEG", **save)
    return out.getvalue()


def _png(size=(64, 48), color=(30, 120, 200), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG", **save)
    return out.getvalue()


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    lat, lon = GPS
    exif[0x8825] = {1: "N", 2: (float(int(lat)), float(int((lat % 1) * 60)), 0.0),
                    3: "E", 4: (float(int(lon)), float(int((lon % 1) * 60)), 0.0)}
    exif[0x010F] = "HW-Camera " + MARKER.decode()  # Make: a marker that must not survive
    if orientation:
        exif[0x0112] = orientation
    return exif


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _insert_after_soi(jpeg: bytes, segments: bytes) -> bytes:
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segments + jpeg[2:]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_bomb(width: int, height: int, bit_depth: int, color_type: int) -> bytes:
    """A real PNG of zeros: tiny on the wire, `width*height` pixels once decoded."""
    bits = {0: 1, 2: 3, 6: 4}[color_type] * bit_depth
    row = b"\x00" * (1 + (width * bits + 7) // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims another size: Pillow reads the claim before decoding."""
    data = bytearray(_jpeg((16, 16)))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _zip_payload() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Main-Class: Evil\n" + MARKER.decode())
        z.writestr("evil.html", "<script>alert(1)</script>" + MARKER.decode())
    return out.getvalue()


# --- the corpus ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def corpus() -> tuple[Sample, ...]:
    jpeg, png = _jpeg(), _png()
    php = b"<?php system($_GET['c']); /*" + MARKER + b"*/ ?>"
    html = b"<html><body><script>alert(document.cookie)</script>" + MARKER + b"</body></html>"
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
           b'<script>alert(1)</script><rect width="64" height="48" fill="red"/></svg>')
    gif_frames = [Image.new("P", (32, 32), i) for i in range(3)]
    gif = io.BytesIO()
    gif_frames[0].save(gif, "GIF", save_all=True, append_images=gif_frames[1:], duration=100, loop=0)
    tiff = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(tiff, "TIFF", save_all=True,
                                          append_images=[Image.new("RGB", (32, 32), "blue")])
    apng = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(apng, "PNG", save_all=True,
                                          append_images=[Image.new("RGB", (32, 32), "blue")])
    awebp = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(awebp, "WEBP", save_all=True,
                                           append_images=[Image.new("RGB", (32, 32), "blue")])
    webp = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(webp, "WEBP")
    mpo = io.BytesIO()
    Image.new("RGB", (48, 32), "red").save(mpo, "MPO", save_all=True,
                                          append_images=[Image.new("RGB", (48, 32), "blue")])
    # 60 KB of EXIF (the most one APP1 segment holds) plus XMP, a comment and 12 more APPn segments of 60 KB
    exif = _gps_exif()
    exif[0x9286] = b"ASCII\x00\x00\x00" + MARKER + b"x" * 60_000  # UserComment
    xmp = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><rdf:RDF><exif:GPSLatitude>34,46.8N</exif:GPSLatitude>"
           + MARKER + b"</rdf:RDF></x:xmpmeta>")
    many_app = b"".join(_segment(0xE2 + i % 12, b"HW" + MARKER + b"\x00" * 60_000) for i in range(12))
    huge_exif = _insert_after_soi(_jpeg(exif=exif.tobytes()), _segment(0xE1, xmp) + _segment(0xFE, MARKER)
                                  + many_app)
    assert PHOTO_LIMIT // 2 < len(huge_exif) < PHOTO_LIMIT
    return (
        # decompression bombs: over Pillow's own guard, and between the platform's limit and Pillow's
        Sample("png-bomb-900mp", "bomb.png", "image/png", _png_bomb(30_000, 30_000, 1, 0), "reject", "pixels"),
        Sample("png-bomb-64mp", "bomb64.png", "image/png", _png_bomb(8_000, 8_000, 8, 0), "reject", "pixels"),
        Sample("jpeg-claims-65000x65000", "huge.jpg", "image/jpeg", _jpeg_with_size(65_000, 65_000), "reject",
               "pixels"),
        Sample("jpeg-claims-10000x6000", "big.jpg", "image/jpeg", _jpeg_with_size(10_000, 6_000), "reject",
               "pixels"),
        # polyglots: a real picture with a payload after its end, or a payload dressed as a picture
        Sample("jpeg-plus-zip-gifar", "gifar.jpg", "image/jpeg", jpeg + _zip_payload(), "accept", size=(64, 48),
               appended=True),
        Sample("jpeg-plus-php", "shell.php.jpg", "image/jpeg", jpeg + php, "accept", size=(64, 48), appended=True),
        Sample("png-plus-html", "page.png", "image/png", png + html, "accept", size=(64, 48), appended=True),
        Sample("jpeg-comment-html", "comment.jpg", "image/jpeg",
               _insert_after_soi(jpeg, _segment(0xFE, html)), "accept", size=(64, 48)),
        Sample("html-with-jpeg-magic", "fake.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + html, "reject", "damaged"),
        Sample("html-as-image", "page.jpg", "image/jpeg", html, "reject", "JPEG"),
        # truncated files
        Sample("jpeg-truncated", "cut.jpg", "image/jpeg", _jpeg((320, 240), (90, 90, 90))[:-400], "reject",
               "damaged"),
        Sample("jpeg-header-only", "head.jpg", "image/jpeg", jpeg[:200], "reject", "damaged"),
        Sample("png-truncated", "cut.png", "image/png", _png((320, 240))[:-30], "reject", "damaged"),
        Sample("webp-truncated", "cut.webp", "image/webp", webp.getvalue()[:-10], "reject", "damaged"),
        # metadata: huge EXIF/XMP/APPn (stripped), GPS (stripped), orientation (applied)
        Sample("jpeg-huge-exif-many-app", "meta.jpg", "image/jpeg", huge_exif, "accept", size=(64, 48)),
        Sample("jpeg-gps-exif", "gps.jpg", "image/jpeg", _jpeg(exif=_gps_exif().tobytes()), "accept",
               size=(64, 48)),
        Sample("jpeg-orientation-6", "rotated.jpg", "image/jpeg", _jpeg((80, 40), exif=_gps_exif(6).tobytes()),
               "accept", size=(40, 80)),
        # scripts and wrong types
        Sample("svg-with-script", "drawing.svg", "image/svg+xml", svg, "reject", "JPEG"),
        Sample("svg-named-jpg", "drawing.jpg", "image/jpeg", svg, "reject", "JPEG"),
        Sample("png-named-jpg", "really-png.jpg", "image/jpeg", png, "accept", size=(64, 48)),
        Sample("pdf-named-jpg", "doc.jpg", "image/jpeg", b"%PDF-1.4\n1 0 obj<<>>endobj\n" + MARKER + b"\n%%EOF",
               "reject", "JPEG"),
        Sample("exe-named-png", "setup.png", "image/png", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + MARKER,
               "reject", "JPEG"),
        Sample("zero-bytes", "empty.jpg", "image/jpeg", b"", "reject", "empty"),
        Sample("too-large", "large.jpg", "image/jpeg", jpeg + b"\x00" * PHOTO_LIMIT, "reject", "larger"),
        # animations and other formats: one photo, of a format phones make
        Sample("gif-animated", "anim.gif", "image/gif", gif.getvalue(), "reject", "JPEG"),
        Sample("tiff-multipage", "scan.tif", "image/tiff", tiff.getvalue(), "reject", "JPEG"),
        Sample("png-animated", "anim.png", "image/png", apng.getvalue(), "reject", "animation"),
        Sample("webp-animated", "anim.webp", "image/webp", awebp.getvalue(), "reject", "animation"),
        # honest but awkward: must be accepted and converted
        Sample("jpeg-cmyk", "print.jpg", "image/jpeg", _jpeg(mode="CMYK", color=(0, 200, 200, 0)), "accept",
               size=(64, 48)),
        Sample("jpeg-mpo-two-pictures", "phone.jpg", "image/jpeg", mpo.getvalue() + php, "accept", size=(48, 32),
               appended=True),
        Sample("png-rgba", "alpha.png", "image/png", _png(mode="RGBA", color=(0, 0, 0, 0)), "accept",
               size=(64, 48)),
        Sample("png-16bit-gray", "deep.png", "image/png", _png(mode="I;16", color=40000), "accept", size=(64, 48)),
        Sample("webp", "photo.webp", "image/webp", webp.getvalue() + html, "accept", size=(40, 30),
               appended=True),
        Sample("sliver-1x4000", "sliver.png", "image/png", _png((1, 4000)), "accept", size=(1, 4000)),
        Sample("path-in-name", "../../../../etc/cron.d/x.jpg", "image/jpeg", jpeg, "accept", size=(64, 48)),
    )


def samples(expect: str | None = None) -> list[Sample]:
    return [s for s in corpus() if expect is None or s.expect == expect]


def by_key(key: str) -> Sample:
    return next(s for s in corpus() if s.key == key)
