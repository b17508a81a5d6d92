"""`python -m civicflow_agency`: the same as the `civicflow-agency` command."""

import sys

from civicflow_agency.cli import main

sys.exit(main())
