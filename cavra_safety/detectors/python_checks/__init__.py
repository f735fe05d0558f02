"""The Python detector's checks. ``registry`` lists them (and imports libcst); ``gates``, ``rules``, ``names``,
``sensitive`` and ``prefilter`` are libcst-free, so that a scan that parses nothing never imports it.
"""
