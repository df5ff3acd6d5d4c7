"""The worker side: inbox, timers, sync, decisions, delivery, and the scheduler that runs them.
The web side never imports this package."""
