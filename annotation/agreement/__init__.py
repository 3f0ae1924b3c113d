"""Inter-annotator agreement: items, statistics with intervals, typed records, reports, quality."""
