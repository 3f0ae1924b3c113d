"""``python -m backchannel`` runs the command line."""

from backchannel.cli.app import main

if __name__ == "__main__":
    main()
