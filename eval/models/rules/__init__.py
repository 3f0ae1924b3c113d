"""The ``rules`` baseline: spaCy matchers over word lists, no training.

Why rules first: an annotation project needs pre-annotations on day one, before any gold exists,
and a transparent baseline whose every span says *why* it is there (``reason``).  The rules are
generic English news conventions, read from ``eval/models/data/`` (see
:mod:`backchannel.eval.models.lexicon`); nothing refers to a particular article.

What it finds, in order (an earlier step claims tokens, so later steps never overlap it):

* ACTOR: unnamed sources ("a senior Western official"); title plus name ("Foreign Minister Ana
  Ruiz", with a nationality adjective or a country's possessive in front); a title alone after
  "the" or an adjective (role); honorific plus name ("Mr Ruiz"); seats of government ("the
  Kremlin", metonymy); international organisations; government bodies and collectives ("the
  Russian foreign ministry", "British diplomats"); countries (state) and capitals (metonymy);
  "First Last said" persons; and every later mention of a surname already seen in a full name.
* CHANNEL: nouns and inflected verbs per ``channel_kind``; modality from cue words in the clause
  before it (and just after: "the talks were suspended"); visibility from secrecy cues.
* VENUE: places after "in"/"at" (and "to" after a visit) in a sentence with a channel.
* ISSUE: noun phrases headed by an issue word ("the Black Sea grain corridor") in a sentence with
  a channel or a stance cue.
* PARTICIPANT: actors in a channel's sentence, role from position and cue words ("X called Y":
  initiator, recipient; "through X": mediator; "X visited": visitor; "hosted": host).
* HELD_AT, ABOUT: nearest venue / issue in the channel's sentence.
* STANCE: a stance cue with the nearest actor before it (holder) and the first actor or issue
  after it (target).

Where each part lives (every recogniser is a function taking the document's
:class:`~backchannel.eval.models.rules.context.Context`, so it can be run and tested alone):

* :mod:`~backchannel.eval.models.rules.model`: :class:`RulesModel`, the registry's ``rules``.
* :mod:`~backchannel.eval.models.rules.extractor`: :class:`RuleExtractor` (the matchers) and the
  order the recognisers run in (``RECOGNISERS``).
* :mod:`~backchannel.eval.models.rules.context`: one document's tokens, sentences, matches and
  claimed tokens.
* :mod:`~backchannel.eval.models.rules.actors_titles` (titles and the names after them),
  :mod:`~backchannel.eval.models.rules.actors_people` and
  :mod:`~backchannel.eval.models.rules.names`: unnamed sources, titles, honorifics, names.
* :mod:`~backchannel.eval.models.rules.actors_institutions`: seats, organisations, bodies,
  countries and capitals.
* :mod:`~backchannel.eval.models.rules.channels` and
  :mod:`~backchannel.eval.models.rules.modality`: contact words, their modality and visibility.
* :mod:`~backchannel.eval.models.rules.venues`, :mod:`~backchannel.eval.models.rules.issues`.
* :mod:`~backchannel.eval.models.rules.relations` (participants, roles, HELD_AT, ABOUT) and
  :mod:`~backchannel.eval.models.rules.stances`.
* :mod:`~backchannel.eval.models.rules.words`: the closed word lists (grammar words).
"""

from backchannel.eval.models.rules.extractor import RuleExtractor
from backchannel.eval.models.rules.model import VERSION, RulesModel

__all__ = ["VERSION", "RuleExtractor", "RulesModel"]
