"""PAI and CSAI from pooled segment features (definitions: asrllm/analysis/README.md).

Inputs are one row per phone token (segment): its mean-pooled encoder frames, its label ids, and
its group (utterance index, for splits by utterance). For every seed, one train/test split; the
per-seed numbers and their mean and standard deviation are returned.
  PAI  = CE_prior - CE_feat   (phone from zeroed features vs from the pooled frames)
  CSAI = CE_A - CE_B          (text unit from the phone context vs context + pooled frames)
All cross-entropies are held-out, in bits per phone token. Every probe input is z-scored with its
training rows' statistics (the context one-hots too, so one weight decay treats both parts alike).
"""

import numpy as np

from asrllm.metrics.probes import ProbeConfig, heldout_ce, pool_rare, split_groups, standardize


def _split(groups: np.ndarray, cfg: ProbeConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train mask, the groups the probes split by) for one seed."""
    by = groups if cfg.split_by == "utterance" else np.arange(len(groups))
    return ~split_groups(by, cfg.test_fraction, seed), by


def _summary(per_seed: list[dict], key: str) -> dict:
    vals = np.array([r[key] for r in per_seed])
    return {"bits": float(vals.mean()), "std": float(vals.std(ddof=1)) if len(vals) > 1 else 0.0}


def _check(features: np.ndarray, n: int, what: str) -> None:
    if features.ndim != 2 or features.shape[0] != n:
        raise ValueError(f"{what}: features must be [segments, dims] with {n} rows, got {features.shape}")
    if n < 4:
        raise ValueError(f"{what}: needs at least 4 segments, got {n}")


def pai(features: np.ndarray, phones: np.ndarray, groups: np.ndarray, cfg: ProbeConfig) -> dict:
    """Phonetic accessible information (bits per phone) of pooled segment features."""
    phones, groups = np.asarray(phones), np.asarray(groups)
    _check(features, len(phones), "PAI")
    per_seed = []
    for seed in cfg.seeds:
        train, by = _split(groups, cfg, seed)
        y, classes = pool_rare(phones, train, cfg.phone_min_count)
        zeros = np.zeros((len(y), 1), dtype=np.float32)  # the weights of zeroed features never move
        prior = heldout_ce(zeros, y, classes, train, by, cfg, seed)
        feat = heldout_ce(standardize(features, train), y, classes, train, by, cfg, seed)
        per_seed.append({"seed": seed, "classes": classes, "train": int(train.sum()), "test": int((~train).sum()),
                         "ce_prior": prior["ce_bits"], "ce_feat": feat["ce_bits"],
                         "pai": prior["ce_bits"] - feat["ce_bits"], "accuracy_prior": prior["accuracy"],
                         "accuracy_feat": feat["accuracy"], "weight_decay_feat": feat["weight_decay"],
                         "train_ce_feat": feat["train_ce_bits"]})
    out = _summary(per_seed, "pai")
    out.update(ce_prior=float(np.mean([r["ce_prior"] for r in per_seed])),
               ce_feat=float(np.mean([r["ce_feat"] for r in per_seed])), segments=len(phones), per_seed=per_seed)
    return out


def one_hot_context(context: np.ndarray) -> np.ndarray:
    """[N, k] ids (one column per context position) -> [N, sum of each column's id range] one-hots."""
    blocks = []
    for col in np.asarray(context).T:
        vals, inv = np.unique(col, return_inverse=True)
        block = np.zeros((len(col), len(vals)), dtype=np.float32)
        block[np.arange(len(col)), inv] = 1.0
        blocks.append(block)
    return np.concatenate(blocks, axis=1)


def csai(features: np.ndarray, context: np.ndarray, units: np.ndarray, groups: np.ndarray,
         cfg: ProbeConfig) -> dict:
    """Conditional semantic accessible information (bits per phone).

    context: [N, 3] ids of (previous phone, phone, next phone), with an edge id at utterance ends;
    units: the id of the text unit (character / word) each phone token belongs to.
    """
    units, groups = np.asarray(units), np.asarray(groups)
    _check(features, len(units), "CSAI")
    onehot = one_hot_context(context)
    per_seed = []
    for seed in cfg.seeds:
        train, by = _split(groups, cfg, seed)
        y, classes = pool_rare(units, train, cfg.unit_min_count, cfg.max_units)
        ctx = standardize(onehot, train)  # z-scored like the features, so one decay suits both
        a = heldout_ce(ctx, y, classes, train, by, cfg, seed)
        both = np.concatenate([ctx, standardize(features, train)], axis=1)
        b = heldout_ce(both, y, classes, train, by, cfg, seed)
        per_seed.append({"seed": seed, "classes": classes, "train": int(train.sum()), "test": int((~train).sum()),
                         "rare_share_test": float(np.mean(y[~train] == classes - 1)),
                         "ce_context": a["ce_bits"], "ce_context_feat": b["ce_bits"],
                         "csai": a["ce_bits"] - b["ce_bits"], "accuracy_context": a["accuracy"],
                         "accuracy_context_feat": b["accuracy"], "weight_decay_context": a["weight_decay"],
                         "weight_decay_context_feat": b["weight_decay"]})
    out = _summary(per_seed, "csai")
    out.update(ce_context=float(np.mean([r["ce_context"] for r in per_seed])),
               ce_context_feat=float(np.mean([r["ce_context_feat"] for r in per_seed])), segments=len(units),
               per_seed=per_seed)
    return out
