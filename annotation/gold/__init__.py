"""Gold from annotations: adjudication, immutable versions, diffs and the review round."""
