"""`python -m podtui`: the same as the `podtui` command."""

from podtui.cli import main

raise SystemExit(main())
