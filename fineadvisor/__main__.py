"""`python -m fineadvisor` runs the CLI."""

from fineadvisor.present.cli import main

main()
