"""`python -m fincon_tui`."""

from fincon_tui.cli import main

raise SystemExit(main())
