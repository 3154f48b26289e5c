"""Does the first `flask kb init` print calm lines in one format?"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_first_init_logs_in_one_format_without_alarming_warnings(tmp_path):
    env = {**os.environ, "KB_DATA_DIR": str(tmp_path / "data"), "FLASK_APP": "wsgi"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "kb", "init"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "init says nothing at all"
    assert all(line.startswith("[") and "] [" in line for line in lines), lines
    assert not [line for line in lines if "[WARNING]" in line or "[ERROR]" in line], lines
