#!/usr/bin/env python
"""Django's usual entry point; ``citypeers`` does the same thing."""

from citypeers.cli import main

if __name__ == "__main__":
    main()
