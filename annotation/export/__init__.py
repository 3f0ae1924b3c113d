"""Gold out: the dataset folder (parquet, DatasetDict, JSONL, DocBin), its card, events, publish."""
