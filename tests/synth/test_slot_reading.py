"""Speech-slot reading: simulated phone posteriors, the reading task, and the frame adapter warm start."""

import random

import pytest
import torch
import yaml

from asrllm.config import ConfigError
from asrllm.lang.config import LangConfig
from asrllm.lang.units import BLANK_ID, write_units
from asrllm.llm.prompt import PromptBuilder, PromptTemplate
from asrllm.models.build import build_model as build_speech_model
from asrllm.synth.posterior_sim import PosteriorSimOptions, reader_input, simulate_posteriors
from asrllm.synth.reader_init import init_adapter_from_reader
from asrllm.synth.slot_reading import ReadingOptions, ReadingTask, load_saved_adapter

SENTENCES = ["PLEASE MOVE THE RED BALL", "WHERE IS THE CUP", "请把红色的杯子放在桌子左边", "明天北京有小雨",
             "TURN ON THE LIGHTS IN THE KITCHEN"]
CLEAN = PosteriorSimOptions(substitution=0.0, deletion=0.0, insertion=0.0, confidence=(1.0, 1.0), floor=(0.0, 0.0))


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
    opts = PosteriorSimOptions(substitution=0.0, deletion=0.2, insertion=0.0, floor=(0.0, 0.0))
    ids = [5] * 5000
    kept = len(spikes(simulate_posteriors(ids, 20, opts, rng)))
    assert 0.75 * 5000 < kept < 0.85 * 5000
    conf = simulate_posteriors([3, 4], 10, PosteriorSimOptions(confidence=(0.7, 0.7), deletion=0, substitution=0,
                                                               insertion=0, floor=(0, 0)), rng)
    peak = conf.max(-1).values
    assert peak.min().item() == pytest.approx(0.7)


def test_the_floor_spreads_mass_over_every_unit_and_the_reader_input_is_centred():
    rng = random.Random(2)
    opts = PosteriorSimOptions(substitution=0.0, deletion=0.0, insertion=0.0, confidence=(1.0, 1.0), floor=(1e-3, 1e-3))
    frames = simulate_posteriors([3, 4, 5], 40, opts, rng)
    torch.testing.assert_close(frames.sum(-1), torch.ones(frames.shape[0]))
    assert spikes(frames) == [3, 4, 5]
    assert (frames > 0).all() and frames.max(-1).values.min() > 1 - 1.1e-3
    rejected = frames.clone()
    rejected[torch.arange(frames.shape[0]), frames.argmax(-1)] = 0
    assert rejected.sum(-1).max() < 1.1e-3  # the floor's share, spread over the other 39 units
    x = reader_input(frames)
    torch.testing.assert_close(x.mean(-1), torch.zeros(frames.shape[0]), atol=1e-5, rtol=0)
    torch.testing.assert_close(x - x[:, :1], frames.log() - frames.log()[:, :1])  # a log, shifted per frame


def test_simulation_options_are_checked():
    with pytest.raises(ConfigError, match="frames_per_phone"):
        PosteriorSimOptions.from_config({"frames_per_phone": [3, 2]}, "x")
    with pytest.raises(ConfigError, match="deletion"):
        PosteriorSimOptions.from_config({"deletion": 1.5}, "x")
    with pytest.raises(ConfigError, match="x: insertion: expected a number, got 'high'"):
        PosteriorSimOptions.from_config({"insertion": "high"}, "x")
    with pytest.raises(ConfigError, match="floor must lie below 1"):
        PosteriorSimOptions.from_config({"floor": [0.5, 1.0]}, "x")
    with pytest.raises(ConfigError, match="did you mean 'insertion'"):
        PosteriorSimOptions.from_config({"insertions": 0.1}, "x")
    with pytest.raises(ConfigError, match="fraction"):
        ReadingOptions.from_config({"fraction": 0}, "x")
    with pytest.raises(ConfigError, match="unknown key 'words'"):
        ReadingOptions.from_config({"words": True}, "x")
    with pytest.raises(ValueError, match="0 is blank"):
        simulate_posteriors([0, 1], 5, CLEAN, random.Random(0))


@pytest.fixture(scope="module")
def reading(make_tiny_lm):
    tok, model = make_tiny_lm(SENTENCES)
    task = ReadingTask(ReadingOptions(stack=2, hidden=16, simulation=CLEAN), LangConfig(), SENTENCES, 32)
    return tok, model, task


@pytest.mark.slow  # a few seconds to a minute: make test only, not make check
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


def test_frame_adapter_starts_as_the_reader_composed_with_a_differently_ordered_phone_head(reading, tmp_path, repo):
    tok, model, task = reading
    llm_dir = tmp_path / "llm"
    model.save_pretrained(llm_dir)
    tok.save_pretrained(llm_dir)
    task.save(llm_dir)
    saved_cfg, saved_units, _ = load_saved_adapter(llm_dir)
    assert saved_cfg["stack"] == 2 and list(saved_units) == task.units
    # the recipe's phone head: the same units in another order
    head_units = list(reversed(task.units[2:]))
    write_units(tmp_path / "units.txt", head_units)
    cfg = yaml.safe_load(open(repo / "conf/model/toy.yaml"))["model"]
    cfg.pop("aed_decoder")  # AED pre-training's alone (asrllm.bin.train drops it for every other objective)
    cfg["encoder"]["conf"].update(output_size=32, attention_heads=2, linear_units=64, num_blocks=1)
    cfg.update(ctc_heads={"phone": {"units": str(tmp_path / "units.txt"), "layers": 1}},
               adapter={"stack": 2, "hidden": 16, "init": "reader"}, llm={"path": str(llm_dir)}, prompt={})
    speech = build_speech_model(cfg).eval()
    assert init_adapter_from_reader(speech, cfg, str(llm_dir))
    model_units = ["<blank>", "<unk>", *head_units]
    order = [model_units.index(u) for u in task.units]  # the head's columns in the reader's unit order
    frames = torch.randn(1, 4, 32)
    lens = torch.tensor([4])
    with torch.no_grad():
        posteriors = speech.ctc_heads["phone"].log_probs(frames).exp()[..., order]
        torch.testing.assert_close(speech.adapter(frames, lens)[0], task.adapter(reader_input(posteriors), lens)[0],
                                   atol=1e-4, rtol=1e-4)
    # a unit the LM never saw: still applied, its reader weights zero
    write_units(tmp_path / "units.txt", ["NEWPHONE", *head_units])
    assert init_adapter_from_reader(build_speech_model(cfg), cfg, str(llm_dir))
    # a head of other units (characters) is left alone
    cfg["ctc_heads"] = {"char": cfg["ctc_heads"]["phone"]}
    speech = build_speech_model(cfg)
    before = speech.adapter.mlp[0].weight.clone()
    assert not init_adapter_from_reader(speech, cfg, str(llm_dir))
    torch.testing.assert_close(speech.adapter.mlp[0].weight, before)
    # a phone head with hidden layers cannot be folded in; a different adapter shape is refused
    cfg["ctc_heads"] = {"phone": {**cfg["ctc_heads"]["char"], "layers": 2, "hidden": 8}}
    with pytest.raises(ConfigError, match="needs a linear 'phone' CTC head"):
        init_adapter_from_reader(build_speech_model(cfg), cfg, str(llm_dir))
    cfg["ctc_heads"]["phone"]["layers"] = 1
    cfg["adapter"]["stack"] = 4
    with pytest.raises(ConfigError, match="stack 4"):
        init_adapter_from_reader(build_speech_model(cfg), cfg, str(llm_dir))


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
