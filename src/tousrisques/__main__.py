"""``python -m tousrisques``: the command line, as the ``tousrisques`` script runs it."""

from tousrisques.cli import main

if __name__ == "__main__":
    main()
