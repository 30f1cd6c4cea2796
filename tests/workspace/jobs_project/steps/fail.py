"""Fails with exit code 3, as a broken step would."""

import sys

print("failing on purpose")
sys.exit(3)
