"""`hazardwatch backup` / `hazardwatch restore`: round trip of a populated database and media, and refusals.

Data goes in through the public API (reports with photos, which open cases and write audit entries) and a
case transition; the commands run through `call_command` and the `hazardwatch` console entry point.
The restore replaces the whole database, so these tests run outside the test transaction.
"""
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hazardwatch.cases.models import Case
from hazardwatch.cases.services import case_transition
from hazardwatch.core.audit import audit_verify
from hazardwatch.core.models import AuditEntry
from hazardwatch.ops.backup import MANIFEST, _manifest_digest, database_is_empty, live_table_counts
from hazardwatch.reports.models import Report, ReportPhoto
from hazardwatch.reports.services import identity_read

pytestmark = pytest.mark.django_db(transaction=True)

JINSHUI = {"latitude": 34.78, "longitude": 113.672}


def media_bytes(settings) -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def report_rows():
    return list(Report.objects.order_by("pk").values("pk", "public_id", "description", "lat", "lon", "case_id",
                                                     "receipt_hash", "submitted_at"))


@pytest.fixture
def populated(city, client, make_jpeg, settings):
    """Three reports (two with photos, one with a contact), their cases, an accepted case, an identity read."""
    for i, text in enumerate(["商场安全出口被货物堵死了", "工厂车间粉尘很厚，除尘器没开", "楼道里电动车充电"]):
        data = {"description": text, **JINSHUI, "category": "escape_route"}
        if i == 1:
            data["contact"] = {"name": "王先生", "phone": "+86 138-0013-8000"}
        files = {"photos": [SimpleUploadedFile(f"p{i}.jpg", make_jpeg(color=(40 * i, 90, 30)), "image/jpeg")]} \
            if i < 2 else {}
        resp = client.post("/api/v1/reports", {"data": json.dumps(data), **files})
        assert resp.status_code == 201, resp.content
    case = Case.objects.order_by("pk").first()
    case_transition(case_id=case.pk, action="accept", actor=city.inspector_li, data={"note": "已受理"})
    identity_read(report=Report.objects.get(description__startswith="工厂"), actor=city.leader_zhao,
                  purpose="follow-up call")
    assert ReportPhoto.objects.count() == 2 and AuditEntry.objects.count() >= 5
    assert len(media_bytes(settings)) >= 4  # originals plus derived copies and thumbnails
    return city


def wipe(settings):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    assert database_is_empty()


def backup(path: Path, *extra):
    call_command("backup", str(path), *extra, verbosity=0)
    return path


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def run_cli(*argv) -> int:
    """The `hazardwatch` console command in-process (same test database): its exit status."""
    from hazardwatch.cli import main

    old = sys.argv
    sys.argv = ["hazardwatch", *argv]
    try:
        main()
    except SystemExit as exc:
        return exc.code or 0
    finally:
        sys.argv = old
    return 0


def test_round_trip_restores_rows_media_and_a_verifying_audit_chain(populated, client, settings, tmp_path):
    counts, rows, files = live_table_counts(), report_rows(), media_bytes(settings)
    audit_rows = list(AuditEntry.objects.order_by("pk").values_list("pk", "hash", "action"))
    archive = backup(tmp_path / "out" / "hw.tar.gz")
    manifest = manifest_of(archive)
    assert manifest["backend"] == connection.vendor and manifest["tables"] == counts
    assert manifest["migrations"]["reports"] and manifest["media"]["files"] == len(files)
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())

    wipe(settings)
    assert Report.objects.count() == 0 and not Path(settings.MEDIA_ROOT).exists()
    assert run_cli("restore", str(archive)) == 0

    assert live_table_counts() == counts
    assert report_rows() == rows
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", "hash", "action")) == audit_rows
    assert media_bytes(settings) == files
    assert audit_verify().ok
    call_command("audit", "verify")
    # sequences came back with the rows: a new report gets a fresh id, and the chain keeps growing
    resp = client.post("/api/v1/reports", {"data": json.dumps({"description": "配电箱门敞开", **JINSHUI})})
    assert resp.status_code == 201, resp.content
    assert Report.objects.count() == len(rows) + 1 and audit_verify().ok
    if connection.vendor == "postgresql":  # the append-only trigger is part of the dump
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=1).update(action="forged")


def test_backup_refuses_to_overwrite_without_force_and_leaves_no_temp_files(populated, tmp_path):
    archive = backup(tmp_path / "hw.tar")
    first = archive.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        backup(archive)
    assert archive.read_bytes() == first
    backup(archive, "--force")
    assert manifest_of(archive)["created_at"] != manifest_of_bytes(first)["created_at"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw.tar", "media"]


def manifest_of_bytes(data: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def _flip_byte_in_member(archive: Path, prefix: str) -> str:
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(prefix) and m.size > 100)
    data = bytearray(archive.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    return member.name


@pytest.mark.parametrize("damage", ["media", "db", "truncate", "truncate_gz"])
def test_damaged_archive_is_refused_and_nothing_changes(populated, settings, tmp_path, capsys, damage):
    archive = backup(tmp_path / ("hw.tar.gz" if damage == "truncate_gz" else "hw.tar"))
    if damage in ("media", "db"):
        name = _flip_byte_in_member(archive, "media/" if damage == "media" else "db/")
        expected = f"checksum mismatch for {name}"
    else:
        data = archive.read_bytes()
        archive.write_bytes(data[: len(data) * 2 // 3])
        expected = "truncated"
    wipe(settings)
    Path(settings.MEDIA_ROOT, "keep.txt").parent.mkdir(parents=True)
    Path(settings.MEDIA_ROOT, "keep.txt").write_bytes(b"untouched")
    assert run_cli("restore", "--force", str(archive)) == 1
    assert expected in capsys.readouterr().err
    assert database_is_empty() and media_bytes(settings) == {"keep.txt": b"untouched"}
    assert run_cli("restore", "--check", str(archive)) == 1


def test_restore_into_a_non_empty_database_needs_force_and_then_replaces_it(populated, client, settings, tmp_path):
    counts, rows, files = live_table_counts(), report_rows(), media_bytes(settings)
    archive = backup(tmp_path / "hw.tar.gz")
    resp = client.post("/api/v1/reports", {"data": json.dumps({"description": "备份之后的新隐患", **JINSHUI})})
    assert resp.status_code == 201
    Path(settings.MEDIA_ROOT, "stray.bin").write_bytes(b"after the backup")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), verbosity=0)
    assert Report.objects.count() == len(rows) + 1  # refused: nothing changed

    call_command("restore", str(archive), "--force", verbosity=0)
    assert live_table_counts() == counts and report_rows() == rows
    assert media_bytes(settings) == files
    assert audit_verify().ok


def test_empty_media_folder_alone_does_not_block_restore(populated, settings, tmp_path):
    archive = backup(tmp_path / "hw.tar")
    wipe(settings)
    Path(settings.MEDIA_ROOT).mkdir()
    call_command("restore", str(archive), verbosity=0)
    assert Report.objects.count() == 3


def _rewrite_manifest(archive: Path, change, rehash: bool = True) -> Path:
    out = archive.with_name("altered.tar")
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                if rehash:
                    manifest["manifest_sha256"] = _manifest_digest(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_archive_from_newer_migrations_is_refused(populated, settings, tmp_path):
    archive = backup(tmp_path / "hw.tar")
    newer = _rewrite_manifest(archive, lambda m: m["migrations"]["reports"].append("9999_from_the_future"))
    wipe(settings)
    with pytest.raises(CommandError, match="newer Hazardwatch.*reports.9999_from_the_future"):
        call_command("restore", str(newer), verbosity=0)
    assert database_is_empty()


def test_manifest_edited_without_its_checksum_is_refused(populated, settings, tmp_path):
    archive = backup(tmp_path / "hw.tar")
    edited = _rewrite_manifest(archive, lambda m: m["tables"].update(reports_report=999), rehash=False)
    wipe(settings)
    with pytest.raises(CommandError, match="manifest.json does not match its own checksum"):
        call_command("restore", str(edited), verbosity=0)
    assert database_is_empty()


def test_restore_fails_loudly_when_the_restored_audit_chain_does_not_verify(populated, settings, tmp_path, capsys):
    from hazardwatch.core.tests.test_audit import tamper

    tamper("UPDATE core_auditentry SET actor_label = 'someone else' WHERE id = 2")
    archive = backup(tmp_path / "hw.tar")
    wipe(settings)
    assert run_cli("restore", str(archive)) == 1
    err = capsys.readouterr().err
    assert "audit chain is BROKEN at entry 2" in err and "Do not put this database into service" in err


def test_postgresql_restore_that_fails_midway_is_rolled_back(populated, client, settings, tmp_path, monkeypatch):
    """Another session holds a lock, so the DROP inside the restore times out: the database is left as it was."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite restores with the backup API in one step; PostgreSQL runs a multi-statement script")
    from django.db import connections

    archive = backup(tmp_path / "hw.tar")
    resp = client.post("/api/v1/reports", {"data": json.dumps({"description": "备份之后的新隐患", **JINSHUI})})
    assert resp.status_code == 201
    rows, counts, files = report_rows(), live_table_counts(), media_bytes(settings)
    monkeypatch.setattr("hazardwatch.ops.backup.PG_LOCK_TIMEOUT", "1s")
    live = connections["default"]
    other = type(live)(dict(live.settings_dict), alias="default")
    try:
        other.ensure_connection()
        with other.connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT 1 FROM reports_report LIMIT 1")  # ACCESS SHARE until the end of the transaction
            with pytest.raises(CommandError, match="rolled back.*lock timeout"):
                call_command("restore", str(archive), "--force", verbosity=0)
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert report_rows() == rows and live_table_counts() == counts and media_bytes(settings) == files


def test_archive_with_a_path_outside_its_folders_is_refused(populated, settings, tmp_path):
    archive = backup(tmp_path / "hw.tar")
    evil = tmp_path / "evil.tar"
    with tarfile.open(archive) as src, tarfile.open(evil, "w") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 3
        dst.addfile(info, io.BytesIO(b"bad"))
    wipe(settings)
    with pytest.raises(CommandError, match="unexpected member"):
        call_command("restore", str(evil), verbosity=0)
    assert not (tmp_path / "escaped.txt").exists() and database_is_empty()
