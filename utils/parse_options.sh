#!/usr/bin/env bash
# Parse command-line options into shell variables, Kaldi style. Source it after the
# variables that act as options have been given their defaults:
#
#   nj=4            # number of parallel jobs
#   use_gpu=false   # true|false
#   . utils/parse_options.sh
#
# Accepted forms: --name value, --name=value (dashes in names become underscores),
# --config FILE (a shell file of name=value lines, sourced), --help / -h.
# A name with no variable of that name already set is an error that names it, unless the
# script declared an array `driver_args=()` first: then such an option (with its value) is
# appended to it, for the script to pass on (a corpus run.sh hands them to the shared driver).
# A variable whose default is true/false only takes true or false. Parsing stops at the first
# argument that does not start with --; those are left in "$@".
#
# --help prints the calling script's header comment (the comment block after the shebang)
# and every option: each `name=value  # comment` line that precedes the source of this file.

_po_script=$0
[ -n "${BASH_SOURCE[1]:-}" ] && _po_script=${BASH_SOURCE[1]}

_po_help() {
  # header: leading comment lines, skipping the shebang
  awk 'NR==1 && /^#!/ {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$_po_script"
  echo
  echo "Options (default in brackets):"
  awk '
    /parse_options\.sh/ {exit}
    /^[A-Za-z][A-Za-z0-9_]*=/ {
      line = $0; name = line; sub(/=.*/, "", name)
      value = line; sub(/^[^=]*=/, "", value)
      comment = ""
      if (match(value, /[ \t]+# /)) { comment = substr(value, RSTART + RLENGTH); value = substr(value, 1, RSTART - 1) }
      printf "  --%-28s [%s] %s\n", name, value, comment
    }' "$_po_script"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h)
      _po_help
      exit 0 ;;
    --config)
      [ $# -ge 2 ] || { echo "$0: option --config needs a file" >&2; exit 1; }
      [ -f "$2" ] || { echo "$0: config file '$2' not found" >&2; exit 1; }
      # shellcheck disable=SC1090
      . "$2"
      shift 2 ;;
    --config=*)
      _po_file=${1#--config=}
      [ -f "$_po_file" ] || { echo "$0: config file '$_po_file' not found" >&2; exit 1; }
      # shellcheck disable=SC1090
      . "$_po_file"
      shift ;;
    --*=*|--*)
      if [[ "$1" == --*=* ]]; then
        _po_name=${1%%=*}; _po_value=${1#*=}; _po_shift=1
      else
        [ $# -ge 2 ] || { echo "$0: option $1 needs a value" >&2; exit 1; }
        _po_name=$1; _po_value=$2; _po_shift=2
      fi
      _po_raw=$_po_name
      _po_name=${_po_name#--}; _po_name=${_po_name//-/_}
      if ! [[ "$_po_name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || [ -z "${!_po_name+set}" ] \
         || [ "$_po_name" = driver_args ]; then
        if [[ "$(declare -p driver_args 2>/dev/null)" == "declare -a"* ]]; then
          if [ "$_po_shift" = 1 ]; then driver_args+=("$1"); else driver_args+=("$1" "$2"); fi
          shift "$_po_shift"
          continue
        fi
        echo "$0: invalid option '${_po_raw}' (see $0 --help)" >&2
        exit 1
      fi
      _po_old=${!_po_name}
      if { [ "$_po_old" = true ] || [ "$_po_old" = false ]; } \
         && [ "$_po_value" != true ] && [ "$_po_value" != false ]; then
        echo "$0: option --${_po_name} takes true or false, got '$_po_value'" >&2
        exit 1
      fi
      printf -v "$_po_name" '%s' "$_po_value"
      shift "$_po_shift" ;;
    *) break ;;
  esac
done
unset _po_name _po_raw _po_value _po_old _po_shift _po_file
true
