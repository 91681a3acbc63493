"""`python -m staffmix.cli`: the same program as `staffmix`."""

import sys

from staffmix.cli import main

sys.exit(main())
