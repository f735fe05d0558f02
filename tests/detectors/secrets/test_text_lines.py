"""The secrets detector's ``Text`` finds lines on demand: the same lines, starts and following lines as splitting
the whole text would give, whatever order offsets are asked in."""

from __future__ import annotations

import random

import pytest

from cavra_safety.detectors.secrets.text import Text


def _reference(data: bytes) -> list[int]:
    """The start of every line (split on \\n), and one past the end."""
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A:
            starts.append(index + 1)
    return [*starts, len(data) + 1]


TEXTS = [
    b"",
    b"one",
    b"one\n",
    b"\n\n\n",
    b"a\r\nbb\r\n\r\nccc",
    b"x = 'y'\n" * 5 + b"last",
    "\u00e9\n\u263a\n".encode(),
]


@pytest.mark.parametrize(
    "data", TEXTS + [bytes(random.Random(seed).choice(b"ab\n\r") for _ in range(60)) for seed in range(8)]
)
def test_lines_are_those_of_the_whole_text_split(data: bytes) -> None:
    starts = _reference(data)
    lines = [data[starts[i] : starts[i + 1] - 1] for i in range(len(starts) - 1)]
    offsets = list(range(len(data) + 1))
    for order in (offsets, offsets[::-1], random.Random(7).sample(offsets, len(offsets))):
        text = Text(data)
        for offset in order:
            line, start = text.locate(offset)
            assert starts[line] <= offset < starts[line + 1] and start == starts[line]
    for index, line in enumerate(lines):
        for text in (Text(data), _located(data)):
            assert text.line_bytes(index) == (line[:-1] if line.endswith(b"\r") else line)
            for count in (0, 1, 3, 100):
                following = data[
                    starts[min(index + 1, len(starts) - 1)] : starts[min(index + 1 + count, len(starts) - 1)]
                ]
                assert text.lines_after(index, count) == following.decode("utf-8", "surrogatepass")


def _located(data: bytes) -> Text:
    """A text whose every line was located first (the usual path: lines read where the gates hit)."""
    text = Text(data)
    for offset in range(len(data) + 1):
        text.locate(offset)
    return text
