"""The secrets detector: detect-secrets' plugins behind one adapter (``adapter``, the only importer of
``detect_secrets``), the table that maps them to rules and categories (``plugins``), the precision filters
(``precision``) and the line windows they read (``text``).
"""
