"""A headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``), standard
library only: open a page at a given window size, read layout facts with a script, take a screenshot, print
it to PDF. Used by the audit's rendering tests; Debian's ``chromium`` package provides the browser (``.ci/run``
installs it).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
TIMEOUT = 90.0
# Chromium reads commands from descriptor 3 and writes replies and events to descriptor 4.
_CHROME_READS, _CHROME_WRITES = 3, 4


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    def __init__(self, binary: str, profile: Path) -> None:
        to_chrome_read, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_write = os.pipe()

        def wire() -> None:  # in the child, before exec: the two pipe ends at the descriptors Chromium expects
            # Copies first: a pipe end may already sit at 3 or 4 (dup2 onto itself would leave it close-on-exec,
            # and the first dup2 could overwrite the other end); dup2 then makes 3 and 4 inheritable.
            reads, writes = os.dup(to_chrome_read), os.dup(from_chrome_write)
            os.dup2(reads, _CHROME_READS)
            os.dup2(writes, _CHROME_WRITES)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire,  # no threads of ours run in a test process when it forks
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            command["sessionId"] = session
        os.write(self._to_chrome, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._events.append(message)

    def wait_for(self, event: str, session: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    del self._events[index]
                    return
            self._events.append(self._message(deadline))

    def open(self, url: str, width: int, height: int, *, mobile: bool) -> Page:
        """A new tab of ``width`` x ``height`` CSS pixels (``mobile``: a phone's viewport rules) showing ``url``."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.send("Page.enable", session)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session)


class Page:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str) -> Any:
        reply = self.browser.send("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.browser.send("Page.captureScreenshot", self.session, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def pdf(self) -> bytes:
        """The page printed as the browser's print dialog would (A4, the page's own @page margins)."""
        reply = self.browser.send(
            "Page.printToPDF",
            self.session,
            paperWidth=8.27,
            paperHeight=11.69,
            printBackground=True,
            preferCSSPageSize=True,
            displayHeaderFooter=False,
        )
        return base64.b64decode(reply["data"])


def pdf_pages(pdf: bytes) -> list[bytes]:
    """The dictionary of each page object of a PDF as Chromium (Skia) writes it: plain, uncompressed objects."""
    objects = {
        int(match.group(1)): match.group(2)
        for match in re.finditer(rb"(?m)^(\d+) 0 obj\s*(<<.*?>>)\s*(?:endobj|stream)", pdf, re.DOTALL)
    }
    kids = re.search(rb"/Type /Pages\s*/Count (\d+)\s*/Kids \[([^\]]*)\]", pdf)
    if kids is None:
        raise ValueError("no page tree in the PDF")
    pages = [objects[int(number)] for number in re.findall(rb"(\d+) 0 R", kids.group(2))]
    if len(pages) != int(kids.group(1)):
        raise ValueError("page count and page list disagree")
    return pages


def links_on(pdf: bytes, page: bytes) -> list[str]:
    """The named destinations of the link annotations on ``page`` (``#name`` links of the HTML)."""
    objects = {
        int(match.group(1)): match.group(2)
        for match in re.finditer(rb"(?m)^(\d+) 0 obj\s*(<<.*?>>)\s*endobj", pdf, re.DOTALL)
    }
    annots = re.search(rb"/Annots \[([^\]]*)\]", page)
    names = []
    for number in re.findall(rb"(\d+) 0 R", annots.group(1) if annots else b""):
        dest = re.search(rb"/Subtype /Link.*?/Dest /([^\s/>\]]+)", objects.get(int(number), b""), re.DOTALL)
        if dest:
            names.append(dest.group(1).decode("ascii", "replace"))
    return names
