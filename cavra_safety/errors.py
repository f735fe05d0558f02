"""The two kinds of failure the CLI tells apart from findings, and the exit codes.

A ``UserError`` is the user's to fix (bad flag, config, policy pack, baseline): the CLI prints its one-line
message and exits 2. Anything else that escapes is a bug: exit 3 with a traceback.
"""

from __future__ import annotations

from cavra_safety.redaction import redact_secrets

# The exit codes of every command, decided in one place (``cli.main``): 0 clean, 1 findings (or, for
# ``audit`` and ``fix``, a failing verdict or something to fix), 2 user error, 3 internal error, 130 interrupted.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2.

    ``problems`` holds every problem found, so that a broken file is reported in one go rather than one
    error per run; a single problem joins the message on its one line. Secret-shaped parts of the message
    are redacted (``redact_secrets``), whoever built it.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems

    def __str__(self) -> str:
        if not self.problems:
            return redact_secrets(self.message)
        if len(self.problems) == 1:
            return redact_secrets(f"{self.message.rstrip().rstrip(':')}: {self.problems[0].strip()}")
        return redact_secrets(self.message + "\n" + "\n".join(f"  {problem}" for problem in self.problems))
