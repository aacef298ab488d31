"""asrllm.bench.hotword_scale runs each size in its own process and reports what it measured."""

import json

from asrllm.bench import hotword_scale


def test_the_scale_benchmark_reports_each_size(tmp_path):
    out = tmp_path / "r.json"
    assert hotword_scale.main(["--sizes", "50", "500", "--utts", "20", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [r["hotwords"] for r in rows] == [50, 500]
    assert all(r["build_s"] >= 0 and r["retrieval_ms_per_utt"] > 0 and r["hits_per_utt"] >= 1 for r in rows)
