"""Scoring predictions against gold: reading, matching, counting, metrics, intervals, reports.

The entry points are :func:`backchannel.eval.scoring.scorer.score` and
:func:`~backchannel.eval.scoring.scorer.compare`.
"""
