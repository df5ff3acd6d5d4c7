"""Persistence: the tables, their migrations and the functions that read and write them.

Every function takes the caller's ``Connection``, so callers decide what commits together (the
engine's one transaction per event, for instance). Nothing outside this package writes SQL.
"""
