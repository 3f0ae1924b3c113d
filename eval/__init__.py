"""Scoring models against the gold.

The pipeline, one module per job::

    joining.py   stream gold and prediction Documents side by side (by id, text checked)
    counting.py  flatten a batch of documents into numpy arrays, validate, reduce to count rows
    matching.py  SemEval-2013 span matching (strict, exact, partial, type), optimal per cluster
    relations.py relation matching (strict, boundaries) as multiset intersections
    stance.py    polarity confusion on matched holder-target pairs
    metrics.py   the count layout and every figure derived from summed counts
    stats.py     bootstrap intervals and paired tests by resampling count rows
    scoring.py   ``score()`` and ``compare()``: the library calls behind the CLI
    report.py    JSON, Markdown and self-contained HTML reports
    cli.py       ``backchannel score | compare | predict | train``
    models/      baseline extractors
"""
