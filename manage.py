#!/usr/bin/env python
"""Django's command-line utility; the installed console script `ehcflow` does the same."""

from ehcflow.cli import main

if __name__ == "__main__":
    main()
