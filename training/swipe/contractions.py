"""Contractions the lexicon holds by their bare letters.

Layouts have no apostrophe key and the model has never seen one (HWS writes "dont", "ive"), so
a contraction is swiped and decoded as its letters: the lexicon holds "didnt", and the engine
types "didn't" (src/engine/contractions.ts, the same list; a TS test keeps the two equal).
Only forms whose bare letters are no ordinary word are listed: its/it's, ill/I'll, were/we're,
well/we'll, id/I'd, wed/we'd, hell/he'll, shell/she'll, shed/she'd, lets/let's stay words.

The word lists split contractions at the apostrophe ("didn't" -> "didn" + "t"), so they have
no "didnt" but count "didn": that count is the contraction's (FRAGMENTS are n't stems that are
no word of their own, dropped from the lexicon); other missing ones get the N-th word's count.
"""
from __future__ import annotations

CONTRACTIONS: tuple[str, ...] = (
    "ain't", "aren't", "can't", "couldn't", "could've", "didn't", "doesn't", "don't",
    "hadn't", "hasn't", "haven't", "he'd", "here's", "he's", "how's", "I'm",
    "isn't", "it'd", "it'll", "I've", "mightn't", "might've", "mustn't", "must've",
    "needn't", "o'clock", "shouldn't", "should've", "she's", "that'll", "that's", "there'll",
    "there's", "they'd", "they'll", "they're", "they've", "wasn't", "we've", "weren't",
    "what's", "where's", "who'd", "who'll", "who's", "won't", "wouldn't", "would've",
    "y'all", "you'd", "you'll", "you're", "you've",
)

FRAGMENTS: frozenset[str] = frozenset({
    "didn", "doesn", "couldn", "wouldn", "shouldn", "isn", "wasn", "aren", "weren", "hasn",
    "hadn", "mustn", "needn", "mightn",
})


def bare(word: str) -> str:
    """The letters a contraction is swiped by: "I'm" -> "im"."""
    return word.lower().replace("'", "")


def fragment(word: str) -> str | None:
    """The corpus stem of an n't contraction that is no word itself ("didn't" -> "didn")."""
    w = word.lower()
    return w[:-2] if w.endswith("n't") and w[:-2] in FRAGMENTS else None
