"""The ``hf-lineage`` console command: the same command line as the Rust binary."""

import sys

from . import _native


def main() -> None:
    """Runs ``hf-lineage`` with this process's arguments and exits with its code."""
    argv = ["hf-lineage", *sys.argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(_native.run_cli(argv))
