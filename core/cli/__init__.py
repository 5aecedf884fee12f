"""The command line, ``python -m core [GLOBAL OPTIONS] COMMAND ... [GLOBAL OPTIONS]``: one module per area.

Re-exports only; see :mod:`core.cli.main` for the parser and the exit codes.
"""
from core.cli.main import AREAS, Context, build_parser, main

__all__ = ["AREAS", "Context", "build_parser", "main"]
