"""Not code: this file lets the catalogs in this folder ship inside the package as `bot.locales`.

pyproject.toml maps this folder to `bot.locales`; the bot reads the .po files below it through
importlib.resources.
"""
