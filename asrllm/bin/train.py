"""Train one stage of the recipe (7 pre-training, 8 alignment, 9 IA-SFT, 10 joint SFT).

  python -m asrllm.bin.train --config conf/train/pretrain.yaml --data-config conf/data.yaml \
      --train-dir dump/filtered/train_sp --valid-dir dump/filtered/dev --cmvn dump/global_cmvn.json \
      --lang phone=data/lang_phone --out-dir exp/asr_llm_entropy/pretrain \
      [--llm PATH] [--init-model DIR] [--init-encoder FILE] [--swaps FILE]

Runs under torchrun for DDP/FSDP. Re-running the same command resumes from the last checkpoint;
a finished stage leaves <out-dir>/final (the whole model, asrllm.models.build.save_pretrained).
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.recipe.train_stage import StageArgs, train


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="stage config (YAML)")
    p.add_argument("--model-config", default=None, help="model size config (conf/model/*.yaml); the stage "
                                                        "config's keys override it")
    p.add_argument("--scale-config", default=None, help="training settings of a scale (conf/scale/*.yaml): "
                                                        "`train:` under the stage config, `stages.<name>:` over it")
    p.add_argument("--data-config", required=True, help="data/front-end config (conf/data.yaml)")
    p.add_argument("--train-dir", required=True)
    p.add_argument("--valid-dir", required=True)
    p.add_argument("--cmvn", default=None, help="global CMVN json (stage 5)")
    p.add_argument("--lang", action="append", default=[], metavar="HEAD=LANG_DIR",
                   help="label set of a CTC head: units from LANG_DIR/units.txt, labels from "
                        "<data dir>/text.<LANG_DIR suffix after 'lang_'>")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--llm", default=None, help="LLM folder (overrides model.llm.path)")
    p.add_argument("--allow-download", action="store_true", help="let the LLM (a hub id) download into the "
                                                                 "Hugging Face cache")
    p.add_argument("--init-model", default=None, help="a saved model folder to start from (previous stage)")
    p.add_argument("--init-encoder", default=None, help="encoder (+CTC heads) weights: a snapshot .pt or "
                                                       "a saved model folder")
    p.add_argument("--swaps", default=None, help="pre-training swaps.json (alignment: its first snapshot "
                                                 "initialises the encoder; IA-SFT: what to hot-swap)")
    p.add_argument("--seed", type=int, default=None, help="the run's seed (overrides train.seed): the model's "
                   "initialisation, dropout and the data order (batching.seed + train.seed)")
    p.add_argument("--num-workers", type=int, default=None, help="data-loader workers (default: data config)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run("train", lambda: train(StageArgs(**vars(args))))  # bad input, a bad config: one line, exit 1


if __name__ == "__main__":
    sys.exit(main())
