"""An entry point whose import fails: its build must fail, not its deployment."""

import module_that_does_not_exist  # noqa: F401


def predict(args):
    return args
