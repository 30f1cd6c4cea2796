"""A job's script: prints its greeting and arguments."""

import os
import sys

print(os.environ.get("GREETING"), *sys.argv[1:])
