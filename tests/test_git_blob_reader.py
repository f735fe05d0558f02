"""``git.BlobReader``: one ``git cat-file --batch`` kept open for a scanning process's many blob reads (a history
scan reads blobs for most groups of commits), answering request after request as a fresh process would."""

from __future__ import annotations

import pytest
from git_repo import Repo

from cavra_safety.errors import UserError
from cavra_safety.git import BlobReader, Git, read_small_blobs


def _files(repo: Repo, count: int) -> dict[str, bytes]:
    """``count`` committed files, by blob name, with their contents."""
    contents = {f"dir/file_{number:03d}.txt": f"line {number}\n" * (number % 7 + 1) for number in range(count)}
    repo.commit("files", dict(contents))
    names = repo.git("rev-parse", *(f"HEAD:{path}" for path in contents)).split()
    return {name: text.encode() for name, text in zip(names, contents.values(), strict=True)}


@pytest.mark.parametrize("count", [1, 3, 200])  # 200 names: several requests of at most REQUEST_BYTES each
def test_one_reader_answers_many_requests_like_a_fresh_git_process(repo: Repo, count: int) -> None:
    expected = _files(repo, count)
    names = list(expected)
    assert count < 200 or sum(len(name) + 1 for name in names) > BlobReader.REQUEST_BYTES
    with BlobReader(Git(repo.path)) as reader:
        first = reader.read_small(names, max_size=1000)
        again = reader.read_small(list(reversed(names)), max_size=1000)  # the same process, asked again
    assert first == expected and again == expected
    assert read_small_blobs(Git(repo.path), names, max_size=1000) == expected


@pytest.mark.parametrize(("max_size", "kept"), [(5, {"small.txt"}), (100_000, {"small.txt", "big.txt"}), (0, set())])
def test_blobs_over_the_limit_are_read_past_and_the_next_answer_stays_aligned(
    repo: Repo, max_size: int, kept: set[str]
) -> None:
    repo.commit("files", {"small.txt": "tiny\n", "big.txt": "x" * 50_000 + "\n"})
    paths = ["big.txt", "small.txt", "big.txt", "small.txt"]
    names = [f"HEAD:{path}" for path in paths]
    with BlobReader(Git(repo.path)) as reader:
        found = reader.read_small(names, max_size)
        assert sorted(found) == sorted(f"HEAD:{path}" for path in kept)
        assert reader.read_small(["HEAD:small.txt"], 100) == {"HEAD:small.txt": b"tiny\n"}


def test_a_missing_object_is_an_error_and_the_reader_starts_again_after_it(repo: Repo) -> None:
    repo.commit("files", {"a.txt": "alpha\n"})
    with BlobReader(Git(repo.path)) as reader:
        with pytest.raises(UserError, match="missing"):
            reader.read_small(["HEAD:a.txt", "HEAD:no-such-file", "HEAD:a.txt"], 100)
        assert reader.read_small(["HEAD:a.txt"], 100) == {"HEAD:a.txt": b"alpha\n"}


def test_close_ends_the_git_process_and_a_later_read_starts_another(repo: Repo) -> None:
    repo.commit("files", {"a.txt": "alpha\n"})
    reader = BlobReader(Git(repo.path))
    assert reader.read_small([], 100) == {}  # nothing asked: no process started
    assert reader.read_small(["HEAD:a.txt"], 100) == {"HEAD:a.txt": b"alpha\n"}
    process = reader._process
    assert process is not None and process.poll() is None
    reader.close()
    assert process.poll() is not None  # ended, and waited for
    assert reader.read_small(["HEAD:a.txt"], 100) == {"HEAD:a.txt": b"alpha\n"}
    reader.close()
