"""conf/data.yaml and the schema in asrllm/data/config.py."""

import dataclasses

import pytest

from asrllm.config import ConfigError
from asrllm.data.config import DataConfig, data_config_from_dict, load_data_config


def test_conf_data_yaml_states_exactly_the_defaults(repo):
    assert load_data_config(repo / "conf" / "data.yaml") == DataConfig()


def test_recipe_override_extends_the_base(repo, tmp_path):
    conf = tmp_path / "data.yaml"
    conf.write_text(f"extends: {repo / 'conf' / 'data.yaml'}\nfeats_type: fbank\nnoise:\n  enabled: false\n"
                    f"fbank:\n  num_mel_bins: 40\n")
    cfg = load_data_config(conf)
    assert cfg.feats_type == "fbank" and cfg.fbank.num_mel_bins == 40
    assert cfg.fbank.frame_shift_ms == 10.0 and cfg.noise.prob == 0.2  # untouched keys keep the base


@pytest.mark.parametrize("data, needle", [
    ({"fbank": {"num_mel_bin": 80}}, "fbank: unknown key 'num_mel_bin'; did you mean 'num_mel_bins'"),
    ({"featstype": "raw"}, "did you mean 'feats_type'"),
    ({"batching": {"frames_budget": "lots"}}, "batching.frames_budget: expected an integer"),
    ({"feats_type": "mfcc"}, "feats_type: 'mfcc' is not one of fbank, raw"),
    ({"noise": {"prob": 1.5}}, "noise.prob: 1.5 is outside"),
    ({"filter": {"min_duration": 5, "max_duration": 2}}, "min_duration < max_duration"),
    ({"noise": {"synth_kinds": ["white", "jazz"]}}, "'jazz' is not one of"),
    ({"nonspeech_train": {"share": 1.5}}, "nonspeech_train.share: 1.5 is outside [0.0, 1.0]"),
    ({"nonspeech_train": {"share": "some"}}, "nonspeech_train.share: expected a number"),
    ({"nonspeech_train": {"kinds": ["white", "music"]}}, "nonspeech_train.kinds: 'music' is not one of"),
    ({"nonspeech_train": {"share": 0.1, "kinds": []}}, "nonspeech_train.kinds is empty"),
    ({"nonspeech_train": {"level_db": [-10.0, -20.0]}}, "nonspeech_train.level_db must be [low, high]"),
    ({"nonspeech_train": {"level_db": [-10.0, 3.0]}}, "nonspeech_train.level_db must be [low, high]"),
    ({"nonspeech_train": {"shares": 0.1}}, "nonspeech_train: unknown key 'shares'; did you mean 'share'"),
])
def test_bad_values_are_named(data, needle):
    with pytest.raises(ConfigError) as e:
        data_config_from_dict(data, "conf/x.yaml")
    assert needle in str(e.value)


def test_fbank_features_refuse_online_speed_but_write_noise_in_stage_4():
    with pytest.raises(ConfigError, match="speed_perturb.online"):
        data_config_from_dict({"feats_type": "fbank", "speed_perturb": {"online": True}})
    cfg = data_config_from_dict({"feats_type": "fbank"})  # noise is on by default: noisy copies
    assert not cfg.waveform_augment_on and cfg.offline_augment_parts == ["noisy"]
    assert data_config_from_dict({"feats_type": "fbank", "noise": {"prob": 0.0}}).offline_augment_parts == []
    raw = data_config_from_dict({"nonspeech_train": {"share": 0.05}})
    assert raw.waveform_augment_on and raw.offline_augment_parts == ["nonspeech"]  # raw: noise stays online
    both = data_config_from_dict({"feats_type": "fbank", "nonspeech_train": {"share": 0.05}})
    assert both.offline_augment_parts == ["noisy", "nonspeech"]


def test_the_mini_recipe_writes_noisy_and_nonspeech_copies(repo):
    for name in ("data.yaml", "data_smoke.yaml"):
        cfg = load_data_config(repo / "egs/mini/asr_llm/conf" / name)
        assert cfg.offline_augment_parts == ["noisy", "nonspeech"], name
        assert (cfg.noise.prob, cfg.noise.snr_mean_db, cfg.noise.snr_std_db) == (0.2, 10.0, 5.0)
        assert cfg.silence_pad.enabled and cfg.noise.noise_dir.endswith("/noise")


def test_every_key_is_documented_in_conf_data_yaml(repo):
    text = (repo / "conf" / "data.yaml").read_text()
    for f in dataclasses.fields(DataConfig):
        assert f"\n{f.name}:" in text
        sub = f.default_factory() if f.default_factory is not dataclasses.MISSING else None
        if dataclasses.is_dataclass(sub):
            for g in dataclasses.fields(sub):
                assert f"  {g.name}:" in text, f"{f.name}.{g.name} missing from conf/data.yaml"
