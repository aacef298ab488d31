"""make install is idempotent: a second run changes nothing and says so."""

import subprocess


def test_install_is_a_noop_when_nothing_changed(repo):
    stamp = repo / "tools/venv/.install-stamp"
    assert stamp.is_file(), "run make install first"
    before = (stamp.stat().st_mtime_ns, stamp.read_text())
    r = subprocess.run(["make", "-s", "install"], cwd=repo, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "tools/venv is up to date" in r.stderr
    assert (stamp.stat().st_mtime_ns, stamp.read_text()) == before


def test_venv_has_the_pinned_torch_and_no_torchaudio(repo):
    py = repo / "tools/venv/bin/python"
    code = ("import importlib.util, torch; print(torch.__version__); "
            "print(importlib.util.find_spec('torchaudio') is None)")
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith("2.13.0") and out[1] == "True"
