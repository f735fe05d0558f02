"""``pool.release_free_memory``: free heap pages go back to the system once more than the kept amount is free
(a history scan frees large texts group after group; glibc returns only the top of its heap by itself)."""

from __future__ import annotations

import pytest

from cavra_safety.pipeline.pool import release_free_memory

BLOCK = 100_000  # below glibc's mmap threshold: every block lies in the heap
BLOCKS = 640  # 64 MB


def _resident_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS line")


@pytest.mark.parametrize(("keep", "released"), [(0, True), (1 << 20, True), (1 << 40, False)])
def test_free_heap_pages_go_back_to_the_system_when_more_than_keep_is_free(keep: int, released: bool) -> None:
    blocks = [bytes([number % 251]) * BLOCK for number in range(BLOCKS)]  # written, so resident
    kept = [*blocks[::16], blocks[-1]]  # live blocks all along the heap: it cannot shrink from its top
    del blocks
    before = _resident_kb()
    release_free_memory(keep)
    freed_kb = before - _resident_kb()
    assert (freed_kb > 30_000) is released, f"{freed_kb} kB handed back"
    assert len(kept) == BLOCKS // 16 + 1
