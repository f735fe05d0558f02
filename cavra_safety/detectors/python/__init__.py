"""The Python detector: syntax-tree checks on CPython's ``ast`` (``detector``), and the ``fix`` codemod (the
only importer of libcst). The checks themselves are in ``checks``; ``gates``, ``rules``, ``names``,
``sensitive`` and ``prefilter`` are what a file's text meets before any parsing, so that a scan that parses
nothing never imports the checks.
"""
