"""`python -m publish` runs the same click group as the `publish` console script."""

from publish.cli import main

main()
