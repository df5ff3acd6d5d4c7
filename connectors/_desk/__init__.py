"""Plumbing every help-desk connector shares: HTTP session with budget and typed errors, name
resolution, markers and caches, and delivering the desk's outbox actions."""
