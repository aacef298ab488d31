"""The data/front-end config schema: every key, its default and its check, in one place.

conf/data.yaml mirrors these dataclasses with a comment per key; `load_data_config` reads a
YAML (with `extends:`), rejects unknown keys by name and checks values and combinations.
"""

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asrllm.config import ConfigError, load_config
from asrllm.config_section import build_section

# the kinds of synthesized non-speech audio (asrllm.augment.nonspeech makes each; a test checks it)
NONSPEECH_KINDS = ("silence", "white", "pink", "brown", "tone", "chord")
NONSPEECH_NOISE_KINDS = ("white", "pink", "brown", "tone", "chord")  # the ones that are noise

FEATS_TYPES = ("fbank", "raw")


@dataclass
class FbankConfig:
    """Kaldi-compatible log-Mel filterbank (kaldi-native-fbank)."""

    num_mel_bins: int = 80
    frame_length_ms: float = 25.0
    frame_shift_ms: float = 10.0
    low_freq: float = 20.0
    high_freq: float = 0.0
    preemph_coeff: float = 0.97
    window_type: str = "povey"
    snip_edges: bool = True
    train_dither: float = 0.0
    compress: bool = False


@dataclass
class FormatConfig:
    """Stage 3: resolving wav.scp entries and segments."""

    verify: str = "full"
    dump_format: str = "flac"
    multi_channel: str = "skip"
    max_segment_overshoot: float = 0.5
    pipe_timeout: float = 300.0  # s per wav.scp pipe (stages 3, 5); other readers use this default


@dataclass
class FilterConfig:
    """Stage 4: which training utterances to drop."""

    min_duration: float = 0.3
    max_duration: float = 30.0
    max_text_tokens: int = 448


@dataclass
class SpeedPerturbConfig:
    """Speed perturbation: offline copies (stage 2, sox) or per utterance in the loader."""

    factors: list[float] = field(default_factory=lambda: [0.9, 1.0, 1.1])
    online: bool = False


@dataclass
class SpecAugConfig:
    """espnet2 SpecAug on the normalised features (train split only)."""

    enabled: bool = True
    time_warp: bool = True
    time_warp_window: int = 5
    freq_mask_width: list[int] = field(default_factory=lambda: [0, 27])
    num_freq_mask: int = 2
    time_mask_width_ratio: list[float] = field(default_factory=lambda: [0.0, 0.05])
    num_time_mask: int = 5


@dataclass
class NoiseConfig:
    """Additive noise on a share of training utterances."""

    enabled: bool = True
    prob: float = 0.2
    snr_mean_db: float = 10.0
    snr_std_db: float = 5.0
    noise_dir: str | None = None
    synth_kinds: list[str] = field(default_factory=lambda: list(NONSPEECH_NOISE_KINDS))


@dataclass
class SilencePadConfig:
    """Silence padded before and after the speech of every noised utterance."""

    enabled: bool = True
    max_sec: float = 1.0
    beta_a: float = 1.0
    beta_b: float = 3.0


@dataclass
class NonspeechTrainConfig:
    """Extra training utterances without speech and with an empty transcript (stage 4)."""

    share: float = 0.0
    kinds: list[str] = field(default_factory=lambda: [*NONSPEECH_NOISE_KINDS, "babble"])
    level_db: list[float] = field(default_factory=lambda: [-45.0, -15.0])
    babble_talkers: list[int] = field(default_factory=lambda: [4, 8])  # per `babble` clip, [min, max]
    babble_pool: int = 200  # training utterances babble is made from (held in memory)


@dataclass
class BatchingConfig:
    """Length-bucketed dynamic batches by a padded-frames budget."""

    frames_budget: int = 20000
    max_batch_size: int = 256
    pool_size: int = 20000
    num_workers: int = 2
    seed: int = 1234


@dataclass
class CmvnConfig:
    """Global CMVN statistics (stage 5)."""

    max_utts: int = 200000


@dataclass
class DataConfig:
    """Top level of conf/data.yaml."""

    sample_rate: int = 16000
    feats_type: str = "raw"
    max_bad_fraction: float = 0.05
    fbank: FbankConfig = field(default_factory=FbankConfig)
    format: FormatConfig = field(default_factory=FormatConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    speed_perturb: SpeedPerturbConfig = field(default_factory=SpeedPerturbConfig)
    specaug: SpecAugConfig = field(default_factory=SpecAugConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    silence_pad: SilencePadConfig = field(default_factory=SilencePadConfig)
    nonspeech_train: NonspeechTrainConfig = field(default_factory=NonspeechTrainConfig)
    batching: BatchingConfig = field(default_factory=BatchingConfig)
    cmvn: CmvnConfig = field(default_factory=CmvnConfig)

    @property
    def noise_on(self) -> bool:
        """Noise (and silence padding) goes onto a share of the training utterances."""
        return self.noise.enabled and self.noise.prob > 0

    @property
    def waveform_augment_on(self) -> bool:
        """True when the loader augments waveforms (so features must be computed on the fly)."""
        return (self.noise_on and self.feats_type == "raw") or self.speed_perturb.online

    @property
    def offline_augment_parts(self) -> list[str]:
        """The training-set parts stage 4 writes as audio (asrllm.augment.offline): `noisy` copies when
        features are dumped (raw features get their noise online), `nonspeech` clips in either case."""
        return (["noisy"] if self.noise_on and self.feats_type == "fbank" else []) + \
            (["nonspeech"] if self.nonspeech_train.share > 0 else [])

    @property
    def offline_speed_factors(self) -> list[float]:
        """Stage 2's speed-perturbation factors: none when the loader perturbs online."""
        return [] if self.speed_perturb.online else list(self.speed_perturb.factors)

    @property
    def augment_inputs(self) -> list[str]:
        """Files stage 4's augmentation reads besides the training set: the noise corpus's wav.scp."""
        if "noisy" in self.offline_augment_parts and self.noise.noise_dir:
            return [str(Path(self.noise.noise_dir) / "wav.scp")]
        return []

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _choice(value: str, allowed: tuple[str, ...], where: str) -> None:
    if value not in allowed:
        raise ConfigError(f"{where}: '{value}' is not one of {', '.join(allowed)}")


def _range(value: float, lo: float, hi: float, where: str) -> None:
    if not lo <= value <= hi:
        raise ConfigError(f"{where}: {value} is outside [{lo}, {hi}]")


def validate(cfg: DataConfig, where: str = "data config") -> DataConfig:
    """Check values and combinations; raise ConfigError naming the key."""
    _choice(cfg.feats_type, FEATS_TYPES, f"{where}: feats_type")
    _range(cfg.max_bad_fraction, 0.0, 1.0, f"{where}: max_bad_fraction")
    if cfg.sample_rate <= 0:
        raise ConfigError(f"{where}: sample_rate must be positive")
    fb = cfg.fbank
    _choice(fb.window_type, ("povey", "hamming", "hanning", "rectangular", "blackman", "sine"),
            f"{where}: fbank.window_type")
    if fb.num_mel_bins <= 0 or fb.frame_length_ms <= 0 or fb.frame_shift_ms <= 0:
        raise ConfigError(f"{where}: fbank sizes must be positive")
    if fb.train_dither < 0:
        raise ConfigError(f"{where}: fbank.train_dither must be >= 0")
    _choice(cfg.format.verify, ("full", "header"), f"{where}: format.verify")
    _choice(cfg.format.dump_format, ("flac", "wav"), f"{where}: format.dump_format")
    _choice(cfg.format.multi_channel, ("skip", "first", "mix"), f"{where}: format.multi_channel")
    if cfg.format.pipe_timeout <= 0:
        raise ConfigError(f"{where}: format.pipe_timeout must be positive (seconds)")
    flt = cfg.filter
    if not 0 <= flt.min_duration < flt.max_duration:
        raise ConfigError(f"{where}: filter needs 0 <= min_duration < max_duration")
    if flt.max_text_tokens <= 0:
        raise ConfigError(f"{where}: filter.max_text_tokens must be positive")
    if not cfg.speed_perturb.factors or any(f <= 0 for f in cfg.speed_perturb.factors):
        raise ConfigError(f"{where}: speed_perturb.factors must be a non-empty list of positive numbers")
    sa = cfg.specaug
    for key in ("freq_mask_width", "time_mask_width_ratio"):
        pair = getattr(sa, key)
        if len(pair) != 2 or pair[0] > pair[1] or pair[0] < 0:
            raise ConfigError(f"{where}: specaug.{key} must be [low, high] with 0 <= low <= high")
    nz = cfg.noise
    _range(nz.prob, 0.0, 1.0, f"{where}: noise.prob")
    if nz.snr_std_db < 0:
        raise ConfigError(f"{where}: noise.snr_std_db must be >= 0")
    for kind in nz.synth_kinds:
        _choice(kind, NONSPEECH_NOISE_KINDS, f"{where}: noise.synth_kinds")
    if nz.enabled and not nz.synth_kinds and not nz.noise_dir:
        raise ConfigError(f"{where}: noise is enabled but has neither noise_dir nor synth_kinds")
    ns = cfg.nonspeech_train
    _range(ns.share, 0.0, 1.0, f"{where}: nonspeech_train.share")
    for kind in ns.kinds:
        _choice(kind, (*NONSPEECH_KINDS, "babble"), f"{where}: nonspeech_train.kinds")
    if len(ns.babble_talkers) != 2 or not 2 <= ns.babble_talkers[0] <= ns.babble_talkers[1] or ns.babble_pool < 2:
        raise ConfigError(f"{where}: nonspeech_train needs babble_talkers [min, max] with 2 <= min <= max "
                          f"and babble_pool >= 2, got {ns.babble_talkers} and {ns.babble_pool}")
    if ns.share > 0 and not ns.kinds:
        raise ConfigError(f"{where}: nonspeech_train.share is {ns.share} but nonspeech_train.kinds is empty")
    if len(ns.level_db) != 2 or not ns.level_db[0] <= ns.level_db[1] <= 0:
        raise ConfigError(f"{where}: nonspeech_train.level_db must be [low, high] dBFS with low <= high <= 0, "
                          f"got {ns.level_db}")
    sp = cfg.silence_pad
    if sp.max_sec < 0 or sp.beta_a <= 0 or sp.beta_b <= 0:
        raise ConfigError(f"{where}: silence_pad needs max_sec >= 0 and positive beta_a, beta_b")
    bt = cfg.batching
    if bt.frames_budget <= 0 or bt.pool_size <= 0 or bt.max_batch_size < 0 or bt.num_workers < 0:
        raise ConfigError(f"{where}: batching sizes must be positive (max_batch_size 0 = no cap)")
    if cfg.cmvn.max_utts < 0:
        raise ConfigError(f"{where}: cmvn.max_utts must be >= 0 (0 = all)")
    # noise with fbank is written as noisy copies in stage 4; a speed per utterance and epoch cannot be
    if cfg.feats_type == "fbank" and cfg.speed_perturb.online:
        raise ConfigError(f"{where}: feats_type: fbank reads dumped features, but speed_perturb.online draws "
                          f"a speed per epoch; set feats_type: raw (features on the fly) or use stage 2 copies")
    return cfg


def data_config_from_dict(data: dict, where: str = "data config") -> DataConfig:
    """Build and validate a DataConfig from a plain mapping (e.g. a loaded YAML)."""
    return validate(build_section(DataConfig, data, where), where)


def load_data_config(path: str | os.PathLike | None) -> DataConfig:
    """Load conf/data.yaml (or a recipe override with `extends:`); None gives the defaults."""
    if path is None:
        return validate(DataConfig())
    return data_config_from_dict(load_config(path), str(path))
