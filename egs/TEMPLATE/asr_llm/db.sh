# Where the corpora live. An environment variable of the same name overrides each default.
AISHELL=${AISHELL:-downloads/aishell}
LIBRISPEECH=${LIBRISPEECH:-downloads/librispeech}
WENETSPEECH=${WENETSPEECH:-}
GIGASPEECH=${GIGASPEECH:-}
