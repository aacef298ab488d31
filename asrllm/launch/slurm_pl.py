"""slurm.pl: submit JOB=1:N as one Slurm array job, wait for it, report failed tasks."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from asrllm.launch.jobspec import JobSpec, UsageError, parse
from asrllm.launch.logs import rotate_log
from asrllm.launch.slurm_conf import SlurmConf, SlurmConfError

SCRIPT = """#!/usr/bin/env bash
cd {cwd}
{threads}task=${{SLURM_ARRAY_TASK_ID:-{first}}}
case "$task" in
{cases}
  *) echo "slurm.pl: unexpected task id $task" >&2; exit 1 ;;
esac
"""

CASE = """  {job})
    log={log}
    mkdir -p "$(dirname "$log")"
    {{ printf '%s\n' {header}; echo "# Started at $(date) on $(hostname)"; echo "#"; }} > "$log"
    start=$(date +%s)
    ( {command} ) >> "$log" 2>&1
    code=$?
    echo "# Accounting: time=$(( $(date +%s) - start )) threads=1" >> "$log"
    echo "# Ended (code $code) at $(date), elapsed time $(( $(date +%s) - start )) seconds" >> "$log"
    echo $code > {status}
    exit $code ;;"""


def write_script(spec: JobSpec, qdir: Path, base: str) -> Path:
    cases = []
    for job in spec.ids:
        command = spec.command_for(job)
        cases.append(CASE.format(
            job=job, log=shlex.quote(os.path.abspath(spec.log_for(job))), command=command,
            header=shlex.quote(f"# {command}"),  # shown as is: nothing in it is expanded
            status=shlex.quote(str(qdir / f"{base}.{job}.status"))))
    script = qdir / f"{base}.sh"
    threads = spec.options.get("num_threads")  # the job's thread count, as run.pl sets it
    threads = f"export OMP_NUM_THREADS={shlex.quote(str(threads))}\n" if threads else ""
    script.write_text(SCRIPT.format(cwd=shlex.quote(os.getcwd()), threads=threads, first=spec.first,
                                    cases="\n".join(cases)), encoding="utf-8")
    script.chmod(0o755)
    return script


def run(spec: JobSpec) -> int:
    conf_path = spec.options.pop("config", None)
    if conf_path is None and Path("conf/slurm.conf").is_file():
        conf_path = "conf/slurm.conf"
    conf = SlurmConf.from_file(conf_path)
    sbatch = conf.command + conf.sbatch_args(spec.options)
    log0 = Path(spec.log_for(spec.first))
    qdir = log0.parent / "q"
    qdir.mkdir(parents=True, exist_ok=True)
    base = log0.name.replace(str(spec.first), "JOB") if spec.var else log0.name
    base = base.removesuffix(".log")
    for job in spec.ids:
        (qdir / f"{base}.{job}.status").unlink(missing_ok=True)
        rotate_log(spec.log_for(job))  # an earlier attempt's log becomes <log>.1
    script = write_script(spec, qdir, base)
    array = f"--array={spec.first}-{spec.last}"
    if "max_jobs_run" in spec.options:
        array += f"%{spec.options['max_jobs_run']}"
    cmd = sbatch + ["--wait", array, "--job-name", base, "-o", str(qdir / f"{base}.%a.out"), str(script)]
    with open(qdir / f"{base}.submit.log", "w", encoding="utf-8") as f:
        f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
    subprocess.run(cmd, stdin=subprocess.DEVNULL, check=False)
    failed = []
    for job in spec.ids:
        status = qdir / f"{base}.{job}.status"
        code = status.read_text().strip() if status.is_file() else "missing"
        if code != "0":
            failed.append((job, code))
    for job, code in failed[:10]:
        print(f"slurm.pl: job {job} failed (status {code}), log is in {spec.log_for(job)}", file=sys.stderr)
    if failed:
        print(f"slurm.pl: {len(failed)} / {len(spec.ids)} failed; submit command in {qdir / (base + '.submit.log')}",
              file=sys.stderr)
    return len(failed)


def main(argv: list[str]) -> int:
    try:
        return 1 if run(parse(argv, "slurm.pl")) else 0
    except (UsageError, SlurmConfError) as e:
        print(e, file=sys.stderr)
        return 1
