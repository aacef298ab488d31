# The mini recipe synthesises its corpus (local/data.sh); no corpus root is needed.
