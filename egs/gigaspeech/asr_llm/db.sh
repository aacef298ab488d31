# Where GigaSpeech lives: the folder holding GigaSpeech.json and audio/ (decrypted opus; licence
# and download: https://github.com/SpeechColab/GigaSpeech). The environment variable overrides it.
GIGASPEECH=${GIGASPEECH:-}
