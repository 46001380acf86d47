"""`python -m labledger.cli ...` is the same as the `labledger` command."""

from labledger.cli.app import main

main()
