"""Downloads from a loopback server (127.0.0.1) or file:// URLs: verified, resumed, unpacked once."""

import hashlib
import io
import os
import tarfile

import pytest

from asrllm.corpora.aishell import prepare_aishell
from asrllm.corpora.download import DownloadError, fetch, read_checksums
from asrllm.corpora.releases import AISHELL, LIBRISPEECH, download_release
from asrllm.kaldi.table import DataError, read_table_dict
from tests.corpora.conftest import REPO, recipe_copy, run_recipe
from tests.corpora.fixtures import AISHELL_UTTS, make_aishell_archives, make_librispeech_archives


def md5(data: bytes) -> tuple[str, str]:
    return "md5", hashlib.md5(data).hexdigest()


@pytest.fixture(scope="module")
def aishell_archives(tmp_path_factory):
    d = tmp_path_factory.mktemp("aishell_archives")
    return make_aishell_archives(d / "served", d / "work")


def test_good_archives_are_fetched_unpacked_and_prepared(http_server, aishell_archives, tmp_path):
    http_server.files.update(aishell_archives)
    sums = {name: md5(data) for name, data in aishell_archives.items()}
    dest = tmp_path / "aishell"
    download_release(AISHELL, dest, base_url=http_server.url, checksums=sums)
    wav = dest / "data_aishell/wav"
    assert sorted(p.name for p in (wav / "train").iterdir()) == ["S0002", "S0003"]  # per-speaker tarballs unpacked
    assert not list(wav.glob("*.tar.gz")) and (wav / ".S0002.tar.gz.unpacked").is_file()
    assert (dest / "resource_aishell/lexicon.txt").is_file()
    prepare_aishell(dest, tmp_path / "data")
    assert sorted(read_table_dict(tmp_path / "data/test/text")) == sorted(
        u for u, (s, _, t) in AISHELL_UTTS.items() if s == "test" and t)
    # a second run finds everything unpacked and asks the server nothing
    n = len(http_server.log)
    download_release(AISHELL, dest, base_url=http_server.url, checksums=sums)
    assert len(http_server.log) == n


def test_bad_checksum_fails_and_leaves_nothing_that_looks_done(http_server, aishell_archives, tmp_path):
    http_server.files.update(aishell_archives)
    sums = {"resource_aishell.tgz": ("md5", "0" * 32)}
    with pytest.raises(DownloadError, match=r"resource_aishell\.tgz: md5 checksum mismatch \(expected 0{32}"):
        download_release(AISHELL, tmp_path, archives=("resource_aishell.tgz",), base_url=http_server.url,
                         checksums=sums)
    assert sorted(os.listdir(tmp_path)) == ["resource_aishell.tgz.bad"]


def test_interrupted_download_resumes(http_server, tmp_path):
    data = os.urandom(300_000)
    http_server.files["part.tar.gz"] = data
    http_server.cut["part.tar.gz"] = 120_000
    url, want = f"{http_server.url}/part.tar.gz", ("sha256", hashlib.sha256(data).hexdigest())
    with pytest.raises(DownloadError, match=r"interrupted after 120000 of 300000 bytes; run again to resume"):
        fetch(url, tmp_path / "part.tar.gz", want, retries=0)
    assert (tmp_path / "part.tar.gz.part").stat().st_size == 120_000 and not (tmp_path / "part.tar.gz").exists()
    fetch(url, tmp_path / "part.tar.gz", want, retries=0)
    assert http_server.log == [("part.tar.gz", None), ("part.tar.gz", "bytes=120000-")]
    assert (tmp_path / "part.tar.gz").read_bytes() == data
    # an interruption within one call is resumed by the retries
    http_server.log.clear()
    http_server.cut["part.tar.gz"] = 1000
    fetch(url, tmp_path / "again.tar.gz", want, retries=1)
    assert http_server.log == [("part.tar.gz", None), ("part.tar.gz", "bytes=1000-")]


def test_server_without_ranges_and_file_urls_start_over(http_server, tmp_path):
    data = os.urandom(5000)
    (tmp_path / "src").mkdir()
    (tmp_path / "src/x.tgz").write_bytes(data)
    (tmp_path / "x.tgz.part").write_bytes(b"stale bytes")
    fetch((tmp_path / "src/x.tgz").as_uri(), tmp_path / "x.tgz", md5(data), retries=0)
    assert (tmp_path / "x.tgz").read_bytes() == data
    http_server.files["y.tgz"], http_server.no_range = data, True
    (tmp_path / "y.tgz.part").write_bytes(data[:100])
    fetch(f"{http_server.url}/y.tgz", tmp_path / "y.tgz", md5(data), retries=0)
    assert (tmp_path / "y.tgz").read_bytes() == data


def test_missing_checksum_is_refused_before_any_request(http_server, tmp_path):
    with pytest.raises(DownloadError, match="no checksum for dev-clean.tar.gz"):
        download_release(LIBRISPEECH, tmp_path, archives=("dev-clean.tar.gz",), base_url=http_server.url)
    assert http_server.log == []


def test_parts_unpacked_by_hand_are_skipped(http_server, tmp_path):
    (tmp_path / "LibriSpeech/dev-clean/1272").mkdir(parents=True)
    download_release(LIBRISPEECH, tmp_path, archives=("dev-clean.tar.gz",), base_url=http_server.url)
    assert http_server.log == []


def test_unsafe_archive_member_is_refused(http_server, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    http_server.files["test-other.tar.gz"] = buf.getvalue()
    with pytest.raises(DataError, match="test-other.tar.gz: cannot unpack"):
        download_release(LIBRISPEECH, tmp_path / "dest", archives=("test-other.tar.gz",), base_url=http_server.url,
                         checksums={"test-other.tar.gz": md5(buf.getvalue())})
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "dest/.test-other.tar.gz.unpacked").exists()


def test_checksum_files(tmp_path):
    p = tmp_path / "sums.txt"
    p.write_text("# comment\n" + "a" * 32 + "  data_aishell.tgz\n" + "B" * 64 + " *dev-clean.tar.gz\n")
    assert read_checksums(p) == {"data_aishell.tgz": ("md5", "a" * 32), "dev-clean.tar.gz": ("sha256", "b" * 64)}
    p.write_text("abc data_aishell.tgz\n")
    with pytest.raises(DataError, match=r"sums\.txt:1: expected '<md5 or sha256 hex digest>  <file name>'"):
        read_checksums(p)


def test_recipe_download_script(http_server, tmp_path):
    served = make_librispeech_archives(tmp_path / "served", tmp_path / "work", ("dev-clean.tar.gz", "dev-other.tar.gz"))
    http_server.files.update(served)
    sums = tmp_path / "sums.txt"
    sums.write_text("".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in served.items()))
    recipe = recipe_copy("librispeech", tmp_path / "recipe")
    env = {**os.environ, "LIBRISPEECH": str(tmp_path / "ls")}
    run_recipe(recipe, env, "--sets", "dev", "--base_url", http_server.url, "--checksums", str(sums),
               script="local/download.sh")
    assert sorted(p.name for p in (tmp_path / "ls/LibriSpeech").iterdir()) == ["SPEAKERS.TXT", "dev-clean", "dev-other"]
    assert {name for name, _ in http_server.log} == {"dev-clean.tar.gz", "dev-other.tar.gz"}


def test_recipe_checksum_tables_cover_every_archive():
    for release, algorithm in ((AISHELL, "md5"), (LIBRISPEECH, "sha256")):
        sums = read_checksums(REPO / "egs" / release.name / "asr_llm/local/checksums.txt")
        assert sorted(sums) == sorted(release.archives)
        assert {a for a, _ in sums.values()} == {algorithm}
