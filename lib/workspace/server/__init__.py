"""The control-plane server: a FastAPI app in the shape of CML API v2 plus the model endpoint."""
