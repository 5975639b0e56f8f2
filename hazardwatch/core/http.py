"""Small response helpers shared by the pages and the API."""
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def download_response(data, filename: str) -> HttpResponse:
    """A download named `filename`, its content type taken from the extension (xlsx, csv, pdf)."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An Excel workbook as a download named `filename`."""
    return download_response(data, filename)
