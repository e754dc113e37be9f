"""The performance-regression check (``check``) and the trials that measure its alarm rates.

Reads runs and their analysis; the trials start sweeps in subprocesses.
"""
