"""`python -m fineadvisor` runs the CLI."""

from fineadvisor.cli import main

main()
