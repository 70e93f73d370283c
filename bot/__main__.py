import os
import sys

from bot.cli.main import main

try:
    sys.exit(main())
except BrokenPipeError:
    # `python -m bot facts | head`: the reader left; that is not an error worth a traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
