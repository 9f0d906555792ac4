"""The what-if tests use the session's delft-tu analysis (``delft_analysis`` in
tests/conftest.py: walking over its real OSM network, built once per session)."""
