/**
 * What a swiped contraction inserts. Layouts have no apostrophe key and the model never emits
 * one (its training words have none: HWS writes "dont", "ive"), so a contraction is swiped and
 * decoded by its bare letters; this table gives the word the keyboard types for them.
 *
 * Only bare forms that are not themselves ordinary words are listed ("dont" -> "don't"). Pairs
 * where both spellings are common words stay as they are: its/it's, ill/I'll, id/I'd, were/we're,
 * well/we'll, wed/we'd, hell/he'll, shell/she'll, shed/she'd, lets/let's. "cant" and "wont" are
 * listed: as words they are rare next to "can't" and "won't". The same list is in
 * training/swipe/contractions.py, whose lexicon build adds the ones the word lists lack
 * ("didnt"); a test keeps the two equal.
 */
export const CONTRACTIONS: ReadonlyMap<string, string> = new Map(
  [
    "ain't", "aren't", "can't", "couldn't", "could've", "didn't", "doesn't", "don't",
    "hadn't", "hasn't", "haven't", "he'd", "here's", "he's", "how's", "I'm", "isn't", "it'd",
    "it'll", "I've", "mightn't", "might've", "mustn't", "must've", "needn't", "o'clock",
    "shouldn't", "should've", "she's", "that'll", "that's", "there'll", "there's", "they'd",
    "they'll", "they're", "they've", "wasn't", "we've", "weren't", "what's", "where's", "who'd",
    "who'll", "who's", "won't", "wouldn't", "would've", "y'all", "you'd", "you'll", "you're",
    "you've",
  ].map((w) => [w.toLowerCase().replace(/'/g, ''), w]),
);
