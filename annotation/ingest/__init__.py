"""Articles in, one Document corpus out: readers per source format, de-duplication, the corpus."""
