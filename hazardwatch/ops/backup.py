"""Backup and restore of the database and media as one self-checking archive (docs/operations.md).

The archive is a tar file (gzip-compressed when its name ends in `.tar.gz`/`.tgz`) holding

    db/hazardwatch.sqlite3 or db/hazardwatch.pgdump   the database, dumped the sound way for its backend
    media/<path>                                      every file of the default storage
    manifest.json (last member)                       format, backend, migration state, rows per table,
                                                      SHA-256 and size of every other member

Why these methods:
- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the pages of the live database in one
  step under a read lock. In WAL mode that lock does not stop writers, and the copy is one consistent
  snapshot; copying the file (and its -wal) with `cp` is not.
- PostgreSQL: `pg_dump --format=custom` inside a REPEATABLE READ snapshot that this module exports
  (`pg_export_snapshot`), so the row counts in the manifest and the dump come from the same instant. A
  JSON `dumpdata` would lose the sequences' positions and the append-only triggers of the audit log and
  the reward ledger (created by RunPython migrations); `pg_dump` keeps both. Restore drops and recreates
  the `public` schema and loads the dump through `psql --single-transaction`, so a failure leaves the
  database exactly as it was.

The database is dumped before the media are read: files are written once and never changed, so every
file the snapshot refers to is in the archive (unless it was deleted in between); newer files are extra.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from hazardwatch.core.audit import VerifyResult, audit_verify

FORMAT = "hazardwatch-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "db/hazardwatch.sqlite3", "postgresql": "db/hazardwatch.pgdump"}
MEDIA_PREFIX = "media/"
# Rows that `migrate` and `flush` put back by themselves; they do not make a database "in use".
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
COMPRESSION = {".tar": "", ".tar.gz": "gz", ".tgz": "gz", ".tar.xz": "xz", ".tar.bz2": "bz2"}
CHUNK = 1024 * 1024
PG_LOCK_TIMEOUT = "60s"

Log = Callable[[str], None]


class BackupError(Exception):
    """A refusal or failure to report to the operator as it is (the command exits non-zero)."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float
    size: int


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    audit: VerifyResult
    migrated: list[str] = field(default_factory=list)


def _quiet(_msg: str) -> None:
    pass


# --- names, hashes, archive members -----------------------------------------------------------------

def default_backup_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"hazardwatch-{stamp}.tar.gz"


def _compression_for(path: Path) -> str:
    name = path.name.lower()
    for suffix, mode in sorted(COMPRESSION.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(suffix):
            return mode
    raise BackupError(f"archive name must end in one of {', '.join(COMPRESSION)}: {path.name}")


class _HashingReader:
    """Wraps a file so the bytes tarfile copies are the bytes that get hashed (no second read)."""

    def __init__(self, f):
        self.f = f
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        data = self.f.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def _add_stream(tar: tarfile.TarFile, members: dict, name: str, f, size: int, mtime: float) -> None:
    reader = _HashingReader(f)
    tar.addfile(_tarinfo(name, size, mtime), reader)
    if reader.size != size:
        raise BackupError(f"{name} changed size while being archived")
    members[name] = {"sha256": reader.sha.hexdigest(), "size": size}


def _manifest_digest(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name == MANIFEST or name in DB_MEMBER.values() or name.startswith(MEDIA_PREFIX)


# --- database: snapshot, counts, emptiness ---------------------------------------------------------

@dataclass
class DbSnapshot:
    backend: str
    member: str
    path: Path
    method: str
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    server_version: str = ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _count_rows(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _table_names(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    result: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        result.setdefault(app, []).append(name)
    return result


def _vendor() -> str:
    if connection.vendor not in DB_MEMBER:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def live_table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_rows(cursor, _vendor())


def database_is_empty() -> bool:
    """True when no table other than migrate's own bookkeeping holds a row (a fresh or flushed database)."""
    vendor = _vendor()
    with connection.cursor() as cursor:
        for table in _table_names(cursor, vendor):
            if table in BOOKKEEPING_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
            if cursor.fetchone():
                return False
    return True


def _sqlite_snapshot(work: Path) -> DbSnapshot:
    """Copy the live database with the online backup API: one consistent snapshot, writers keep going."""
    path = work / "hazardwatch.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)  # pages=-1: the whole database in one step, one snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file, no -wal beside it
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the SQLite snapshot fails its integrity check: {check}")
        cursor = target.cursor()
        tables = _count_rows(cursor, "sqlite")
        migrations = _applied_migrations(cursor)
    finally:
        target.close()
    return DbSnapshot("sqlite", DB_MEMBER["sqlite"], path, "sqlite3-online-backup", tables, migrations,
                      sqlite3.sqlite_version)


def _pg_env(settings_dict: dict) -> dict:
    """libpq environment for pg_dump/psql, so the password never appears on a command line."""
    env = dict(os.environ)
    mapping = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
    for key, var in mapping.items():
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                     "sslkey": "PGSSLKEY", "service": "PGSERVICE"}.items():
        if options.get(key):
            env[var] = str(options[key])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def _tool_major(tool: str) -> int:
    exe = shutil.which(tool)
    if not exe:
        raise BackupError(f"{tool} is not installed; install the PostgreSQL client (postgresql-client) "
                          "matching the server's major version")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot read the version of {tool}: {out.strip()}")
    return int(match.group(1))


def _check_pg_tools(server_version_num: int, tools=("pg_dump",)) -> None:
    server_major = server_version_num // 10000
    for tool in tools:
        major = _tool_major(tool)
        if major < server_major:
            raise BackupError(f"{tool} {major} is older than the PostgreSQL {server_major} server; "
                              f"install postgresql-client-{server_major}")


def _run_logged(args: list[str], env: dict, what: str) -> None:
    with tempfile.TemporaryFile() as err:
        proc = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        if proc.returncode != 0:
            err.seek(0)
            raise BackupError(f"{what} failed ({proc.returncode}): {err.read().decode(errors='replace').strip()}")


def _pg_snapshot(work: Path) -> DbSnapshot:
    """pg_dump (custom format) of a snapshot exported from our own REPEATABLE READ transaction.

    A separate connection holds the transaction open while pg_dump runs, so the counts and the migration
    state written to the manifest describe exactly the rows in the dump.
    """
    path = work / "hazardwatch.pgdump"
    live = connections[DEFAULT_DB_ALIAS]
    settings_dict = dict(live.settings_dict)
    holder = type(live)(settings_dict, alias=DEFAULT_DB_ALIAS)
    try:
        holder.ensure_connection()
        raw = holder.connection
        with raw.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            server_num = int(cursor.fetchone()[0])
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            _check_pg_tools(server_num, ("pg_dump",))
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            tables = _count_rows(cursor, "postgresql")
            migrations = _applied_migrations(cursor)
            _run_logged([shutil.which("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                         f"--snapshot={snapshot_id}", f"--file={path}"], _pg_env(settings_dict), "pg_dump")
            cursor.execute("COMMIT")
    finally:
        holder.close()
    return DbSnapshot("postgresql", DB_MEMBER["postgresql"], path, "pg_dump-custom", tables, migrations,
                      server_version)


# --- media -----------------------------------------------------------------------------------------

def _storage_is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _media_root() -> Path:
    return Path(default_storage.location)


def _local_media_files(skip: set[Path]) -> list[tuple[str, Path]]:
    root = _media_root()
    if not root.exists():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):  # symlinks are not followed out of MEDIA_ROOT
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file() or path.resolve() in skip:
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


def _storage_names(prefix: str = "") -> list[str]:
    """Every file name in a non-local storage (S3 and the like), walking listdir."""
    dirs, files = default_storage.listdir(prefix)
    names = [f"{prefix}{f}" for f in sorted(files)]
    for d in sorted(dirs):
        names.extend(_storage_names(f"{prefix}{d}/"))
    return names


def _add_media(tar: tarfile.TarFile, members: dict, skip: set[Path], log: Log) -> dict:
    count = total = 0
    if _storage_is_local():
        for rel, path in _local_media_files(skip):
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                _add_stream(tar, members, MEDIA_PREFIX + rel, f, st.st_size, st.st_mtime)
            count += 1
            total += st.st_size
    else:
        for name in _storage_names():
            size = default_storage.size(name)
            with default_storage.open(name, "rb") as f:
                _add_stream(tar, members, MEDIA_PREFIX + name, f, size, time.time())
            count += 1
            total += size
    log(f"media: {count} files, {total} bytes")
    cls = default_storage.__class__  # the lazy proxy forwards __class__ to the configured storage
    return {"storage": f"{cls.__module__}.{cls.__name__}",
            "files": count, "bytes": total}


def _media_present() -> bool:
    if _storage_is_local():
        return bool(_local_media_files(set()))
    return bool(_storage_names())


# --- backup ----------------------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_create(*, dest: Path, force: bool = False, log: Log = _quiet) -> BackupResult:
    """Write the archive to a temporary name beside `dest`, fsync it, then rename it into place."""
    started = time.monotonic()
    dest = Path(dest).absolute()
    compression = _compression_for(dest)
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists; use --force to replace it")
    vendor = _vendor()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.part"
    with tempfile.TemporaryDirectory(prefix=".hazardwatch-backup-", dir=dest.parent) as work:
        snapshot = _sqlite_snapshot(Path(work)) if vendor == "sqlite" else _pg_snapshot(Path(work))
        log(f"database: {snapshot.method}, {len(snapshot.tables)} tables, "
            f"{sum(snapshot.tables.values())} rows")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
            with os.fdopen(fd, "wb") as raw:
                kwargs = {"compresslevel": 6} if compression == "gz" else {}
                with tarfile.open(fileobj=raw, mode=f"w:{compression}", format=tarfile.PAX_FORMAT, **kwargs) as tar:
                    members: dict = {}
                    with open(snapshot.path, "rb") as f:
                        st = os.fstat(f.fileno())
                        _add_stream(tar, members, snapshot.member, f, st.st_size, time.time())
                    media = _add_media(tar, members, {dest, tmp.resolve()}, log)
                    manifest = _build_manifest(snapshot, media, members)
                    data = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1).encode()
                    tar.addfile(_tarinfo(MANIFEST, len(data), time.time()), io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return BackupResult(dest, manifest, time.monotonic() - started, dest.stat().st_size)


def _build_manifest(snapshot: DbSnapshot, media: dict, members: dict) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("hazardwatch")
    except PackageNotFoundError:
        app_version = ""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "hazardwatch_version": app_version,
        "django_version": django.get_version(),
        "backend": snapshot.backend,
        "database": {"member": snapshot.member, "method": snapshot.method,
                     "server_version": snapshot.server_version},
        "migrations": snapshot.migrations,
        "tables": snapshot.tables,
        "media": media,
        "members": members,
    }
    manifest["manifest_sha256"] = _manifest_digest(manifest)
    return manifest


# --- reading and verifying an archive --------------------------------------------------------------

def _extract_verified(src: Path, staging: Path) -> dict:
    """Extract every member into `staging` while hashing it; return the manifest once all members match.

    Nothing outside `staging` is touched, so a corrupted, truncated or altered archive changes nothing.
    """
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(src, mode="r:*") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member_name(member.name) or member.name in seen:
                    raise BackupError(f"unexpected member in archive: {member.name!r}; not a Hazardwatch backup")
                reader = _HashingReader(tar.extractfile(member))
                if member.name == MANIFEST:
                    manifest_bytes = reader.read()
                else:
                    target = staging / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "wb") as out:
                        shutil.copyfileobj(reader, out, CHUNK)
                seen[member.name] = {"sha256": reader.sha.hexdigest(), "size": reader.size}
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile) as exc:
        raise BackupError(f"the archive is corrupted or truncated ({exc}); nothing was changed") from exc
    if manifest_bytes is None:
        raise BackupError("the archive has no manifest.json (truncated, or not a Hazardwatch backup); "
                          "nothing was changed")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON ({exc}); nothing was changed") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a Hazardwatch backup (manifest format); nothing was changed")
    if manifest.get("manifest_sha256") != _manifest_digest(manifest):
        raise BackupError("manifest.json does not match its own checksum; nothing was changed")
    expected = manifest.get("members") or {}
    seen.pop(MANIFEST)
    for name in sorted(set(expected) | set(seen)):
        if name not in seen:
            raise BackupError(f"member {name} is missing from the archive; nothing was changed")
        if name not in expected:
            raise BackupError(f"member {name} is not listed in the manifest; nothing was changed")
        if seen[name] != expected[name]:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged or was altered; "
                              "nothing was changed")
    return manifest


def archive_verify(src: Path) -> dict:
    """Check an archive's checksums without restoring anything (`hazardwatch restore --check`)."""
    with tempfile.TemporaryDirectory(prefix=".hazardwatch-check-") as staging:
        manifest = _extract_verified(Path(src), Path(staging))
    _check_compatible(manifest)
    return manifest


def _pending_migrations(manifest: dict) -> list[str]:
    """Migrations in this code that the archive lacks; refuse if the archive has ones this code lacks."""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    newer = sorted(archived - on_disk)
    if newer:
        listed = ", ".join(f"{app}.{name}" for app, name in newer[:5]) + (" …" if len(newer) > 5 else "")
        raise BackupError(f"the archive comes from a newer Hazardwatch (migrations unknown to this code: {listed}); "
                          "install that version, restore, then downgrade if needed; nothing was changed")
    return [f"{app}.{name}" for app, name in sorted(on_disk - archived)]


def _check_compatible(manifest: dict) -> list[str]:
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(f"archive format version {manifest.get('format_version')} is newer than this code "
                          f"reads ({FORMAT_VERSION}); nothing was changed")
    vendor = _vendor()
    if manifest.get("backend") != vendor:
        raise BackupError(f"the archive holds a {manifest.get('backend')} database but this installation uses "
                          f"{vendor}; restore into the same backend (see docs/operations.md for moving between "
                          "backends); nothing was changed")
    return _pending_migrations(manifest)


# --- restore ---------------------------------------------------------------------------------------

def _sqlite_restore(dump: Path) -> None:
    """Copy the archived database into the live one with the backup API: one write transaction."""
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a database transaction")
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed ({exc}); the database is unchanged") from exc
    finally:
        source.close()


def _pg_restore(dump: Path) -> None:
    """Drop and recreate `public`, then load the dump, all in one transaction (`psql --single-transaction`)."""
    settings_dict = dict(connection.settings_dict)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        _check_pg_tools(int(cursor.fetchone()[0]), ("pg_restore", "psql"))
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a database transaction")
    connection.close()  # our own session must not hold locks on the tables being dropped
    env = _pg_env(settings_dict)
    preamble = (f"SET lock_timeout = '{PG_LOCK_TIMEOUT}'; DROP SCHEMA IF EXISTS public CASCADE; "
                "CREATE SCHEMA public;")
    with tempfile.TemporaryFile() as err1, tempfile.TemporaryFile() as err2:
        producer = subprocess.Popen([shutil.which("pg_restore"), "--no-owner", "--no-privileges", "--file=-",
                                     str(dump)], stdout=subprocess.PIPE, stderr=err1, env=env)
        consumer = subprocess.Popen([shutil.which("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                     "--single-transaction", "-c", preamble, "-f", "-"],
                                    stdin=producer.stdout, stdout=subprocess.DEVNULL, stderr=err2, env=env)
        producer.stdout.close()
        consumer_rc = consumer.wait()
        producer_rc = producer.wait()
        if consumer_rc != 0 or producer_rc != 0:
            err1.seek(0)
            err2.seek(0)
            detail = (err2.read() + err1.read()).decode(errors="replace").strip()
            raise BackupError(f"PostgreSQL restore failed and was rolled back; the database is unchanged: {detail}")


def _swap_local_media(staged: Path) -> None:
    """Move the verified media into MEDIA_ROOT: rename the old tree aside, rename the new one in, delete the old."""
    root = _media_root()
    staged.mkdir(parents=True, exist_ok=True)
    old = root.with_name(f".{root.name}.old-{secrets.token_hex(4)}")
    if root.exists():
        try:
            os.replace(root, old)
        except OSError:  # MEDIA_ROOT is a mount point: empty it instead of moving it
            for child in list(root.iterdir()):
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
            for child in list(staged.iterdir()):
                os.replace(child, root / child.name)
            return
    root.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, root)
    shutil.rmtree(old, ignore_errors=True)


def _restore_storage_media(staged: Path) -> None:
    """Object storage: delete what is there, then upload every archived file under its own name."""
    from django.core.files import File

    for name in _storage_names():
        default_storage.delete(name)
    if not staged.exists():
        return
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        name = path.relative_to(staged).as_posix()
        with open(path, "rb") as f:
            saved = default_storage.save(name, File(f, name=name))
        if saved != name:
            raise BackupError(f"storage stored {name} as {saved}; media restore incomplete")


def _staging_parent() -> Path | None:
    """Stage beside MEDIA_ROOT so the media swap is a rename on one file system."""
    if not _storage_is_local():
        return None
    parent = _media_root().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def backup_restore(*, src: Path, force: bool = False, log: Log = _quiet) -> RestoreResult:
    """Verify the archive, then replace the database and media with its content and verify the audit chain.

    Refusals (bad checksum, truncated, wrong backend, newer migrations, non-empty target without `force`)
    happen before anything is changed.
    """
    started = time.monotonic()
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"no such archive: {src}")
    with tempfile.TemporaryDirectory(prefix=".hazardwatch-restore-", dir=_staging_parent()) as work:
        staging = Path(work)
        manifest = _extract_verified(src, staging)
        log(f"archive verified: {len(manifest['members'])} members, created {manifest.get('created_at')}")
        pending = _check_compatible(manifest)
        if not force and (not database_is_empty() or _media_present()):
            raise BackupError("the database or media folder is not empty; use --force to replace them with the "
                              "archive's content (everything there now is lost); nothing was changed")
        dump = staging / manifest["database"]["member"]
        (_sqlite_restore if manifest["backend"] == "sqlite" else _pg_restore)(dump)
        counts = live_table_counts()
        wrong = sorted(t for t in manifest["tables"] if counts.get(t) != manifest["tables"][t])
        if wrong:
            raise BackupError(f"restored row counts differ from the manifest for: {', '.join(wrong[:10])}")
        log(f"database restored: {len(counts)} tables, {sum(counts.values())} rows match the manifest")
        staged_media = staging / MEDIA_PREFIX.rstrip("/")
        if _storage_is_local():
            _swap_local_media(staged_media)
        else:
            _restore_storage_media(staged_media)
        log(f"media restored: {manifest['media']['files']} files, {manifest['media']['bytes']} bytes")
    if pending:
        log(f"applying {len(pending)} migrations newer than the archive")
        call_command("migrate", interactive=False, verbosity=0)
    audit = audit_verify()
    return RestoreResult(manifest, time.monotonic() - started, audit, pending)
