"""Calibrating the photo-similarity threshold of duplicate detection on real photographs.

Each photo is turned into "same scene" variants (re-encodes, rescales, crops, brightness, contrast, blur, noise,
small rotations, a mirror), hashed with the intake's own `photo_phash`, and the Hamming distances are compared:
variant ↔ its original (same scene) and every photo ↔ every other photo's variants (different scenes). The
threshold `HAZARDWATCH_DUPLICATE_PHASH_DISTANCE` is chosen from these two distributions (docs/duplicates.md).

    .venv/bin/python -m hazardwatch.cases.phash_calibration PHOTO [PHOTO ...] [--pair A B ...]

Photos must show different scenes; `--pair A B` adds a known second shot B of A's scene (same scene).
"""
import argparse
import io
import itertools
import os
import statistics
from collections.abc import Callable

from PIL import Image, ImageEnhance, ImageFilter, ImageOps


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _reencode(quality: int):
    return lambda img: Image.open(io.BytesIO(_jpeg(img, quality)))


def _crop(fraction: float, fx: float = 0.5, fy: float = 0.5):
    def crop(img):
        w, h = img.size
        cw, ch = int(w * fraction), int(h * fraction)
        x, y = int((w - cw) * fx), int((h - ch) * fy)
        return img.crop((x, y, x + cw, y + ch))
    return crop


def _rotate(degrees: float):
    return lambda img: _crop(0.85)(img.rotate(degrees, resample=Image.BICUBIC))


def _noise(sigma: float):
    def noise(img):
        import numpy as np

        a = np.asarray(img.convert("RGB")).astype("float32")
        a += np.random.default_rng(1).normal(0, sigma, a.shape)
        return Image.fromarray(a.clip(0, 255).astype("uint8"))
    return noise


def _scale(f: float):
    return lambda img: img.resize((max(8, int(img.width * f)), max(8, int(img.height * f))))


# name → (transform, expected to match at the chosen threshold)
VARIANTS: dict[str, tuple[Callable[[Image.Image], Image.Image], bool]] = {
    "JPEG quality 75": (_reencode(75), True),
    "JPEG quality 40": (_reencode(40), True),
    "JPEG quality 15": (_reencode(15), True),
    "rescaled 50%": (_scale(0.5), True),
    "rescaled 25%": (_scale(0.25), True),
    "rescaled 200%": (_scale(2), True),
    "squashed to 4:3": (lambda i: i.resize((i.width, int(i.height * 0.75))), True),
    "cropped to 95%": (_crop(0.95), True),
    "cropped to 90%": (_crop(0.90), False),
    "cropped to 85% off-centre": (_crop(0.85, 0.2, 0.3), False),
    "cropped to 80%": (_crop(0.80), False),
    "brightness ×0.7": (lambda i: ImageEnhance.Brightness(i).enhance(0.7), True),
    "brightness ×1.3": (lambda i: ImageEnhance.Brightness(i).enhance(1.3), True),
    "contrast ×0.7": (lambda i: ImageEnhance.Contrast(i).enhance(0.7), True),
    "contrast ×1.4": (lambda i: ImageEnhance.Contrast(i).enhance(1.4), True),
    "grey": (lambda i: ImageEnhance.Color(i).enhance(0.0), True),
    "gamma 0.7": (lambda i: i.point(lambda v: int(255 * (v / 255) ** 0.7)), True),
    "blurred (radius 1.5)": (lambda i: i.filter(ImageFilter.GaussianBlur(1.5)), True),
    "sharpened": (lambda i: i.filter(ImageFilter.SHARPEN), True),
    "noise (σ 8)": (_noise(8), True),
    "rotated 2°": (_rotate(2), False),
    "rotated 5°": (_rotate(5), False),
    "mirrored": (ImageOps.mirror, False),
}


def hashes(photos: dict[str, Image.Image]) -> dict[tuple[str, str], str]:
    """{(photo name, variant or "original"): pHash} through the intake's own hashing of JPEG bytes."""
    from hazardwatch.reports.images import photo_phash

    out = {}
    for name, img in photos.items():
        img = img.convert("RGB")
        out[(name, "original")] = photo_phash(_jpeg(img))
        for variant, (fn, _) in VARIANTS.items():
            out[(name, variant)] = photo_phash(_jpeg(fn(img)))
    return out


def measure(photos: dict[str, Image.Image], pairs: list[tuple[str, Image.Image, Image.Image]] = ()) -> dict:
    """Distances of same-scene variants (per variant) and of different photos, and the false-match counts."""
    from hazardwatch.reports.images import phash_distance

    h = hashes(photos)
    same = {v: [phash_distance(h[(n, "original")], h[(n, v)]) for n in photos] for v in VARIANTS}
    for label, a, b in pairs:
        from hazardwatch.reports.images import photo_phash

        same.setdefault(label, []).append(phash_distance(photo_phash(_jpeg(a)), photo_phash(_jpeg(b))))
    different = [phash_distance(ha, hb) for (ka, ha), (kb, hb) in itertools.combinations(h.items(), 2)
                 if ka[0] != kb[0]]
    return {"same": same, "different": sorted(different)}


def summary(result: dict, thresholds=range(6, 21, 2)) -> str:
    same, diff = result["same"], result["different"]
    lines = ["same scene: distance to the original (min / median / max over the photos)"]
    for v, ds in same.items():
        lines.append(f"  {v:28s} {min(ds):2d} / {statistics.median(ds):4.1f} / {max(ds):2d}")
    all_same = [d for ds in same.values() for d in ds]
    lines.append(f"different photos: {len(diff)} pairs, min {diff[0]}, 1st percentile "
                 f"{diff[len(diff) // 100]}, median {statistics.median(diff)}")
    for t in thresholds:
        hit = sum(d <= t for d in all_same) / len(all_same)
        false = sum(d <= t for d in diff)
        lines.append(f"  threshold {t:2d}: same-scene variants matched {hit:6.1%}, false matches {false}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photos", nargs="+", help="photographs of different scenes")
    parser.add_argument("--pair", nargs=2, action="append", default=[], metavar=("A", "B"),
                        help="a second real shot B of photo A's scene")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    photos = {os.path.basename(p): Image.open(p) for p in args.photos}
    pairs = [("second shot " + os.path.basename(b), Image.open(a).convert("RGB"), Image.open(b).convert("RGB"))
             for a, b in args.pair]
    print(summary(measure(photos, pairs)))


if __name__ == "__main__":
    main()
