"""`hazardwatch bench photo`: the project's photo processing of one 12 MP JPEG next to Pillow's own
decode-resize-encode of the same image to the same outputs, interleaved in one run (docs/performance.md).

What a reported photo costs, in order (all from reports/images.py, called through its public functions):
- at intake, in the request: `check_image` (limits, EXIF, a decode of every byte at 1/8 scale, end marker, and
  the perceptual hash from that decode);
- in the worker: `make_derivatives` (the public copy without metadata, 1600 px, and the 320 px thumbnail).
The yardstick does only what any Pillow script would do to get the same two files: open, `thumbnail` to
1600 px, save as JPEG (quality 82, optimised), `thumbnail` to 320 px, save (quality 75, optimised).
Ratios are medians over rounds; each round times both sides back to back, so they see the same machine load.
"""
import io
import statistics
import time

SIZE = (4000, 3000)  # 12 MP, a phone's default
QUALITY = 90


def synthetic_photo(size=SIZE, quality: int = QUALITY, seed: int = 1) -> bytes:
    """A JPEG that compresses like a photo: colour gradients plus sensor-like noise and a few hard edges
    (a flat or purely random image would make the decoder's and encoder's work unrealistically small or large)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h) + 60], axis=-1)
    for _i in range(12):  # rectangles: edges and flat areas, like walls, boxes and signs
        x0, y0 = int(rng.integers(0, w - 200)), int(rng.integers(0, h - 200))
        base[y0:y0 + int(rng.integers(100, 900)), x0:x0 + int(rng.integers(100, 900))] = rng.integers(0, 255, 3)
    pixels = np.clip(base + rng.normal(0, 14, (h, w, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


class _Upload(io.BytesIO):
    """What check_image receives from Django: a file object with a name and a size."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.name = "photo.jpg"
        self.size = len(data)


def project_intake(data: bytes) -> bytes:
    from hazardwatch.reports.images import check_image

    checked = check_image(_Upload(data))
    assert checked.phash
    return checked.data


def project_worker(data: bytes) -> None:
    from hazardwatch.reports.images import make_derivatives

    make_derivatives(data)


def pillow_baseline(data: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail((1600, 1600))
        img.save(io.BytesIO(), "JPEG", quality=82, optimize=True)
        img.thumbnail((320, 320))
        img.save(io.BytesIO(), "JPEG", quality=75, optimize=True)


def run(out=None, rounds: int = 5, size=SIZE) -> dict:
    """Median seconds of each side over `rounds` (after one warm-up) and the ratios to Pillow's."""
    data = synthetic_photo(size)
    clock = time.perf_counter
    times = {"pillow": [], "intake": [], "worker": []}
    stored = project_intake(data)  # warm-up (imports, first allocations)
    pillow_baseline(data)
    project_worker(stored)
    for _r in range(max(1, rounds)):
        t0 = clock()
        pillow_baseline(data)
        t1 = clock()
        stored = project_intake(data)
        t2 = clock()
        project_worker(stored)
        t3 = clock()
        times["pillow"].append(t1 - t0)
        times["intake"].append(t2 - t1)
        times["worker"].append(t3 - t2)
    med = {k: statistics.median(v) for k, v in times.items()}
    per_round = [(i + w) / p for p, i, w in zip(times["pillow"], times["intake"], times["worker"])]
    result = {
        "pixels": size[0] * size[1], "bytes": len(data), "rounds": len(per_round),
        "pillow_s": med["pillow"], "intake_s": med["intake"], "worker_s": med["worker"],
        "ratio": statistics.median(per_round),
        "worker_ratio": statistics.median(w / p for p, w in zip(times["pillow"], times["worker"])),
    }
    if out is not None:
        out.write(
            f"photo processing, {size[0]}x{size[1]} JPEG q{QUALITY} ({len(data) / 1e6:.1f} MB), medians of "
            f"{len(per_round)} rounds:\n"
            f"  Pillow decode-resize-encode (1600 px q82 + 320 px q75)  {med['pillow'] * 1000:7.0f} ms\n"
            f"  intake check_image (with the pHash)                    {med['intake'] * 1000:7.0f} ms\n"
            f"  worker make_derivatives                                {med['worker'] * 1000:7.0f} ms\n"
            f"  ratio (intake + worker) / Pillow {result['ratio']:.2f}x (target <= 1.5x); worker alone "
            f"{result['worker_ratio']:.2f}x")
    return result
