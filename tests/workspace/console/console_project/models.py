"""The model the console tests build, deploy and send test requests to."""


def predict(args):
    """Greets the truck it is sent; a missing name is the caller's mistake."""
    return {"greeting": f"hello {args['name']}", "fields": sorted(args)}
