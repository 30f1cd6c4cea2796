"""``python -m workspace.console fetch`` — vendor the console's npm assets (the setup step).

A package entry point rather than ``-m workspace.console.assets``: the package imports that module
for its pages, and running an already-imported module as ``__main__`` is what runpy warns about.
"""

from workspace.console.assets import main

raise SystemExit(main())
