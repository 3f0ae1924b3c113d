"""The ``backchannel`` command line: one module per area, each command a thin shell.

:mod:`~backchannel.cli.app` assembles the root group; :mod:`~backchannel.cli.common` holds the
shared options and the one place where library errors become ``error:`` lines.  Each area module
(``corpus``, ``schema``, ``studio``, ``gold``, ``export``, ``evaluate``) parses options, calls one
library function and prints; library modules never print.
"""
