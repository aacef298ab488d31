# Where AISHELL-1 lives: the folder holding data_aishell/ (and resource_aishell/). The environment
# variable of the same name overrides the default; local/download.sh downloads into it.
AISHELL=${AISHELL:-downloads/aishell}
