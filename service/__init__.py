"""The HTTP API (FastAPI) and the ``wsz`` command line; both call :mod:`geo.pipeline`."""
