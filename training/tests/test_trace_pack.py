"""The compact trace pack that carries training data to the GPU machine is lossless."""
import pytest

from swipe.data import data_dir, load_traces
from swipe.trace_pack import main, pack, unpack


def test_round_trip_keeps_every_field():
    recs = [{"id": "u1-0", "user": "u1", "word": "don't", "width": 360, "height": 215,
             "points": [[214, 154, 0], [211, 150, 16], [5, 300, 33]]},
            {"id": "u2-0", "user": "u2", "word": "a", "width": 400, "height": 230, "suspect": True,
             "points": [[0, 0, 0]]},
            {"id": "u3-0", "user": "u3", "word": "i", "width": 400, "height": 230, "points": []}]
    assert unpack(pack(recs)) == recs
    assert unpack(pack([])) == []


def test_refuses_what_it_cannot_hold_exactly():
    with pytest.raises(ValueError, match="non-integer"):
        pack([{"id": "x", "word": "a", "points": [[1.5, 2, 3]]}])
    with pytest.raises(ValueError, match="bad magic"):
        unpack(b"not a pack")


def test_real_dev_traces_round_trip_through_the_cli(tmp_path):
    src = data_dir() / "hws" / "dev.jsonl.gz"
    if not src.exists():
        pytest.skip("shared/data not present")
    recs = load_traces(src, limit=300)
    small = tmp_path / "dev300.jsonl"
    small.write_text("".join(__import__("json").dumps(r) + "\n" for r in recs))
    main(["pack", str(small), str(tmp_path / "d.pack")])
    main(["unpack", str(tmp_path / "d.pack"), str(tmp_path / "back.jsonl.gz")])
    assert load_traces(tmp_path / "back.jsonl.gz") == recs
    assert (tmp_path / "d.pack").stat().st_size < small.stat().st_size / 5
