import pytest


@pytest.mark.django_db
def test_chinese_by_default_even_for_an_english_browser(client):
    page = client.get("/report/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page.lower() and "我要报告隐患" in page


@pytest.mark.django_db
def test_the_switch_chooses_english(client):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/report/"})
    assert resp.status_code == 302
    page = client.get("/report/").content.decode()
    assert "Report a hazard" in page


def test_chinese_catalogue_is_complete():
    """Every message in the Simplified Chinese catalogue is translated and none is fuzzy."""
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parents[3] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
