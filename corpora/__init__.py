"""The bundled corpora and the script that builds them (``corpora/build.py``).

A package only so that tests can ``import corpora.build`` and ``corpora.noise``; it is not
installed with the wheel.
"""
