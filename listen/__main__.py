"""``python -m listen`` runs the CLI."""

from listen.cli import main

main()
