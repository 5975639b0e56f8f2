"""Helpers shared by the public-page tests."""
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile

RECEIPT_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
RECEIPT_SHOWN_RE = re.compile(r'id="receipt-code">\s*([0-9A-Z-]+)\s*<')
JINSHUI = {"latitude": "34.78", "longitude": "113.672"}  # Jinshui district, Zhengzhou (WGS-84)


def jpeg_bytes(size=(64, 48), color=(200, 40, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def jpeg_upload(name="hazard.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def report_data(**overrides) -> dict:
    data = {
        "description": "楼道里停着三辆电动车在充电，安全出口被堵住了",
        "category": "ebike_charging",
        "place_type": "residential",
        "address": "金水区某小区 3 号楼 1 单元",
        **JINSHUI,
        "crs": "wgs84",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
