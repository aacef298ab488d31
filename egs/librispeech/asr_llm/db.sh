# Where LibriSpeech lives: the folder holding LibriSpeech/ (with dev-clean/, ..., SPEAKERS.TXT).
# The environment variable of the same name overrides the default; local/download.sh downloads into it.
LIBRISPEECH=${LIBRISPEECH:-downloads/librispeech}
