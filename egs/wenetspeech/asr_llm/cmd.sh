# How jobs are launched. Every launcher takes Kaldi's interface:
#   ${train_cmd} [--mem 4G] [--gpu N] [--num-threads N] JOB=1:N exp/log/x.JOB.log command args
# run.pl runs on this machine; slurm.pl submits array jobs with sbatch (options mapped by
# conf/slurm.conf when present, else a built-in default).
cmd_backend=${cmd_backend:-local}

case "${cmd_backend}" in
  local)
    export train_cmd="run.pl"
    export cuda_cmd="run.pl"
    export decode_cmd="run.pl" ;;
  slurm)
    export train_cmd="slurm.pl"
    export cuda_cmd="slurm.pl"
    export decode_cmd="slurm.pl" ;;
  *) echo "cmd.sh: unknown cmd_backend '${cmd_backend}' (local or slurm)" >&2; return 1 ;;
esac
