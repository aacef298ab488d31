"""SpecAugment through espnet2's module, seeded per utterance (not by the global torch RNG state)."""

import torch

from asrllm.data.config import SpecAugConfig


class SpecAugment:
    """Time warp, frequency masks and time masks on one [frames, bins] tensor."""

    def __init__(self, cfg: SpecAugConfig):
        from espnet2.asr.specaug.specaug import SpecAug

        freq_on = cfg.num_freq_mask > 0 and cfg.freq_mask_width[1] > 0
        time_on = cfg.num_time_mask > 0 and cfg.time_mask_width_ratio[1] > 0
        self.module = None
        if cfg.enabled and (cfg.time_warp or freq_on or time_on):
            self.module = SpecAug(
                apply_time_warp=cfg.time_warp, time_warp_window=cfg.time_warp_window, time_warp_mode="bicubic",
                apply_freq_mask=freq_on, freq_mask_width_range=tuple(cfg.freq_mask_width),
                num_freq_mask=cfg.num_freq_mask, apply_time_mask=time_on,
                time_mask_width_ratio_range=tuple(cfg.time_mask_width_ratio), num_time_mask=cfg.num_time_mask,
                replace_with_zero=True)
            self.module.train()

    def __call__(self, feats: torch.Tensor, seed: int) -> torch.Tensor:
        if self.module is None or feats.shape[0] == 0:
            return feats
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            out, _ = self.module(feats[None].clone(), torch.tensor([feats.shape[0]]))
        return out[0]
