"""Error analysis: each trace gets one outcome, and the fidelity stratum measures the path."""
import pytest

from swipe.data import load_layout
from swipe.error_analysis import analyse, fidelity, is_sloppy, main, outcome

W, H = 400, 150


def _trace(tid, word, path, **extra):
    keys = {k["key"]: (k["x"], k["y"]) for k in load_layout()["keys"]}
    pts = [[keys[c][0] * W, keys[c][1] * H, 30 * i] for i, c in enumerate(path)]
    return {"id": tid, "word": word, "width": W, "height": H, "points": pts, **extra}


def test_fidelity_of_a_path_through_the_keys_and_of_one_that_misses_them():
    layout = load_layout()
    clean = fidelity(_trace("a", "hello", "helo"), layout)
    assert clean == pytest.approx({"start": 0.0, "end": 0.0, "worst_letter": 0.0}, abs=1e-9)
    assert not is_sloppy(clean)
    # starts on d, three keys left of h, and ends on o
    off = fidelity(_trace("b", "hello", "delo"), layout)
    assert off["start"] == pytest.approx(3.0, abs=1e-6) and off["end"] == 0.0 and is_sloppy(off)
    # goes from e straight to o: the l is half a key right of o and one row down, 20 and 40.5 px
    # away on a 400 x 150 keyboard whose keys are 40 px wide
    skip = fidelity(_trace("c", "hello", "heo"), layout)
    assert skip["worst_letter"] == pytest.approx((20 ** 2 + (0.27027 * 150) ** 2) ** 0.5 / 40, abs=1e-6)
    assert skip["start"] == skip["end"] == 0.0 and is_sloppy(skip)
    assert fidelity(_trace("d", "x", "x"), layout, word="don't") is not None  # apostrophe dropped
    assert fidelity({**_trace("e", "a", "a"), "word": "a1"}, layout) is None  # no key for '1'


def test_outcomes_are_exclusive_and_ordered():
    lex = {"hello", "help", "he"}
    assert outcome(["hello"], {"word": "hello"}, lex) == "top-1"
    assert outcome(["Don't"], {"word": "dont"}, lex) == "top-1"  # displays compare like targets
    assert outcome(["help", "x", "hello"], {"word": "hello"}, lex) == "rank 2-4"
    assert outcome(["a", "b", "c", "d", "hello"], {"word": "hello"}, lex) == "missed"
    assert outcome(["a"], {"word": "hello", "suspect": True}, lex) == "suspect"
    assert outcome(["a"], {"word": "zzzz"}, lex) == "out-of-lexicon"
    assert outcome([], {"word": "he"}, lex) == "missed, <= 3 letters"
    assert outcome(["a"], {"word": "zzzz"}, None) == "missed"  # no lexicon given: not judged


def test_analyse_counts_and_strata(tmp_path, capsys):
    import gzip
    import json

    traces = [_trace("1", "hello", "helo"), _trace("2", "hello", "delo"), _trace("3", "help", "help"),
              _trace("4", "he", "he", suspect=True)]
    preds = {"1": ["hello"], "2": ["jello", "hello"], "3": ["yelp"]}
    r = analyse(preds, traces, load_layout(), {"hello", "help", "he", "jello", "yelp"})
    assert r["n"] == 4
    got = {o: v["n"] for o, v in r["outcomes"].items()}
    assert got == {"top-1": 1, "rank 2-4": 1, "suspect": 1, "out-of-lexicon": 0, "missed, <= 3 letters": 0,
                   "missed": 1}
    assert r["outcomes"]["rank 2-4"]["sloppy"] == 1
    assert r["fidelity"]["sloppy"] == {"n": 1, "top1": 0.0, "top4": 1.0, "mrr": pytest.approx(0.10)}
    assert r["fidelity"]["clean"]["n"] == 3 and r["fidelity"]["clean"]["top1"] == pytest.approx(1 / 3)
    # the CLI reads the same files the decode CLI writes
    tp, pp = tmp_path / "t.jsonl.gz", tmp_path / "p.jsonl"
    with gzip.open(tp, "wt") as f:
        f.writelines(json.dumps(t) + "\n" for t in traces)
    pp.write_text("".join(json.dumps({"id": k, "words": v}) + "\n" for k, v in preds.items()))
    assert main(["--preds", str(pp), "--traces", str(tp)])["outcomes"]["top-1"]["n"] == 1
    assert "sloppy" in capsys.readouterr().out
