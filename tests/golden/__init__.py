"""Golden answers: what the API, the OGC API and the CLI answer today, on both samples.

Each case's expected answer is one file, ``tests/golden/<sample>/<group>/<case>.json`` (JSON
answers) or ``.txt`` (HTML, CSV, CLI output). Regenerate them after an intended change with::

    WSZ_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden

(add ``WSZ_GOLDEN_FULL=1`` to include the complete CLI export matrix, which is slow: every CLI
export analyses the store anew). Without ``WSZ_UPDATE_GOLDEN`` a missing file is a failure and
a mismatch shows a short diff. See :func:`tests.golden.support.normalise` for what is
normalised (only what legitimately varies between runs).
"""
