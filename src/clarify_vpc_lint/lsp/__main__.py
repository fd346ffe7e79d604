"""``python -m clarify_vpc_lint.lsp``: the server, as the console script starts it."""

import sys

from . import main

sys.exit(main())
