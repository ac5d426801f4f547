"""`python -m mathml_cli` and the `mathml` console script.

The CLI's own handler turns Ctrl-C into exit code 130, quietly, but only once the
CLI is imported; this wrapper covers the first tenth of a second too (importing
typer and the commands), so an interrupt never shows a traceback.
"""

import sys


def main() -> None:
    try:
        from mathml_cli.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
