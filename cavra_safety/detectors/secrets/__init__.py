"""The secrets detector: detect-secrets' plugins behind one adapter (``adapter``, the only importer of
``detect_secrets``, loaded by the registered pre-gate ``lazy`` on the first file that may hold a value), the
table that maps them to rules and categories (``plugins``), the named precision filters (``precision``, their
predicates in ``shapes``) and the text the plugins read (``text``: line windows, the quoted copy of config values).
"""
