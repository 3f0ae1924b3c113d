"""``python -m backchannel`` runs the command line."""

from backchannel.annotation.cli import main

if __name__ == "__main__":
    main()
