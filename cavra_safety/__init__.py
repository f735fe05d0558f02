"""cavra-safety: keep tenant data, secrets and private code out of CAVRA's public repository."""

__version__ = "0.1.0"
