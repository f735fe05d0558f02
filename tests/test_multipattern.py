"""The one-pass prefilter (``multipattern``): relaxed forms, the byte view of a text, the database's answers
and its serialised form. The superset property on real rules is tested in tests/detectors/test_policy_one_pass.py."""

from __future__ import annotations

import pytest

from cavra_safety import multipattern
from cavra_safety.multipattern import LinePrefilter, PresenceFilter, one_byte_per_char, prefilterable, relaxed

pytestmark = pytest.mark.skipif(not multipattern.AVAILABLE, reason="no Hyperscan wheel on this platform")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"ghp_[A-Za-z0-9]{36}", r"ghp_[A-Za-z0-9]{4,}"),
        (r"x[a-f]{2,9}y", r"x[a-f]{2,}y"),
        (r"x[a-f]{0,12}?y", r"x[a-f]*y"),
        (r"x(?:ab){7,}", r"x(?:ab){4,}"),
        (r"x\d{3}+", r"x\d{3,}"),
        (r"[{]{20}\{40}", r"[{]{4,}\{40}"),  # a brace in a class or escaped is a literal
        (r"[]{5}]x{5}", r"[]{5}]x{4,}"),  # ']' first in a class is a literal
        (r"[[:alpha:]{2}]{9}", r"[[:alpha:]{2}]{4,}"),
        (r"a{,5}b{x}", r"a{,5}b{x}"),  # not quantifiers for RE2: literal braces
        (r"(?i)token\s*=\s*(?P<secret>\S+)", r"(?i)token\s*=\s*(?P<secret>\S+)"),
    ],
)
def test_relaxed_rewrites_only_counted_repeats(pattern: str, expected: str) -> None:
    assert relaxed(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    ["caf\u00e9=(\\w+)", r"\pL{5}", r"\p{Greek}", r"\x{263a}", r"\xe9", r"\Atoken", r"token\z", r"\C", r"\Qa.b\E"],
)
def test_patterns_naming_non_ascii_text_or_text_edges_are_not_eligible(pattern: str) -> None:
    assert relaxed(pattern) is None


def test_one_byte_per_character_and_lines_as_the_caller_splits_them() -> None:
    text = "caf\u00e9 \u263a \U0001f600\r\nnext\r\nlast\r"
    mapped = one_byte_per_char(text.encode())
    assert len(mapped.split(b"\n")) == len(text.split("\n"))
    assert [len(line) for line in mapped.split(b"\n")] == [len(line.rstrip("\r")) for line in text.split("\n")]
    assert one_byte_per_char(b"plain\nascii") == b"plain\nascii"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ascii only", True),
        ("caf\u00e9 \u263a", True),
        ("to\u212aen", False),  # KELVIN SIGN: RE2's (?i)k matches it
        ("\u017fecret", False),  # LONG S: RE2's (?i)s matches it
        ("TENANT_\u0130D", False),  # lower-cases to ASCII 'i' and a combining dot
        ("\ud800 lone", False),
        ("\ud7a3 hangul", True),  # UTF-8 starts with 0xED too, and is not a surrogate
    ],
)
def test_prefilterable(text: str, expected: bool) -> None:
    assert prefilterable(text.encode("utf-8", "surrogatepass")) is expected


@pytest.fixture(scope="module")
def database() -> LinePrefilter:
    built = LinePrefilter.build(
        [(0, r"\bsk_live_[A-Za-z0-9]{24,99}\b"), (1, r"(?i)^password\s*=\s*(\S+)$"), (2, "caf\u00e9")],
        [(3, "tenant_id"), (4, "a.b"), (5, "contrase\u00f1a")],
    )
    assert built is not None
    return built


def test_the_database_holds_what_is_eligible(database: LinePrefilter) -> None:
    assert database.ids == {0, 1, 3, 4}
    assert database.keyword_ids == {3, 4}


def test_lines_of_patterns_and_presence_of_keywords(database: LinePrefilter) -> None:
    text = "x\nfoo sk_live_" + "a" * 30 + "\nPassWord = x\r\nTENANT_ID twice tenant_id\n\u00e9\u00e9\nA.B"
    assert database.lines(text.encode()) == {0: [1], 1: [2], 3: [], 4: []}
    assert database.lines(b"a-b tenant-id") == {}  # '.' and '_' are literal in keywords


def test_a_match_across_lines_never_hides_one_on_a_line(database: LinePrefilter) -> None:
    text = "password =\n" + "password = x"
    assert database.lines(text.encode()) == {1: [1]}


def test_dump_and_load_give_the_same_answers(database: LinePrefilter) -> None:
    loaded = LinePrefilter.load(database.dump())
    assert loaded is not None
    assert (loaded.ids, loaded.keyword_ids) == (database.ids, database.keyword_ids)
    text = b"tenant_id sk_live_" + b"b" * 40
    assert loaded.lines(text) == database.lines(text) == {0: [0], 3: []}


@pytest.mark.parametrize("blob", [b"", b"\x00\x00\x00\x03abc", b"garbage" * 100])
def test_a_damaged_dump_does_not_load(database: LinePrefilter, blob: bytes) -> None:
    assert LinePrefilter.load(blob) is None
    assert LinePrefilter.load(database.dump()[:-100]) is None


def test_too_many_reports_decline_the_file(database: LinePrefilter, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join("password = x" for _ in range(20)).encode()
    assert database.lines(text) is not None
    monkeypatch.setattr(multipattern, "MAX_REPORTS", 10)
    assert database.lines(text) is None


def test_a_pattern_the_engine_refuses_is_left_out() -> None:
    # Hyperscan refuses \K even as a prefilter (RE2 refuses it too, but the module does not rely on that).
    built = LinePrefilter.build([(0, r"ghp_[a-z]{8}"), (1, r"a\Kb")])
    assert built is not None
    assert built.ids == {0}
    assert built.lines(b"ghp_abcdefgh") == {0: [0]}


@pytest.mark.parametrize("between", ["\u00e9", "\u20ac", "\U0001f600"])
def test_one_non_ascii_character_is_one_character(between: str) -> None:
    built = LinePrefilter.build([(0, r"token\W=(\w+)"), (1, r"id.{2}:")])
    assert built is not None
    text = f"x\ntoken{between}=abc\nid{between}{between}:"
    assert built.lines(text.encode()) == {0: [1], 1: [2]}


# A pattern's presence, against RE2's answer on the same text: patterns are compiled as written, not relaxed,
# so the answer is exact for these (a superset in general).
PRESENCE_PATTERNS = [
    (0, r"[\"'][A-Za-z0-9+/=_-]{23,}[\"']"),
    (1, r"(?i)(?:key|pwd)[\"']?[ =:]*[\"']?[a-z0-9_-]{44}"),
    (2, r"x[a-z]{2,9}y"),
    (3, "caf\u00e9"),  # not eligible: left to the caller's RE2 set
]


@pytest.fixture(scope="module")
def presence() -> PresenceFilter:
    built = PresenceFilter.build(PRESENCE_PATTERNS)
    assert built is not None
    return built


@pytest.mark.parametrize(
    "text",
    [
        "",
        "'short' and \"still-short-value\"",
        "token = 'abcdefghijklmnopqrstuvwxyz0123'",
        "KEY: '" + "a1" * 22 + "'",
        "key = " + "a1" * 21,
        "xaby and x\u00e9\u00e9y",
        "x" + "q" * 10 + "y\n'" + "\u00e9" * 30 + "'",
        "'" + "\u00e9" + "a" * 22 + "'",  # one character short of 23 word characters
    ],
)
def test_presence_is_re2s_answer_for_patterns_compiled_as_written(presence: PresenceFilter, text: str) -> None:
    import re2

    data = text.encode()
    found = presence.present(data)
    assert found is not None
    exact = {ident for ident, pattern in PRESENCE_PATTERNS if re2.search(pattern, text)}
    assert found == exact - {3}


def test_presence_holds_what_is_eligible_and_compiles() -> None:
    built = PresenceFilter.build([*PRESENCE_PATTERNS, (4, r"a\Kb")])  # Hyperscan refuses \K
    assert built is not None
    assert built.ids == {0, 1, 2}
    assert built.present(b"x" + b"a" * 12 + b"y") == set()  # as written: {2,9}, not the relaxed {2,}


def test_presence_declines_a_text_that_folds_to_ascii(presence: PresenceFilter) -> None:
    assert presence.present("'\u212a".encode() + b"a" * 30 + b"'") is None


def test_presence_dump_and_load_give_the_same_answers(presence: PresenceFilter) -> None:
    loaded = PresenceFilter.load(presence.dump())
    assert loaded is not None
    assert loaded.ids == presence.ids
    text = b"x = 'abcdefghijklmnopqrstuvwxyz0123'"
    assert loaded.present(text) == presence.present(text) == {0}


def test_the_byte_view_answers_for_the_text_it_is_given_not_the_last_one() -> None:
    folded = "to\u212aen = 1".encode()  # not prefilterable
    plain = "caf\u00e9 = 1".encode()
    same_content = bytes(bytearray(plain))  # equal, another object
    assert multipattern.byte_view(folded) is None
    assert multipattern.byte_view(plain) == b"caf\xc3 = 1"
    assert multipattern.byte_view(plain) == b"caf\xc3 = 1"  # asked again: the kept answer
    assert multipattern.byte_view(same_content) == b"caf\xc3 = 1"
    assert multipattern.byte_view(folded) is None


def test_shared_gates_answer_each_gate_once_enabled_and_only_then() -> None:
    shared = multipattern.SharedGates()
    secrets = shared.gate(patterns=[r"ghp_[A-Za-z0-9]{8}", r"\p{Nd}{8}:"])  # the second: not eligible
    words = shared.gate(keywords=["cavra:", "allowlist"])
    assert shared.gate(keywords=["cavra:", "allowlist"]) is words  # the same entries, the same gate
    text = b"x = 'ghp_abcdefgh'  # CAVRA: allow"
    assert words.present(text) is None  # not enabled: the caller asks its own gate
    shared.enable(PresenceFilter.build)
    assert words.present(text) == {0}
    assert words.present(b"nothing here") == set()
    assert secrets.present(text) is None  # an entry the pass cannot hold: the whole gate takes its exact path
    assert words.present("to\u212aen cavra:".encode()) is None  # a text the pass declines


def test_a_gate_registered_after_enabling_waits_for_the_next_enable() -> None:
    shared = multipattern.SharedGates()
    first = shared.gate(keywords=["tenant"])
    shared.enable(PresenceFilter.build)
    assert first.present(b"TENANT_ID") == {0}
    later = shared.gate(keywords=["schema"])
    assert first.present(b"TENANT_ID") is None and later.present(b"create schema") is None
    shared.enable(PresenceFilter.build)
    assert first.present(b"TENANT_ID") == {0} and later.present(b"CREATE SCHEMA") == {0}


def test_shared_gates_answer_for_the_text_asked_about() -> None:
    shared = multipattern.SharedGates()
    gate = shared.gate(keywords=["alpha", "beta"])
    shared.enable(PresenceFilter.build)
    texts = [b"alpha", b"beta", b"alpha and beta", bytes(bytearray(b"alpha")), b""]
    assert [gate.present(text) for text in texts] == [{0}, {1}, {0, 1}, {0}, set()]
