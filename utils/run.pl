#!/usr/bin/env python3
"""run.pl [--mem 4G] [--gpu N] [--num-threads N] [--max-jobs-run N] [JOB=1:N] <log> <command> [args]

Kaldi's launcher interface: JOB is replaced by 1..N in the log name and the command.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from asrllm.launch.run_pl import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
