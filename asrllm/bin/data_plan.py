"""Print what the data config asks of the recipe's data stages, for the driver: one `key values` line each.

    python -m asrllm.bin.data_plan --config conf/data.yaml
    speed_factors 0.9 1.0 1.1      stage 2's factors (none when speed_perturb.online)
    augment_parts noisy nonspeech  the training-set parts stage 4 writes (none: no line values)
    augment_inputs noise/wav.scp   files that augmentation reads besides the training set
    dump_fbank true                does stage 5 dump features (feats_type fbank) or only CMVN stats
The rules are asrllm.data.config.DataConfig's; the shell reads no YAML itself.
"""

import sys

from asrllm.data.cli import run_data_stage, stage_parser


def plan_lines(cfg) -> list[str]:
    items = {"speed_factors": [f"{f:g}" for f in cfg.offline_speed_factors],
             "augment_parts": cfg.offline_augment_parts, "augment_inputs": cfg.augment_inputs,
             "dump_fbank": [str(cfg.feats_type == "fbank").lower()]}
    return [" ".join([key, *values]) for key, values in items.items()]


def main(argv: list[str] | None = None) -> int:
    args = stage_parser("data_plan", __doc__, sharded=False).parse_args(argv)
    return run_data_stage("data_plan", args, lambda cfg: print("\n".join(plan_lines(cfg))))


if __name__ == "__main__":
    sys.exit(main())
