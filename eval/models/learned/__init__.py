"""Learned attribute and relation heads for span models that predict labels only.

The ``spacy`` baseline's span categorizer finds ACTOR, CHANNEL, VENUE and ISSUE spans but
nothing else; these heads learn the rest from the gold, so that nothing is copied from the gold
or the rules at prediction time:

* one classifier per categorical span attribute of the schema (``actor_kind``, ``modality``, …),
  trained on the gold spans of its label (:mod:`.attributes`);
* one pair classifier per (head label, tail label) the schema's relations allow, over every
  pair of spans in one sentence, with ``none`` for unrelated pairs, and one classifier per
  relation attribute (``role``, ``polarity``, …) (:mod:`.relations`).

Every classifier is a bag of binary features (:mod:`.features`, over :mod:`.tokens`) and a
scikit-learn logistic regression, stored as plain arrays (:mod:`.linear`), so a model directory
is read without unpickling anything (:mod:`.store`).
"""

from __future__ import annotations

from backchannel.eval.models.learned.heads import Heads

__all__ = ["Heads"]
