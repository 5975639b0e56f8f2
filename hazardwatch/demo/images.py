"""Demo photos drawn locally with Pillow: a simple scene per hazard category plus a caption bar.

Nothing is downloaded. A CJK font is used for the caption when one is installed (fonts-noto-cjk),
otherwise the caption falls back to ASCII with Pillow's built-in font.
"""
import io
import random
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 600

_CJK_FONTS = [
    # (path, face index of the Simplified Chinese face in the collection)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]


@lru_cache(maxsize=4)
def _font(size: int):
    """(font, supports_cjk)."""
    for path, index in _CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size, index=index), True
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size), False
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default(), False


def _sky(draw: ImageDraw.ImageDraw, top, bottom, height):
    for y in range(height):
        f = y / max(1, height - 1)
        colour = tuple(int(top[i] + (bottom[i] - top[i]) * f) for i in range(3))
        draw.line([(0, y), (WIDTH, y)], fill=colour)


def _building(draw, rng, x, y, w, h, colour):
    draw.rectangle([x, y, x + w, h + y], fill=colour, outline=(70, 70, 70))
    for wy in range(y + 14, y + h - 20, 34):
        for wx in range(x + 10, x + w - 20, 28):
            lit = rng.random() < 0.35
            draw.rectangle([wx, wy, wx + 16, wy + 20], fill=(250, 230, 150) if lit else (120, 150, 180))


def _boxes(draw, rng, x, y, n):
    for _ in range(n):
        w, h = rng.randint(40, 90), rng.randint(30, 70)
        draw.rectangle([x, y - h, x + w, y], fill=(170, 120, 70), outline=(100, 70, 40), width=2)
        draw.line([(x, y - h // 2), (x + w, y - h // 2)], fill=(120, 85, 50), width=2)
        x += w - rng.randint(0, 15)
        y -= rng.randint(-5, 20)


def _ebike(draw, x, y, colour):
    draw.ellipse([x, y, x + 50, y + 50], outline=(30, 30, 30), width=5)
    draw.ellipse([x + 90, y, x + 140, y + 50], outline=(30, 30, 30), width=5)
    draw.polygon([(x + 25, y + 25), (x + 60, y - 15), (x + 115, y + 25), (x + 80, y + 25)], fill=colour)
    draw.line([(x + 115, y + 25), (x + 105, y - 30)], fill=(30, 30, 30), width=5)


def _tank(draw, x, y, w, h, colour):
    draw.rectangle([x, y, x + w, y + h], fill=colour, outline=(90, 90, 90), width=2)
    draw.ellipse([x, y - 18, x + w, y + 18], fill=tuple(min(255, c + 30) for c in colour), outline=(90, 90, 90))


def _scene(draw, rng, category, after):
    ground = 430
    if category == "mining":
        _sky(draw, (150, 180, 210), (220, 225, 230), ground)
        draw.rectangle([0, ground, WIDTH, HEIGHT], fill=(120, 100, 80))
        draw.polygon([(0, ground), (180, 190), (420, ground)], fill=(140, 115, 85))
        draw.polygon([(300, ground), (560, 150), (800, ground)], fill=(125, 100, 75))
        draw.rectangle([560, 300, 640, ground], fill=(80, 80, 90))
        draw.polygon([(550, 300), (600, 240), (650, 300)], fill=(60, 60, 70))
        return
    outdoor = category in {"construction", "road_transport", "hazardous_chemicals", "building", "other",
                           "electrical", "fireworks"}
    if outdoor:
        _sky(draw, (120, 170, 220) if not after else (100, 175, 235), (215, 230, 240), ground)
        road = category == "road_transport"
        draw.rectangle([0, ground, WIDTH, HEIGHT], fill=(110, 110, 110) if road else (150, 140, 120))
        for i in range(rng.randint(2, 4)):
            colour = (rng.randint(170, 215), rng.randint(165, 205), rng.randint(150, 190))
            _building(draw, rng, 30 + i * 190 + rng.randint(-20, 20), rng.randint(120, 240), rng.randint(120, 170),
                      ground - 240 + rng.randint(0, 60), colour)
    else:
        # indoor: wall, floor, a door
        draw.rectangle([0, 0, WIDTH, ground], fill=(225, 220, 205))
        draw.rectangle([0, ground, WIDTH, HEIGHT], fill=(150, 150, 145))
        draw.rectangle([300, 150, 470, ground], fill=(120, 90, 60), outline=(60, 40, 20), width=4)
        draw.rectangle([320, 110, 450, 145], fill=(20, 150, 70))
        draw.text((335, 112), "EXIT", fill=(255, 255, 255), font=_font(26)[0])
    if category == "escape_route" and not after:
        _boxes(draw, rng, 250, ground + 20, rng.randint(4, 7))
    elif category == "fire_equipment":
        draw.rounded_rectangle([560, 290, 610, ground], radius=12, fill=(200, 30, 30) if after else (150, 60, 60))
        draw.rectangle([545, 200, 700, 290], outline=(180, 20, 20), width=5)
    elif category == "ebike_charging":
        for i in range(3 if not after else 0):
            _ebike(draw, 60 + i * 170, ground - 40, (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
        if not after:
            draw.line([(700, 80), (620, 160), (560, 260), (420, ground - 20)], fill=(240, 120, 0), width=4)
    elif category == "gas":
        for i in range(2):
            _tank(draw, 520 + i * 90, 300, 70, 130, (90, 120, 170))
        if not after:
            draw.line([(555, 290), (470, 200), (420, 230)], fill=(40, 40, 40), width=6)
    elif category == "electrical":
        draw.rectangle([600, 280, 700, ground], fill=(170, 170, 180), outline=(90, 90, 90), width=3)
        if not after:
            for _ in range(6):
                start = (rng.randint(560, 740), rng.randint(150, 280))
                draw.line([start, (rng.randint(520, 760), rng.randint(280, 420))], fill=(20, 20, 20), width=3)
            draw.polygon([(650, 180), (620, 240), (680, 240)], fill=(250, 210, 0), outline=(0, 0, 0))
    elif category == "hazardous_chemicals":
        for i in range(3):
            _tank(draw, 420 + i * 120, 290, 100, 140, (225, 225, 230))
        for i in range(4):
            draw.rectangle([80 + i * 45, ground - 60, 115 + i * 45, ground], fill=(30, 90, 160))
    elif category == "fireworks":
        _boxes(draw, rng, 360, ground + 30, 6)
        for i in range(5 if not after else 0):
            draw.rectangle([370 + i * 50, ground - 20 - i * 8, 410 + i * 50, ground + 10], fill=(210, 30, 40))
    elif category == "construction":
        for x in range(450, 760, 40):
            draw.line([(x, 140), (x, ground)], fill=(90, 90, 90), width=4)
        for y in range(160, ground, 45):
            draw.line([(450, y), (760, y)], fill=(90, 90, 90), width=3)
        if after:
            draw.rectangle([445, 140, 765, ground], outline=(20, 120, 40), width=6)
            for y in range(150, ground, 12):
                draw.line([(448, y), (762, y)], fill=(40, 140, 60), width=1)
        draw.line([(150, ground), (150, 70)], fill=(230, 180, 0), width=8)
        draw.line([(60, 80), (420, 80)], fill=(230, 180, 0), width=8)
    elif category == "special_equipment":
        draw.rectangle([520, 130, 720, ground], fill=(190, 195, 200), outline=(90, 90, 90), width=4)
        draw.line([(620, 130), (620, ground)], fill=(90, 90, 90), width=3)
        draw.rectangle([600, 90, 640, 120], fill=(20, 20, 20))
    elif category == "road_transport":
        draw.rectangle([120, 300, 420, 410], fill=(200, 80, 40))
        draw.rectangle([420, 330, 520, 410], fill=(60, 90, 150))
        for x in (160, 340, 470):
            draw.ellipse([x - 25, 390, x + 25, 440], fill=(20, 20, 20))
        for x in range(0, WIDTH, 80):
            draw.rectangle([x, 500, x + 40, 510], fill=(240, 240, 240))
    elif category == "workplace":
        for i in range(3):
            x = 60 + i * 230
            draw.rectangle([x, 270, x + 150, ground], fill=(110, 130, 140), outline=(60, 60, 60), width=3)
            draw.ellipse([x + 40, 300, x + 110, 370], outline=(40, 40, 40), width=5)
        if not after:
            draw.rectangle([0, ground - 8, WIDTH, ground + 6], fill=(200, 195, 180))
    elif category == "building":
        pts, x, y = [], 520, 160
        while y < ground:
            pts.append((x, y))
            x += rng.randint(-25, 25)
            y += rng.randint(20, 45)
        if not after:
            draw.line(pts, fill=(40, 40, 40), width=4)
    else:  # other
        draw.ellipse([330, 470, 470, 540], fill=(30, 30, 30) if not after else (90, 90, 90))


def scene_jpeg(*, rng: random.Random, category: str, caption: str, stamp: str, after: bool = False,
               quality: int = 78) -> bytes:
    """An 800×600 JPEG: a category scene, an "after" variant for evidence, and a caption bar."""
    img = Image.new("RGB", (WIDTH, HEIGHT), (230, 230, 230))
    draw = ImageDraw.Draw(img)
    _scene(draw, rng, category, after)
    if after:
        draw.ellipse([WIDTH - 120, 20, WIDTH - 20, 120], outline=(20, 160, 60), width=10)
        draw.line([(WIDTH - 100, 72), (WIDTH - 78, 95), (WIDTH - 38, 45)], fill=(20, 160, 60), width=10)
    font, cjk = _font(24)
    small, _ = _font(18)
    draw.rectangle([0, HEIGHT - 64, WIDTH, HEIGHT], fill=(0, 0, 0))
    text = caption if cjk else caption.encode("ascii", "ignore").decode() or category
    label = ("演示照片" if cjk else "DEMO PHOTO") + ("（整改后）" if after and cjk else " (after)" if after else "")
    draw.text((16, HEIGHT - 58), text[:30], fill=(255, 255, 255), font=font)
    draw.text((16, HEIGHT - 28), f"{label}  {stamp}", fill=(200, 200, 200), font=small)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()
