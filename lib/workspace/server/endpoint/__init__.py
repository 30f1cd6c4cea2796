"""``POST /model``: the access-key index (``index``) and the lean ASGI endpoint (``asgi``)."""
