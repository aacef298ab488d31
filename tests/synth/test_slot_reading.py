"""Speech-slot reading: simulated phone posteriors, the reading task, and the adapter hand-over by unit name."""

import dataclasses
import random

import pytest
import torch
import yaml

from asrllm.config import ConfigError
from asrllm.lang.config import LangConfig
from asrllm.lang.units import BLANK_ID, write_units
from asrllm.llm.prompt import PromptBuilder, PromptTemplate
from asrllm.models.adapter_init import init_adapter_from_llm
from asrllm.models.build import build_model as build_speech_model
from asrllm.synth.posterior_sim import PosteriorSimOptions, simulate_posteriors
from asrllm.synth.slot_reading import ReadingOptions, ReadingTask, load_saved_adapter

SENTENCES = ["PLEASE MOVE THE RED BALL", "WHERE IS THE CUP", "请把红色的杯子放在桌子左边", "明天北京有小雨",
             "TURN ON THE LIGHTS IN THE KITCHEN"]
CLEAN = PosteriorSimOptions(substitution=0.0, deletion=0.0, insertion=0.0, confidence=(1.0, 1.0))


def spikes(frames: torch.Tensor) -> list[int]:
    best = frames.argmax(-1).tolist()
    return [p for p in best if p != BLANK_ID]


def test_clean_simulation_spikes_every_phone_once_in_order():
    rng = random.Random(0)
    for _ in range(50):
        ids = [rng.randrange(1, 20) for _ in range(rng.randint(1, 30))]
        frames = simulate_posteriors(ids, 20, CLEAN, rng)
        assert spikes(frames) == ids
        torch.testing.assert_close(frames.sum(-1), torch.ones(frames.shape[0]))
        (lo, hi), (edge_lo, edge_hi) = CLEAN.frames_per_phone, CLEAN.edge_frames
        assert len(ids) * lo - 1 + 2 * edge_lo <= frames.shape[0] <= len(ids) * hi + 1 + 2 * edge_hi


def test_noisy_simulation_makes_errors_at_about_the_set_rate():
    rng = random.Random(1)
    opts = PosteriorSimOptions(substitution=0.0, deletion=0.2, insertion=0.0)
    ids = [5] * 5000
    kept = len(spikes(simulate_posteriors(ids, 20, opts, rng)))
    assert 0.75 * 5000 < kept < 0.85 * 5000
    conf = simulate_posteriors([3, 4], 10, PosteriorSimOptions(confidence=(0.7, 0.7), deletion=0, substitution=0,
                                                               insertion=0), rng)
    peak = conf.max(-1).values
    assert peak.min().item() == pytest.approx(0.7)


def test_word_boundaries_are_deleted_at_their_own_rate():
    rng = random.Random(2)
    opts = PosteriorSimOptions(substitution=0.0, deletion=0.0, insertion=0.0, boundary_deletion=0.5)
    ids = [5, 2] * 2000  # phone 5, boundary 2
    kept = spikes(simulate_posteriors(ids, 20, opts, rng, boundary_id=2))
    assert kept.count(5) == 2000  # phones keep the phone deletion rate (0 here)
    assert 0.45 * 2000 < kept.count(2) < 0.55 * 2000
    assert spikes(simulate_posteriors(ids, 20, opts, rng)) == ids  # no boundary named: none is special
    same = PosteriorSimOptions(substitution=0.0, deletion=0.2, insertion=0.0)  # default: the phone rate
    assert 0.15 * 2000 < 2000 - spikes(simulate_posteriors(ids, 20, same, rng, boundary_id=2)).count(2) < 0.25 * 2000


def test_simulation_options_are_checked():
    with pytest.raises(ConfigError, match="frames_per_phone"):
        PosteriorSimOptions.from_config({"frames_per_phone": [3, 2]}, "x")
    with pytest.raises(ConfigError, match="deletion"):
        PosteriorSimOptions.from_config({"deletion": 1.5}, "x")
    with pytest.raises(ConfigError, match="boundary_deletion"):
        PosteriorSimOptions.from_config({"boundary_deletion": -0.1}, "x")
    with pytest.raises(ConfigError, match="boundary_deletion must be a rate in \\[0, 1\\), got 'high'"):
        PosteriorSimOptions.from_config({"boundary_deletion": "high"}, "x")
    with pytest.raises(ConfigError, match="did you mean 'insertion'"):
        PosteriorSimOptions.from_config({"insertions": 0.1}, "x")
    with pytest.raises(ConfigError, match="fraction"):
        ReadingOptions.from_config({"fraction": 0}, "x")
    with pytest.raises(ConfigError, match="compress must be true or false"):
        ReadingOptions.from_config({"compress": "yes"}, "x")
    with pytest.raises(ConfigError, match="words: true needs compress: true"):
        ReadingOptions.from_config({"words": True}, "x")
    with pytest.raises(ValueError, match="0 is blank"):
        simulate_posteriors([0, 1], 5, CLEAN, random.Random(0))


def test_reading_words_needs_a_boundary_and_stacks_one_vector_per_word(make_tiny_lm):
    opts = ReadingOptions(stack=4, hidden=16, compress=True, words=True, simulation=CLEAN)
    with pytest.raises(ConfigError, match="word boundary"):
        ReadingTask(opts, LangConfig(), SENTENCES, 32)
    lang = LangConfig.from_dict({"phone": {"word_boundary": "|"}}, "x")
    task = ReadingTask(opts, lang, SENTENCES, 32)
    seen = []
    task.adapter.register_forward_hook(lambda mod, args, out: seen.append(out[1]))
    tok, model = make_tiny_lm(SENTENCES)
    builder = PromptBuilder(tok, PromptTemplate(slot_positions=16))
    task.loss(model, builder, SENTENCES, task.train_ids, random.Random(0))
    # one slot vector per English word or Chinese character
    assert seen[0].tolist() == [5, 4, 13, 7, 7]
    # every boundary deleted: English words merge (their phones fill the slots of fewer words)
    merged = dataclasses.replace(opts, simulation=dataclasses.replace(CLEAN, boundary_deletion=0.99))
    task = ReadingTask(merged, lang, SENTENCES, 32)
    assert task.units[task.boundary_id] == "|"
    task.adapter.register_forward_hook(lambda mod, args, out: seen.append(out[1]))
    task.loss(model, builder, SENTENCES, task.train_ids, random.Random(0))
    english = [i for i, s in enumerate(SENTENCES) if s.isascii()]
    assert english and all(seen[1][i] < seen[0][i] for i in english)


@pytest.fixture(scope="module")
def reading(make_tiny_lm):
    tok, model = make_tiny_lm(SENTENCES)
    task = ReadingTask(ReadingOptions(stack=2, hidden=16, simulation=CLEAN), LangConfig(), SENTENCES, 32)
    return tok, model, task


def test_reading_task_labels_sentences_with_phones_and_trains(reading):
    tok, model, task = reading
    assert task.units[:2] == ["<blank>", "<unk>"]
    assert "B" in task.units and "AA1" in task.units  # English ARPAbet (stress kept by default)
    assert any(u[-1].isdigit() and u.islower() for u in task.units)  # Mandarin toned finals
    assert all(ids and 1 not in ids for ids in task.train_ids)  # no <unk>: every word is in the dictionaries
    builder = PromptBuilder(tok, PromptTemplate())
    params = list(model.parameters()) + list(task.adapter.parameters())
    optim = torch.optim.Adam(params, lr=3e-3)
    first = None
    for step in range(30):
        loss, n, _ = task.loss(model, builder, SENTENCES, task.train_ids, random.Random(step))
        first = first if first is not None else loss.item() / n
        optim.zero_grad()
        (loss / n).backward()
        optim.step()
    assert loss.item() / n < 0.5 * first


def test_saved_adapter_reads_the_same_phones_through_a_differently_ordered_ctc_head(reading, tmp_path, repo):
    tok, model, task = reading
    llm_dir = tmp_path / "llm"
    model.save_pretrained(llm_dir)
    tok.save_pretrained(llm_dir)
    task.save(llm_dir)
    saved_cfg, saved_units, _ = load_saved_adapter(llm_dir)
    assert saved_cfg["stack"] == 2 and list(saved_units) == task.units
    # the recipe's phone head: its units in another order, one unit the LM never saw
    head_units = ["NEWPHONE", *reversed(task.units[2:])]
    write_units(tmp_path / "units.txt", head_units)
    cfg = yaml.safe_load(open(repo / "conf/model/toy.yaml"))["model"]
    cfg.pop("aed_decoder")  # AED pre-training's alone (asrllm.bin.train drops it for every other objective)
    cfg["encoder"]["conf"].update(output_size=32, attention_heads=2, linear_units=64, num_blocks=1)
    cfg.update(ctc_heads={"phone": {"units": str(tmp_path / "units.txt"), "layers": 1}},
               adapter={"stack": 2, "hidden": 16, "input": "ctc_posteriors", "init": "llm"},
               llm={"path": str(llm_dir)}, prompt={})
    speech = build_speech_model(cfg)
    speech.adapter_input = "ctc_posteriors"
    assert init_adapter_from_llm(speech, cfg, str(llm_dir))
    model_units = ["<blank>", "<unk>", *head_units]
    # the same two frames (phone 'B', then blank), one-hot in each unit order
    frames_lm = torch.zeros(1, 2, len(task.units))
    frames_lm[0, 0, task.units.index("B")] = frames_lm[0, 1, 0] = 1
    frames_model = torch.zeros(1, 2, len(model_units))
    frames_model[0, 0, model_units.index("B")] = frames_model[0, 1, 0] = 1
    lens = torch.tensor([2])
    with torch.no_grad():
        torch.testing.assert_close(speech.adapter(frames_model, lens)[0], task.adapter(frames_lm, lens)[0])
    assert speech.adapter.mlp[0].weight[:, model_units.index("NEWPHONE")].abs().sum() == 0
    # a head of other units (characters) is left alone
    cfg["ctc_heads"] = {"char": cfg["ctc_heads"]["phone"]}
    speech = build_speech_model(cfg)
    speech.adapter_input = "ctc_posteriors"
    before = speech.adapter.mlp[0].weight.clone()
    assert not init_adapter_from_llm(speech, cfg, str(llm_dir))
    torch.testing.assert_close(speech.adapter.mlp[0].weight, before)
    # a different adapter shape is refused with the fix named
    cfg["ctc_heads"] = {"phone": cfg["ctc_heads"]["char"]}
    cfg["adapter"]["stack"] = 4
    speech = build_speech_model(cfg)
    speech.adapter_input = "ctc_posteriors"
    with pytest.raises(ConfigError, match="stack 4"):
        init_adapter_from_llm(speech, cfg, str(llm_dir))
    # so is compressed input when the LM read uncompressed posteriors
    cfg["adapter"].update(stack=2, compress=True)
    speech = build_speech_model(cfg)
    with pytest.raises(ConfigError, match="compress: True.*read uncompressed"):
        init_adapter_from_llm(speech, cfg, str(llm_dir))
    # and word stacking when it read phone by phone
    saved = llm_dir / "speech_adapter" / "config.json"
    saved.write_text(saved.read_text().replace('"compress": false', '"compress": true'))
    write_units(tmp_path / "units.txt", ["|", *head_units])
    cfg["adapter"].update(words="|")
    speech = build_speech_model(cfg)
    with pytest.raises(ConfigError, match="words: '\\|'.*read words: None"):
        init_adapter_from_llm(speech, cfg, str(llm_dir))


def test_an_llm_without_a_reading_adapter_is_named(tmp_path):
    with pytest.raises(ConfigError, match="without speech-slot reading"):
        load_saved_adapter(tmp_path)


def test_a_corrupt_saved_adapter_config_is_named(reading, tmp_path):
    _, _, task = reading
    task.save(tmp_path)
    config = tmp_path / "speech_adapter" / "config.json"
    config.write_text('{"stack": 2,')
    with pytest.raises(ConfigError, match=f"{config}: not readable JSON"):
        load_saved_adapter(tmp_path)
