"""The text side of the secrets detector: a source as UTF-8 bytes, its lines found on demand, and the windows of
long lines that the plugins see instead of the whole line."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Lines longer than this many bytes (minified bundles, data URIs, one-line JSON) are not handed whole to
# the plugins: their regexes slow down on megabyte lines (detect-secrets' keyword regexes also stop at the
# first match per line). The plugins see merged windows around each gate hit instead, wide enough for the
# keyword before a value and a long token after it. Measured on 1 MB lines: a base64 data URI 0.02 s, a
# synthetic minified bundle with 5,000 planted secrets 0.9 s (whole-line scanning of the same: 5-11 s).
LONG_LINE = 4000
WINDOW_BEFORE = 256
WINDOW_AFTER = 1024
MAX_WINDOW = 16384


class Text:
    """One source as UTF-8 bytes (what RE2 reads); lines are found and decoded on demand.

    Byte offsets map to lines exactly (a newline is one byte in UTF-8), so no character offsets are needed
    except inside long lines, where windows are decoded piece by piece. Most files that reach a plugin hold a few
    gate hits in thousands of lines: lines are counted up to each hit (``locate``, in ascending order as the gates
    report them), not split and measured whole.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._line = 0  # newlines counted in data[:_counted_to]
        self._counted_to = 0
        self._starts: dict[int, int] = {}  # the start of each line located so far

    def locate(self, offset: int) -> tuple[int, int]:
        """The 0-based line holding byte ``offset`` and the offset where that line starts."""
        if offset < self._counted_to:  # asked out of order: count again from the start
            self._line, self._counted_to = 0, 0
        self._line += self.data.count(b"\n", self._counted_to, offset)
        self._counted_to = offset
        start = self.data.rfind(b"\n", 0, offset) + 1
        self._starts[self._line] = start
        return self._line, start

    def line_bytes(self, index: int) -> bytes:
        """Line ``index`` without its line break (and a carriage return before it)."""
        start = self._start_of(index)
        end = self.data.find(b"\n", start)
        raw = self.data[start : end if end != -1 else len(self.data)]
        return raw[:-1] if raw.endswith(b"\r") else raw

    def lines_after(self, index: int, count: int) -> str:
        """Up to ``count`` lines after line ``index``, decoded (what follows a private key's header)."""
        end_of_line = self.data.find(b"\n", self._start_of(index))
        if end_of_line == -1:
            return ""
        first = end = end_of_line + 1
        for _ in range(count):
            newline = self.data.find(b"\n", end)
            if newline == -1:
                end = len(self.data)
                break
            end = newline + 1
        return decode(self.data[first:end])

    def _start_of(self, index: int) -> int:
        start = self._starts.get(index)
        if start is None:  # a line never located (a quoted copy's line, read in the original): count to it
            start = 0
            for _ in range(index):
                newline = self.data.find(b"\n", start)
                if newline == -1:
                    return len(self.data)
                start = newline + 1
            self._starts[index] = start
        return start


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def windows(line: bytes, spans: list[tuple[int, int]]) -> Iterator[tuple[int, str]]:
    """The whole line, or for a long line, merged windows around the gate hits (each hit's window whole),
    decoded, with the character offset where each starts."""
    if len(line) <= LONG_LINE:
        yield 0, decode(line)
        return
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        window = (
            _char_start(line, max(0, start - WINDOW_BEFORE)),
            _char_start(line, min(len(line), end + WINDOW_AFTER)),
        )
        if merged and window[0] <= merged[-1][1] and window[1] - merged[-1][0] <= MAX_WINDOW:
            merged[-1] = (merged[-1][0], max(merged[-1][1], window[1]))
        else:
            merged.append(window)
    consumed = characters = 0
    for start, end in merged:
        characters += len(decode(line[consumed:start]))  # windows are sorted by start: decode each byte once
        consumed = start
        yield characters, decode(line[start:end])


def _char_start(line: bytes, offset: int) -> int:
    """``offset`` moved forward to the start of a UTF-8 character, so that a window never splits one."""
    while offset < len(line) and 0x80 <= line[offset] < 0xC0:
        offset += 1
    return offset


# detect-secrets reads some files through transformers that put quotes around every value, so that its
# entropy and AWS plugins, which need quotes, see unquoted values there: YAML files, and files that parse as
# INI (``.ini``, ``.cfg``, ``.env``, ``.aws/credentials``, ``.pypirc``, a ``.txt`` of ``KEY=value`` lines). We do
# the same, line by line: in those files, a ``KEY=value`` or ``key: value`` line is also scanned as
# ``KEY="value"`` (same line number); the key is anything before the first ``=`` or ``:``, as configparser
# reads it. Code is left alone (``password = get_password()`` is no quoted value), and so are files that do
# not read as INI (prose, scripts): one failing line ends that test, so it costs little.
_CODE_EXTENSIONS = frozenset(
    ".py .pyi .js .jsx .mjs .cjs .ts .tsx .go .java .kt .m .php .swift .tf .cs .c .h .cpp .hpp .rb .rs "
    ".scala .cls".split()
)
_CONFIG_EXTENSIONS = frozenset(".yaml .yml .eyaml .ini .cfg .conf .cnf .cf .properties .toml".split())
_CONFIG_LINE = re.compile(
    rb"(?m)^(?P<lead>[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?[^\s=:\"'#;`][^=:\"'\r\n]*?[ \t]*[=:][ \t]*)"
    rb"(?P<value>[^\s\"'#\[{|>&*!`][^\r\n]*?)(?P<end>[ \t]*\r?)$"
)
# A file configparser reads: blank lines, comments, [sections], key=value / key: value lines and indented
# continuation lines, nothing else.
_INI_FILE = re.compile(
    rb"(?:(?:[ \t]*(?:[#;][^\n]*)?|\[[^\n]*\][ \t\r]*|[^\s=:#;\[][^\n=:]*[=:][^\n]*|[ \t]+\S[^\n]*)(?:\n|\Z))*"
)


def config_like(path: str) -> bool:
    """Not code: a file that may get a quoted copy."""
    name = path.rsplit("/", 1)[-1]
    return "." not in name[1:] or "." + name.rsplit(".", 1)[-1].lower() not in _CODE_EXTENSIONS


# JSON documents start with "{" or "[", which configparser rejects, so they never get a quoted copy. Judged by
# name, not by the text: a history or diff source holds only the hunks, whose indented lines read as INI
# continuation lines, and would get a copy the whole file never gets.
_JSON_EXTENSIONS = frozenset(".json .ipynb .geojson .webmanifest .har".split())


def quoted_copy(path: str, data: bytes) -> bytes | None:
    """The quoted copy of a config file's values (see above), or None when the file gets none."""
    if not config_like(path):
        return None
    name = path.rsplit("/", 1)[-1]
    if "." in name[1:] and "." + name.rsplit(".", 1)[-1].lower() in _JSON_EXTENSIONS:
        return None
    config = "." in name[1:] and "." + name.rsplit(".", 1)[-1].lower() in _CONFIG_EXTENSIONS
    if not config and _INI_FILE.fullmatch(data) is None:
        return None
    return quoted_config_values(data)


def quoted_config_values(data: bytes) -> bytes | None:
    """``data`` with the unquoted value of each ``KEY=value`` / ``key: value`` line quoted, or None when there
    is none. Lines keep their numbers."""
    quoted, count = _CONFIG_LINE.subn(_quote, data)
    return quoted if count else None


def _quote(match: re.Match[bytes]) -> bytes:
    return match["lead"] + b'"' + match["value"].replace(b'"', b'\\"') + b'"' + match["end"]
