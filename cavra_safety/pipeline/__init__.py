"""From a target to a ``ScanResult``: ``targets.run`` is the one entry for the tree, ``--staged``, ``--diff``
and ``--history``; ``engine`` runs the detectors on one source; ``pool`` spreads the work over every core;
``scan`` and ``history`` are the two ways through it.
"""
