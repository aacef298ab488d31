"""Job launchers with Kaldi's interface: run.pl (local, parallel) and slurm.pl (sbatch)."""
