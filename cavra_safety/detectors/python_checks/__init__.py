"""The Python detector's checks, on CPython's syntax tree (``ast``). ``registry`` lists them; ``gates``,
``rules``, ``names``, ``sensitive`` and ``prefilter`` are what a file's text meets before any parsing, so that a
scan that parses nothing never imports the checks.
"""
