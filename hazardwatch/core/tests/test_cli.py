import subprocess
import sys
from pathlib import Path


def test_hazardwatch_command_wraps_management_commands(tmp_path):
    exe = Path(sys.executable).with_name("hazardwatch")
    env = {"PATH": "/usr/bin:/bin", "HAZARDWATCH_VAR_DIR": str(tmp_path)}
    result = subprocess.run([str(exe), "help"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("audit", "worker", "overdue", "demo", "load_divisions", "migrate"):
        assert command in result.stdout
    migrate = subprocess.run([str(exe), "migrate", "-v0"], capture_output=True, text=True, env=env, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "hazardwatch.sqlite3").exists()
    verify = subprocess.run([str(exe), "audit", "verify"], capture_output=True, text=True, env=env, timeout=60)
    assert verify.returncode == 0 and "OK" in verify.stdout
