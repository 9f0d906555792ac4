"""``python -m service.cli``: the ``wsz`` command."""

import sys

from service.cli import main

sys.exit(main())
