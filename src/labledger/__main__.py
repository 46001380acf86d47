"""`python -m labledger ...` is the same as the `labledger` command."""

from labledger.cli import main

main()
