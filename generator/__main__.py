"""`python -m generator`: the `sdkgen` command, for environments without the console script."""

from generator.cli import main

main(prog_name="sdkgen")
