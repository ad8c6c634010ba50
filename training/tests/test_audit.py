"""The miss audit: which traces it samples, the sheets it draws, and the tally of a labels file."""
import json

import pytest

from swipe.audit import is_miss, main, select, tally, wilson, write_sheets
from swipe.data import load_layout


def _trace(tid, word, **extra):
    return {"id": tid, "word": word, "width": 400, "height": 150, "points": [[10, 10, 0], [50, 20, 40]], **extra}


def test_a_miss_compares_words_as_the_scorer_does():
    assert not is_miss(["I'm", "in"], "im", "top4")  # the display form of the target is a hit
    assert is_miss(["a", "b", "c", "d", "im"], "im", "top4")  # fifth place is a top-4 miss
    assert is_miss(["in", "I'm"], "im", "top1") and not is_miss(["I'm"], "im", "top1")
    assert not is_miss(["a", "b", "c", "d"], "im", "top1")  # not in the top four: not a top-1 miss
    assert not is_miss([], "im", "top1") and is_miss([], "im", "top4")


def test_select_leaves_out_the_skipped_slice_and_traces_without_predictions():
    traces = [_trace(str(i), "word") for i in range(6)]
    preds = {str(i): ["other"] for i in range(5)}  # trace 5 was not decoded
    assert [t["id"] for t in select(traces, preds, "top4")] == ["0", "1", "2", "3", "4"]
    assert [t["id"] for t in select(traces, preds, "top4", range(1, 3))] == ["0", "3", "4"]


def test_sheets_hold_nine_cases_a_page(tmp_path):
    cases = [{**_trace(str(i), f"word{i}"), "suspect": False, "in_lexicon": True, "words": ["a"]} for i in range(10)]
    pages = write_sheets(cases, load_layout(), tmp_path / "out")
    assert [p.name for p in pages] == ["sheet-0.html", "sheet-1.html"]
    assert json.loads((tmp_path / "out" / "cases.json").read_text()) == cases
    second = pages[1].read_text()
    assert '"word9"' in second and '"word8"' not in second and "audit 9-9" in second


def test_tally_counts_each_category_with_an_interval(tmp_path):
    labels = tmp_path / "labels.tsv"
    labels.write_text("# id, category, note\na\tnoise\tsuspect\nb\tmodel\tclean\nc\tmodel\n\nd\tambiguous\tx\n")
    r = tally(labels)
    assert r["n"] == 4 and r["model"]["n"] == 2 and r["model"]["share"] == 0.5
    lo, hi = r["model"]["ci95"]
    assert 0.1 < lo < 0.5 < hi < 0.9
    labels.write_text("a\twrong\tx\n")
    with pytest.raises(ValueError, match="labels.tsv:1"):
        tally(labels)


def test_wilson_interval_stays_within_zero_and_one():
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(26, 90)  # the 2026-12-07 audit's "model" share
    assert lo == pytest.approx(0.205, abs=1e-3) and hi == pytest.approx(0.390, abs=1e-3)


def test_the_cli_draws_a_reproducible_sample(tmp_path):
    traces = [_trace(f"t{i}", "word") for i in range(30)]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(t) + "\n" for t in traces))
    (tmp_path / "preds.jsonl").write_text("".join(json.dumps({"id": t["id"], "words": ["other"]}) + "\n" for t in traces))
    (tmp_path / "lex.tsv").write_text("other\t-1.0\n")
    args = ["sheets", "--preds", str(tmp_path / "preds.jsonl"), "--traces", str(tmp_path / "dev.jsonl"),
            "--skip", "0:10", "--seed", "3", "--lexicon", str(tmp_path / "lex.tsv")]
    small = main(args + ["--out", str(tmp_path / "a"), "--sample", "4"])
    main(args + ["--out", str(tmp_path / "b"), "--sample", "8"])
    assert small["misses"] == 20 and small["considered"] == 20
    a = json.loads((tmp_path / "a" / "cases.json").read_text())
    b = json.loads((tmp_path / "b" / "cases.json").read_text())
    assert [c["id"] for c in a] == [c["id"] for c in b[:4]]  # a larger sample extends a smaller one
    assert all(int(c["id"][1:]) >= 10 for c in b) and all(c["in_lexicon"] is False for c in b)
