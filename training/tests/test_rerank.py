import gzip
import itertools
import json
import math

import numpy as np
import pytest

from swipe.beam_search import BeamConfig, beam_search
from swipe.data import REPO_ROOT, data_dir, load_layout, load_traces
from swipe.rerank import (FEATURES, SPEC, Candidate, FinalWord, Forest, ListSet, align, cross_validate, features, fit,
                          from_sklearn, ranked_lists, report, write_golden)
from swipe.rescore import Geometry, RescoreParams, penalty_for_trace
from swipe.lexicon import Lexicon
from toy_decoder import WORDS, ToyDecoder

LINEAR = RescoreParams(points=48, loc=0.7, shape=3.5, ends=0.3, letter=0.95)


@pytest.fixture(scope="module")
def geo():
    return Geometry(load_layout(data_dir() / "layouts" / "qwerty.json"))


def test_align_equals_brute_force_over_every_ordered_matching():
    rng = np.random.default_rng(3)
    for _ in range(30):
        path = [tuple(p) for p in rng.uniform(0, 4, size=(6, 2)).tolist()]
        tpl = [tuple(p) for p in rng.uniform(0, 4, size=(3, 2)).tolist()]
        best = min((sum(math.dist(tpl[j], path[i]) for j, i in enumerate(m)), m)
                   for m in itertools.combinations_with_replacement(range(6), 3))
        mean, worst, cover = align(path, tpl)
        assert mean == pytest.approx(best[0] / 3, abs=1e-12)
        assert worst == pytest.approx(max(math.dist(tpl[j], path[i]) for j, i in enumerate(best[1])), abs=1e-12)
        assert cover == pytest.approx(max(min(math.dist(t, p) for p in path) for t in tpl), abs=1e-12)


def test_features_read_the_list_and_agree_with_the_geometric_rescoring(geo):
    tr = load_traces(data_dir() / "hws" / "dev.jsonl.gz", limit=1)[0]
    pts = geo.trace(tr["points"], tr["width"], tr["height"])
    cands = [Candidate(tr["word"], -1.0, -5.0), Candidate(tr["word"] + "s", -2.5, -7.0), Candidate("the", -4.0, -2.6)]
    rows = features(pts, geo, cands, 0.25, LINEAR)
    col = {name: [r[i] for r in rows] for i, name in enumerate(FEATURES)}
    assert len(rows[0]) == len(FEATURES)
    assert col["rank"] == [0.0, 1.0, 2.0] and col["count"] == [3.0] * 3
    assert col["score_gap"] == [0.0, -1.5, -3.0]
    assert col["logprior_gap"] == [-2.4, -4.4, 0.0]
    assert col["acoustic"] == [-1.0 - 0.25 * -5.0, -2.5 - 0.25 * -7.0, -4.0 - 0.25 * -2.6]
    pen = penalty_for_trace(pts, geo, LINEAR)
    assert col["linear"] == [c.score - pen(c.key) for c in cands]
    assert max(col["linear_gap"]) == 0.0
    assert [s + e for s, e in zip(col["start"], col["end"])] == pytest.approx(col["ends"], abs=1e-12)
    # the swiped word's letters lie on its path; "the" does not
    assert col["align_mean"][0] < col["align_mean"][2]
    assert features(pts, geo, cands, 0.25, LINEAR) == rows  # deterministic


def test_a_word_without_a_keyed_letter_has_zero_distances(geo):
    rows = features([(1.0, 1.0), (3.0, 1.5)], geo, [Candidate("'", -1.0, -9.0), Candidate("to", -2.0, -3.0)], 0.25, LINEAR)
    r = dict(zip(FEATURES, rows[0]))
    assert [r[k] for k in ("loc", "shape", "ends", "start", "end", "align_mean", "align_max", "cover_max", "word_path")] == [0.0] * 9
    assert r["linear"] == -1.0 + 0.95


def _tiny_lists(tmp_path, geo, n=60):
    """n dev traces of 6 users, each with a made-up list: its word and three others, the word
    not always first."""
    by_user = {}
    for t in load_traces(data_dir() / "hws" / "dev.jsonl.gz", limit=3000):
        by_user.setdefault(t["user"], []).append(t)
    traces = [t for ts in list(by_user.values())[:6] for t in ts[: n // 6]]
    lex = {}
    with open(tmp_path / "lists.jsonl", "w") as f:
        for i, t in enumerate(traces):
            words = list(dict.fromkeys([t["word"], t["word"] + "s", "the", "and"]))
            if i % 3 == 0:
                words = words[1:] + words[:1]
            for w in words:
                lex[w] = -3.0 - len(w) * 0.5
            f.write(json.dumps({"id": t["id"], "words": words, "scores": [-1.0 - k for k in range(len(words))]}) + "\n")
    with gzip.open(tmp_path / "traces.jsonl.gz", "wt") as f:
        for t in traces:
            f.write(json.dumps(t) + "\n")
    (tmp_path / "lexicon.tsv").write_text("".join(f"{w}\t{p}\n" for w, p in lex.items()))
    return ListSet(tmp_path / "lists.jsonl", tmp_path / "traces.jsonl.gz", tmp_path / "lexicon.tsv", geo)


def test_the_fitted_forest_as_rerank_json_scores_as_scikit_learn_does(tmp_path, geo):
    ls = _tiny_lists(tmp_path, geo)
    params = {"max_iter": 20, "learning_rate": 0.2, "max_leaf_nodes": 7, "min_samples_leaf": 5,
              "early_stopping": False}
    model, rows = fit(ls, geo, 0.25, LINEAR, (0, 40), params)
    d = json.loads(json.dumps(from_sklearn(model, 0.25, LINEAR, {})))  # through JSON, as shipped
    forest = Forest(d)
    assert d["spec"] == SPEC and len(d["trees"]) == 20 and rows > 100
    X = [r for _w, pts, cands in ls.items for r in features(pts, geo, cands, 0.25, LINEAR)]
    assert [forest.predict(x) for x in X] == pytest.approx(model.decision_function(np.array(X)).tolist(), abs=1e-12)
    # it learnt the lists' one rule (the word is never "the" or "and"): it ranks every list right
    ranked = ranked_lists(ls, geo, lambda pts, cands: forest.rerank(pts, geo, cands))
    assert report(ls, ranked, (0, 40))["all"][0] > 95.0
    with pytest.raises(ValueError, match="spec"):
        Forest({**d, "spec": "swipe-rerank-v0"})
    with pytest.raises(ValueError, match="features"):
        Forest({**d, "features": list(reversed(FEATURES))})


def test_cross_validation_reranks_every_list_by_a_forest_of_the_other_users(tmp_path, geo):
    ls = _tiny_lists(tmp_path, geo)
    assert len(set(ls.users)) == 6
    params = {"max_iter": 20, "learning_rate": 0.2, "max_leaf_nodes": 7, "min_samples_leaf": 5,
              "early_stopping": False}
    ranked = cross_validate(ls, geo, 0.25, LINEAR, params, folds=3)
    assert [sorted(r) for r in ranked] == [sorted(c.key for c in cands) for _w, _p, cands in ls.items]
    assert report(ls, ranked, (0, 0))["all"][0] > 95.0  # the rule holds for unseen users too


def test_beam_search_returns_the_rerankers_order_of_its_whole_final_list():
    dec = ToyDecoder(3)
    lex = Lexicon(WORDS)
    enc = np.random.default_rng(5).normal(size=(6, 3)).astype(np.float32)
    cfg = BeamConfig(beam=8, prune=4, top_k=8)
    plain = beam_search(dec, enc, lex, cfg)
    seen = []

    def reverse(words, lam):
        seen.append((words, lam))
        return [float(i) for i in range(len(words))]  # last first

    got = beam_search(dec, enc, lex, cfg, rerank=reverse)
    words, lam = seen[0]
    assert lam == cfg.prior_weight
    assert [w.key for w in words] == [w for w, _ in plain]
    assert [w.acoustic + lam * w.logprior for w in words] == pytest.approx([s for _, s in plain], abs=1e-12)
    assert [w.logprior for w in words] == [dict(WORDS)[w] for w, _ in plain]
    assert all(w.bonus == 0.0 for w in words)
    assert [w for w, _ in got] == [w for w, _ in reversed(plain)]
    # top-K cuts after the reranking
    top2 = beam_search(dec, enc, lex, BeamConfig(beam=8, prune=4, top_k=2), rerank=reverse)
    assert [w for w, _ in top2] == [w for w, _ in reversed(plain)][:2]


def test_final_scores_keep_the_word_frequency_weight_and_the_personal_bonus_outside_the_forest(geo):
    forest = Forest.load(REPO_ROOT / "public" / "models" / "swipe-v1" / "rerank.json")
    lf = forest.prior_weight
    tr = load_traces(data_dir() / "hws" / "dev.jsonl.gz", limit=1)[0]
    pts = geo.trace(tr["points"], tr["width"], tr["height"])
    words = [FinalWord(tr["word"], -3.0, -9.0), FinalWord("the", -6.0, -2.6), FinalWord("dealt", -4.0, -11.0),
             FinalWord("delay", -5.5, -8.0)]
    # at the forest's λ without a bonus: the forest's scores of the list in its own order
    order = sorted(range(4), key=lambda i: (-(words[i].acoustic + lf * words[i].logprior), words[i].key))
    cands = [Candidate(words[i].key, words[i].acoustic + lf * words[i].logprior, words[i].logprior) for i in order]
    plain = dict(zip((c.key for c in cands), forest.rerank(pts, geo, cands)))
    assert forest.final_scores(pts, geo, words, lf) == [plain[w.key] for w in words]
    # a personal bonus moves its word by exactly the bonus, and no other word
    boosted = forest.final_scores(pts, geo, [words[0], words[1], FinalWord("dealt", -4.0, -11.0, 0.5), words[3]], lf)
    assert boosted[2] == pytest.approx(plain["dealt"] + 0.5, abs=1e-12)
    assert [boosted[i] for i in (0, 1, 3)] == [plain[words[i].key] for i in (0, 1, 3)]
    # a larger λ favours the frequent word on top of the forest
    heavy = forest.final_scores(pts, geo, words, 4.0)
    assert heavy == pytest.approx([plain[w.key] + (4.0 - lf) * w.logprior for w in words], abs=1e-12)


def test_golden_file_is_deterministic_and_matches_the_committed_one(tmp_path):
    out = write_golden(out_path=tmp_path / "rerank.json")
    committed = REPO_ROOT / "test" / "fixtures" / "golden" / "rerank.json"
    assert json.loads(out.read_text()) == json.loads(committed.read_text()), \
        "regenerate with: python -m swipe.rerank golden (after every fit)"
