"""cavra-safety: keep tenant data, secrets and private code out of CAVRA's public repository."""

__version__ = "0.1.0"
TOOL_NAME = "cavra-safety"  # the name every report, baseline and message gives the tool
