"""``tvt``: the project's command line (installed into .venv by ``uv sync``).

Exit codes (``scripts.commands.exit_codes``) are the same for every command: 0 success, 1 a mandatory
policy violation, 2 bad input (config, plan or policy config), always with a message naming the
file, the key and what was expected, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scripts.commands import check, diff, plan, validate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tvt", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (validate, plan, check, diff):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
