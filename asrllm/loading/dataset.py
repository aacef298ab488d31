"""Map-style speech dataset over a data dir: dumped features (feats.scp) or audio with on-the-fly fbank.

Train split: waveform augmentation (raw only), fbank with optional dither, CMVN, SpecAugment,
all drawn from a generator keyed by (seed, epoch, utterance), so results do not depend on the
number of workers or the batch an utterance lands in. Eval split: fbank and CMVN only.
"""

import logging
import os

import kaldiio
import numpy as np
import torch

from asrllm.audio.audiofile import read_entry
from asrllm.audio.errors import WRONG_RATE, AudioError
from asrllm.augment.seeding import utt_rng
from asrllm.augment.specaug import SpecAugment
from asrllm.augment.waveform import WaveformAugment
from asrllm.data.config import DataConfig
from asrllm.data.index import UttIndex
from asrllm.data.sampler import SampleKey
from asrllm.features.cmvn import GlobalCmvn
from asrllm.features.fbank import Fbank

SPLITS = ("train", "eval")


class SpeechDataset(torch.utils.data.Dataset):
    """dataset[i or SampleKey] -> {"uttid", "feats": [T, F] float32, "text", other tables..., "pos"}.

    `tables` are per-utterance tables of the data dir returned by name (e.g. ("text", "text.phn"));
    an item whose audio or features cannot be read is logged by utterance id and returned as None
    (collate_speech drops it).
    """

    def __init__(self, data_dir: str, config: DataConfig, split: str = "train",
                 cmvn: str | os.PathLike | GlobalCmvn | None = None, tables: tuple[str, ...] = ("text",),
                 seed: int | None = None):
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got '{split}'")
        self.cfg = config
        self.train = split == "train"
        self.fbank = Fbank(config.fbank, config.sample_rate)
        self.index = UttIndex(data_dir, config.feats_type, tuple(tables), self.fbank.num_frames)
        self.tables = tuple(tables)
        self.cmvn = GlobalCmvn.from_json(cmvn) if isinstance(cmvn, (str, os.PathLike)) else cmvn
        if self.cmvn is not None and self.cmvn.dim != self.fbank.dim:
            raise ValueError(f"CMVN statistics have {self.cmvn.dim} dims, fbank.num_mel_bins is {self.fbank.dim}")
        raw_train = self.train and config.feats_type == "raw"
        self.wave_aug = WaveformAugment(config) if raw_train else None
        self.dither = config.fbank.train_dither if raw_train else 0.0
        self.specaug = SpecAugment(config.specaug) if self.train and config.specaug.enabled else None
        self.seed = config.batching.seed if seed is None else seed
        self.epoch = 0

    @property
    def lengths(self) -> np.ndarray:
        """Frames per utterance before augmentation (what the batch sampler budgets)."""
        return self.index.lengths

    def set_epoch(self, epoch: int) -> None:
        """Epoch for plain integer indices (SampleKey carries its own)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.index)

    def _features(self, i: int, rng: np.random.Generator | None) -> np.ndarray:
        if self.cfg.feats_type == "fbank":
            return np.asarray(kaldiio.load_mat(self.index.value("feats.scp", i)), dtype=np.float32)
        value, start, end = self.index.audio(i)
        x, sr = read_entry(value, start, end)
        if sr != self.cfg.sample_rate:
            raise AudioError(WRONG_RATE, f"{sr} Hz, not {self.cfg.sample_rate} Hz (run format_audio)")
        if self.wave_aug is not None and self.wave_aug.active:
            x = self.wave_aug(x, rng)
        return self.fbank(x, self.dither, rng)

    def __getitem__(self, key: int | SampleKey) -> dict | None:
        if isinstance(key, SampleKey):
            i, epoch, pos = key
        else:
            i, epoch, pos = int(key), self.epoch, 0
        utt = self.index.uttid(i)
        rng = utt_rng(self.seed, epoch, utt) if self.train else None
        try:
            feats = self._features(i, rng)
        except (AudioError, OSError, ValueError) as e:
            logging.warning("utterance '%s' could not be loaded, left out of its batch: %s", utt, e)
            return None
        if self.cmvn is not None:
            feats = self.cmvn(feats)
        out = torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))
        if self.specaug is not None:
            out = self.specaug(out, int(rng.integers(1 << 62)))
        item = {"uttid": utt, "feats": out, "pos": pos}
        for name in self.tables:
            item[name] = self.index.value(name, i)
        return item
