"""`python -m mathml_cli` runs the `mathml` command."""

from mathml_cli.cli import main

if __name__ == "__main__":
    main()
