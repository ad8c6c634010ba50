import math

import pytest

from swipe.lexicon import (Lexicon, Trie, build_lexicon, format_logprior, read_lexicon_tsv,
                           write_lexicon_tsv)


def _tsv(tmp_path, rows):
    p = tmp_path / "words.tsv"
    p.write_text("".join(f"{w}\t{c}\n" for w, c in rows))
    return p


def test_build_priors_and_added_words(tmp_path):
    p = _tsv(tmp_path, [("the", 60), ("she", 20), ("shell", 10), ("he", 5), ("zzz", 1)])
    entries, src = build_lexicon(p, top_n=4, extra_words={"shelly", "he", "bad-word"}, contractions=())
    d = dict(entries)
    # top 4 + "shelly" (missing, gets the 4th word's count 5); "he" already there; invalid dropped
    assert set(d) == {"the", "she", "shell", "he", "shelly"}
    total = 60 + 20 + 10 + 5 + 5
    assert d["the"] == float(format_logprior(math.log(60 / total)))
    assert d["shelly"] == d["he"] == float(format_logprior(math.log(5 / total)))
    assert src.added_train_words == 1 and src.added_count == 5
    # sorted by prior desc then word asc
    assert [w for w, _ in entries] == ["the", "she", "shell", "he", "shelly"]


def test_contractions_by_their_letters(tmp_path):
    # The corpora split "didn't" into "didn" + "t": "didn" (a stem, no word) carries the count.
    p = _tsv(tmp_path, [("the", 60), ("didn", 30), ("dont", 20), ("she", 10), ("he", 5), ("doesn", 2)])
    entries, src = build_lexicon(p, top_n=5, extra_words={"youre"},
                                 contractions=("didn't", "don't", "doesn't", "you're", "they're"))
    d = dict(entries)
    assert "didn" not in d and "doesn" not in d
    total = 60 + 20 + 10 + 5 + 30 + 2 + 5 + 5
    assert d["didnt"] == float(format_logprior(math.log(30 / total)))
    assert d["doesnt"] == float(format_logprior(math.log(2 / total)))  # stem beyond the top 5
    assert d["theyre"] == d["youre"] == d["he"]  # no stem: the N-th word's count, as HWS words
    assert d["dont"] == float(format_logprior(math.log(20 / total)))  # already a word: as is
    assert src.added_contractions == 4 and src.added_train_words == 0
    assert "4 contractions" in src.description


def test_default_contractions_are_bare_and_swipeable():
    from swipe.contractions import CONTRACTIONS, FRAGMENTS, bare, fragment
    assert len(set(map(bare, CONTRACTIONS))) == len(CONTRACTIONS)
    assert all("'" in c and bare(c).isalpha() and bare(c).islower() for c in CONTRACTIONS)
    assert fragment("didn't") == "didn" and fragment("can't") is None and fragment("I'm") is None
    assert {fragment(c) for c in CONTRACTIONS} - {None} == FRAGMENTS


def test_tsv_round_trip_exact(tmp_path):
    entries = [("a", -1.0 / 3), ("b'c", -math.pi), ("ab", -1.0 / 3)]
    out = tmp_path / "lexicon.tsv"
    write_lexicon_tsv(entries, out)
    text = out.read_text()
    assert text.splitlines()[0] == "a\t-0.33333333333333331"
    assert [w for w, _ in read_lexicon_tsv(out)] == ["a", "ab", "b'c"]
    assert dict(read_lexicon_tsv(out)) == dict(entries)  # 17 digits round-trip exactly


def test_bad_lexicon_file(tmp_path):
    p = tmp_path / "l.tsv"
    p.write_text("Hello\t-1\n")
    with pytest.raises(ValueError, match="bad lexicon line"):
        read_lexicon_tsv(p)
    p.write_text("")
    with pytest.raises(ValueError, match="empty"):
        read_lexicon_tsv(p)


def test_trie_lookahead_literal_words():
    t = Trie([("he", -3.0), ("she", -2.0), ("shell", -1.5), ("his", -4.0)])
    assert len(t) == 4
    root = 0
    assert t.best[root] == -1.5
    assert t.best[t.find("h")] == -3.0
    assert t.best[t.find("he")] == -3.0 and t.logprior[t.find("he")] == -3.0
    assert t.best[t.find("hi")] == -4.0
    assert t.best[t.find("s")] == -1.5
    assert t.best[t.find("she")] == -1.5 and t.logprior[t.find("she")] == -2.0
    assert t.word[t.find("she")] == "she" and t.word[t.find("shel")] is None
    assert t.best[t.find("shel")] == -1.5
    assert t.find("x") is None and t.find("shells") is None
    assert t.prefix[t.find("shel")] == "shel"
    assert sorted(t.children[t.find("sh")]) == [4]  # 'e'
    with pytest.raises(ValueError):
        t.add("he", -1.0)
    with pytest.raises(ValueError):
        t.add("Oops", -1.0)


def test_default_lexicon_contains_train_words():
    lex = Lexicon.build_default(top_n=1000)
    assert "the" in lex and len(lex) > 1000
    assert "dynegy" in lex  # HWS company name, not in the English list's top 1000
