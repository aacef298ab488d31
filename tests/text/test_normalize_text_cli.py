"""`python -m asrllm.bin.normalize_text`: a stdin -> stdout filter over Kaldi text lines."""

import subprocess
import sys

import pytest


def run_filter(data: bytes, normalizer: str, tool_env: dict, repo) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asrllm.bin.normalize_text", "--normalizer", normalizer],
                          input=data, capture_output=True, cwd=repo, env=tool_env, timeout=60)


def test_filter_keeps_ids_and_empty_lines(tool_env, repo):
    data = "u1 我爱 I love you！\nu2\nu3 ＨＥＬＬＯ，ｗｏｒｌｄ\nu4 。？\n".encode()
    out = run_filter(data, "zh", tool_env, repo)
    assert out.returncode == 0, out.stderr.decode()
    # u4 normalises to nothing and is written as the bare uttid (a valid empty transcript)
    assert out.stdout.decode() == "u1 我爱I LOVE YOU\nu2\nu3 HELLO WORLD\nu4\n"


def test_filter_gigaspeech(tool_env, repo):
    out = run_filter(b"POD0001 UM I THINK <COMMA> IT'S E-COMMERCE <PERIOD>\nPOD0002 <SIL>\n", "gigaspeech",
                     tool_env, repo)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode() == "POD0001 I THINK IT'S E COMMERCE\nPOD0002\n"


@pytest.mark.parametrize("data,message", [
    (b"u1 ok\nu2 bad \xff byte\n", "/dev/stdin:2: not valid UTF-8"),
    (b"u1 ok\n\nu3 x\n", "/dev/stdin:2: empty line"),
    (b"u1 ok\nu1 again\n", "/dev/stdin:2: duplicate id 'u1'"),
])
def test_filter_errors_name_the_line(tool_env, repo, data, message):
    out = run_filter(data, "en", tool_env, repo)
    assert out.returncode == 1
    assert message in out.stderr.decode()


def test_unknown_normalizer_is_rejected(tool_env, repo):
    out = run_filter(b"u1 x\n", "klingon", tool_env, repo)
    assert out.returncode == 2
    assert "invalid choice" in out.stderr.decode()


def test_in_file_option(tool_env, repo, tmp_path):
    (tmp_path / "text").write_text("u1 Hello, World!\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "asrllm.bin.normalize_text", "--normalizer", "en",
                          "--in", str(tmp_path / "text")], capture_output=True, cwd=repo, env=tool_env, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode() == "u1 HELLO WORLD\n"
