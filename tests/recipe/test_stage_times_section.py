"""RESULTS.md's "Stage wall times" section, from the driver's stage_times.tsv."""

from asrllm.bin import make_results


def test_latest_time_per_stage_run_and_total(tmp_path, caplog):
    exp = tmp_path / "asr_llm_entropy"
    exp.mkdir()
    (exp / "stage_times.tsv").write_text(
        "date\tstage\tname\tseconds\n"
        "2026-01-01T00:00:00\t7\tpretrain\t100\n"
        "2026-01-01T00:01:00\t1\tdata_prep\t65\n"
        "garbage line\n"
        "2026-01-01T00:02:00\t7\tpretrain\t130\n"
        "2026-01-01T00:03:00\t11\tdecode\t20\n"
        "2026-01-01T00:04:00\t11\tdecode_streaming\t40\n", encoding="utf-8")
    assert make_results.main([str(exp)]) == 0
    text = (exp / "RESULTS.md").read_text(encoding="utf-8")
    section = text.split("## Stage wall times", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|") and line[1].isdigit() or
            line.startswith("|all")]
    assert rows == ["|1|data_prep|1:05|65|2026-01-01T00:01:00|",
                    "|7|pretrain|2:10|130|2026-01-01T00:02:00|",
                    "|11|decode|0:20|20|2026-01-01T00:03:00|",  # a stage's variants keep a row each
                    "|11|decode_streaming|0:40|40|2026-01-01T00:04:00|",
                    "|all|4 stage runs|4:15|255||"]
    assert "not a stage time row" in caplog.text


def test_no_times_no_section(tmp_path):
    exp = tmp_path / "exp"
    exp.mkdir()
    assert make_results.main([str(exp)]) in (0, 1)
    assert "Stage wall times" not in ((exp / "RESULTS.md").read_text() if (exp / "RESULTS.md").exists() else "")
