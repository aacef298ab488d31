# Where WenetSpeech lives: the folder holding WenetSpeech.json and audio/ (licence and download:
# https://wenet.org.cn/WenetSpeech/). The environment variable of the same name overrides it.
WENETSPEECH=${WENETSPEECH:-}
