"""asrllm.bench.streaming runs and reports what it measured (smoke size, a few chunks)."""

import json

from asrllm.bench import streaming


def test_the_streaming_benchmark_reports_each_point(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert streaming.main(["--size", "smoke", "--chunks", "4", "--repeats", "1", "--tokens", "3",
                           "--out", str(out)]) == 0
    r = json.loads(out.read_text())
    assert set(r["streaming_ms"]) == set(r["refeed_ms"]) == {"1", "4"}
    assert all(v > 0 for v in r["streaming_ms"].values()) and r["rtf_streaming"] > 0
    assert r["streaming_speech_ms"]["4"] <= r["streaming_ms"]["4"]
    assert r["transcript_tokens"]["4"] >= r["transcript_tokens"]["1"]
    assert "| 4 |" in capsys.readouterr().out
