"""Token vocabulary: a-z, apostrophe, blank (last, NeMo convention)."""

TOKENS: list[str] = list("abcdefghijklmnopqrstuvwxyz'") + ["<blank>"]
BLANK: int = 27
V: int = len(TOKENS)  # 28
_INDEX = {t: i for i, t in enumerate(TOKENS[:BLANK])}


def encode(word: str) -> list[int]:
    """Word -> token ids (no blank). Raises KeyError on a character outside a-z and '."""
    return [_INDEX[ch] for ch in word]


def decode(ids) -> str:
    """Token ids -> word; blank ids are skipped."""
    return "".join(TOKENS[int(i)] for i in ids if int(i) != BLANK)


def is_encodable(word: str) -> bool:
    return len(word) > 0 and all(ch in _INDEX for ch in word)
