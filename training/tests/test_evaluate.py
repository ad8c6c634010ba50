import gzip
import json

import pytest

from swipe.evaluate import MRR_WEIGHTS, main, rank_weight, read_preds, score


def test_rank_weights():
    assert MRR_WEIGHTS == (1.0, 0.10, 0.09, 0.08)
    assert rank_weight(["x", "y"], "x") == 1.0
    assert rank_weight(["a", "x"], "x") == 0.10
    assert rank_weight(["a", "b", "x"], "x") == 0.09
    assert rank_weight(["a", "b", "c", "x"], "x") == 0.08
    assert rank_weight(["a", "b", "c", "d", "x"], "x") == 0.0
    assert rank_weight([], "x") == 0.0


TRACES = [
    {"id": "u-0", "word": "the"},      # rank 1, short, seen
    {"id": "u-1", "word": "house"},    # rank 2, long, seen
    {"id": "u-2", "word": "dynegy"},   # rank 4, long, unseen
    {"id": "u-3", "word": "of"},       # miss (rank 5), short, unseen
    {"id": "u-4", "word": "cat"},      # no prediction line: miss
]
PREDS = {"u-0": ["the", "then"], "u-1": ["horse", "house"], "u-2": ["a", "b", "c", "dynegy"],
         "u-3": ["a", "b", "c", "d", "of"]}


def test_score_strata():
    m = score(PREDS, TRACES, seen_words={"the", "house", "cat"}, lexicon_words={"the", "house", "of"})
    a = m["all"]
    assert a["n"] == 5
    assert a["top1"] == pytest.approx(1 / 5)
    assert a["top4"] == pytest.approx(3 / 5)
    assert a["mrr"] == pytest.approx((1 + 0.10 + 0.08) / 5)
    assert m["len<=3"]["n"] == 3 and m["len<=3"]["mrr"] == pytest.approx(1 / 3)
    assert m["len>=4"]["n"] == 2 and m["len>=4"]["mrr"] == pytest.approx(0.18 / 2)
    assert m["seen"]["n"] == 3 and m["seen"]["top4"] == pytest.approx(2 / 3)
    assert m["unseen"]["n"] == 2 and m["unseen"]["mrr"] == pytest.approx(0.08 / 2)
    assert m["in-lexicon"]["n"] == 3 and m["out-of-lexicon"]["n"] == 2


def test_score_cli(tmp_path, capsys):
    tr = tmp_path / "dev.jsonl.gz"
    with gzip.open(tr, "wt") as f:
        for t in TRACES:
            f.write(json.dumps({**t, "points": [[0, 0, 0], [1, 1, 1]], "width": 10, "height": 5}) + "\n")
    pr = tmp_path / "preds.jsonl"
    pr.write_text("".join(json.dumps({"id": k, "words": v, "ms": 1.0}) + "\n" for k, v in PREDS.items()))
    assert read_preds(pr) == PREDS
    m = main(["score", "--preds", str(pr), "--traces", str(tr), "--train-traces", "", "--json"])
    assert m["all"]["top1"] == pytest.approx(0.2)
    out = capsys.readouterr().out
    assert "1 traces without one" in out and "top-4" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"words": ["a"]}\n')
    with pytest.raises(ValueError, match="needs 'id'"):
        read_preds(bad)


def test_decode_cli_on_shipped_model(tmp_path, capsys):
    from pathlib import Path

    models = Path(__file__).resolve().parents[2] / "public" / "models"
    found = sorted(p.parent for p in models.glob("*/model.json"))
    if not found:
        pytest.skip("no exported model")
    d = found[0]
    out = tmp_path / "p.jsonl"
    res = main(["--onnx", str(d), "--limit", "6", "--out", str(out), "--beam", "4"])
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 6 and all(set(x) == {"id", "words", "scores", "ms"} for x in lines)
    lex = {x.split("\t")[0] for x in (d / "lexicon.tsv").read_text().splitlines()}
    assert all(w in lex for x in lines for w in x["words"])
    assert res[0]["metrics"]["all"]["n"] == 6 and res[0]["lexiconSize"] == len(lex)


def test_features_follow_the_model_json(tmp_path):
    """A model folder is decoded with its own `features` (the TS engine reads the same block):
    a long trace is resampled to features.maxFrames, and --max-frames overrides it."""
    import shutil
    from pathlib import Path

    from swipe.data import load_layout
    from swipe.evaluate import OnnxRunner, encode_traces, feature_kwargs, trace_features

    assert feature_kwargs(None) == {}
    assert feature_kwargs({"maxFrames": 64, "proxScale": 4, "dtCapMs": 200}) == {
        "max_frames": 64, "prox_scale": 4.0, "dt_cap_ms": 200.0}
    models = Path(__file__).resolve().parents[2] / "public" / "models"
    found = sorted(p.parent for p in models.glob("*/model.json"))
    if not found:
        pytest.skip("no exported model")
    d = tmp_path / "m"
    shutil.copytree(found[0], d, ignore=shutil.ignore_patterns("android"))
    m = json.loads((d / "model.json").read_text())
    m["features"]["maxFrames"] = 40
    (d / "model.json").write_text(json.dumps(m))
    layout = load_layout(d / m["layout"])
    trace = {"id": "long", "width": 360, "height": 215,
             "points": [[(i * 7) % 360, (i * 3) % 200, i * 8] for i in range(300)]}
    assert trace_features(trace, layout).shape[0] == 200
    r = OnnxRunner(d)
    assert r.feature_kwargs["max_frames"] == 40
    assert trace_features(trace, layout, r.feature_kwargs).shape[0] == 40
    (enc,) = encode_traces(r, [trace], layout)
    (enc_full,) = encode_traces(OnnxRunner(found[0]), [trace], layout)
    assert enc.shape[0] < enc_full.shape[0]  # fewer frames in, fewer encoder frames out
    res = main(["--onnx", str(d), "--limit", "3", "--beam", "2", "--max-frames", "30"])
    assert res[0]["metrics"]["all"]["n"] == 3
    with pytest.raises(SystemExit):  # argparse: M must be at least 2
        main(["--onnx", str(d), "--limit", "1", "--max-frames", "1"])
