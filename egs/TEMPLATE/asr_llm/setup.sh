#!/usr/bin/env bash
# Create a new recipe folder that uses the shared driver:
#   egs/TEMPLATE/asr_llm/setup.sh egs/<corpus>/asr_llm
# Shared pieces (asr_llm.sh, path.sh, cmd.sh, utils/) are symlinked; run.sh, db.sh,
# local/data.sh and conf/ are written for you to edit. cmd.sh picks its launcher from the
# cmd_backend environment variable (local | slurm); replace the link by a copy to customise it.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <new-recipe-dir>" >&2; exit 1; }
template=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(cd "$template/../../.." && pwd)
dir=$1
[ -e "$dir" ] && { echo "$0: $dir already exists" >&2; exit 1; }
mkdir -p "$dir/local" "$dir/conf"
dir=$(cd "$dir" && pwd)
ln -s "$(realpath --relative-to="$dir" "$template/asr_llm.sh")" "$dir/asr_llm.sh"
ln -s "$(realpath --relative-to="$dir" "$template/path.sh")" "$dir/path.sh"
ln -s "$(realpath --relative-to="$dir" "$template/cmd.sh")" "$dir/cmd.sh"
ln -s "$(realpath --relative-to="$dir" "$root/utils")" "$dir/utils"
cp "$template/run.sh" "$template/db.sh" "$dir/"
cp "$template/local/data.sh" "$dir/local/"
for f in "$root"/conf/*.yaml; do
  [ -e "$f" ] || continue
  printf 'extends: %s\n# overrides of the base config for this recipe go here\n' \
    "$(realpath --relative-to="$dir/conf" "$f")" > "$dir/conf/$(basename "$f")"
done
echo "created $dir: edit local/data.sh, db.sh and run.sh, then run ./run.sh"
