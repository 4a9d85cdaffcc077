"""`python -m sync_server.cli` = `mingcha` (used where the console script is not on PATH)."""

from sync_server.cli import main

main()
