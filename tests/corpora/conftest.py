"""Fixtures: a tiny LLM folder, a loopback HTTP server with Range support, recipe copies in tmp."""

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["HELLO WORLD", "PLEASE MOVE THE RED BALL", "你好世界", "请把红色的球放在左边", "GOOD MORNING"] * 20


@pytest.fixture(scope="session")
def tiny_llm(tmp_path_factory) -> Path:
    from asrllm.llm.tiny import build_tiny_qwen3, build_tiny_tokenizer

    d = tmp_path_factory.mktemp("tiny_llm")
    tok = build_tiny_tokenizer(TEXTS, d, vocab_size=300)
    build_tiny_qwen3(tok, d, hidden=32, layers=2, heads=4, kv_heads=2)
    return d


class FileServer:
    """Serves `files` (name -> bytes) on 127.0.0.1 with HTTP Range; logs (path, Range header).

    `cut[name] = n`: the next response for that name sends n bytes of the body, then closes the
    connection (an interrupted transfer); `no_range`: ignore Range headers (answer 200).
    """

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.no_range = False
        self.log: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.lstrip("/").split("/")[-1]
                rng = self.headers.get("Range")
                server.log.append((name, rng))
                data = server.files.get(name)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng and not server.no_range:
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                n = server.cut.pop(name, None)
                self.wfile.write(body if n is None else body[:n])
                if n is not None:
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/resources"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    s = FileServer()
    yield s
    s.close()


def recipe_copy(corpus: str, dest: Path) -> Path:
    """A recipe folder whose entries link to egs/<corpus>/asr_llm: every output lands in tmp."""
    src = REPO / "egs" / corpus / "asr_llm"
    d = dest / "asr_llm"
    d.mkdir(parents=True)
    for name in ["run.sh", "cmd.sh", "db.sh", "path.sh", "asr_llm.sh", "utils", "conf", "local"]:
        (d / name).symlink_to((src / name).resolve())
    return d


def run_recipe(recipe: Path, env: dict, *args: str, script: str = "./run.sh") -> subprocess.CompletedProcess:
    r = subprocess.run([script, *args], cwd=recipe, env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"{script} {' '.join(args)} failed (rc {r.returncode}):\n{r.stderr[-5000:]}")
    return r


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory):
    """built_corpus(name) -> (root, expect): each fixture tree is built once per session (opus is slow)."""
    from tests.corpora import fixtures

    builders = {"aishell": fixtures.make_aishell, "librispeech": fixtures.make_librispeech,
                "wenetspeech": fixtures.make_wenetspeech, "gigaspeech": fixtures.make_gigaspeech}
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = builders[name](tmp_path_factory.mktemp(f"corpus_{name}") / "corpus")
        return cache[name]
    return get


@pytest.fixture
def corpus(built_corpus, tmp_path):
    """corpus(name) -> (root, expect): a private copy of the fixture tree, safe to modify."""
    def copy(name: str):
        root, expect = built_corpus(name)
        dst = tmp_path / f"corpus_{name}"
        shutil.copytree(root, dst, symlinks=True)
        return dst, expect
    return copy
