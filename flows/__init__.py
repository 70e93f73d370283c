"""Not code: this file lets the content in this folder ship inside the package as `bot.flows`.

pyproject.toml maps this folder to `bot.flows`; the bot reads the YAML files next to this one
through importlib.resources. Editors: change the .yaml files and ignore this one.
"""
