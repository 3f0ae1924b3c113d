"""backchannel: gold datasets of who talks to whom, through which channel, with what stance.

The library lives in two packages: :mod:`backchannel.annotation` (from raw article to gold
dataset) and :mod:`backchannel.eval` (scoring models against the gold).  The command line
``backchannel`` is a thin shell over both.
"""

__version__ = "0.1.0"
