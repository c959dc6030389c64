"""The NHL API client, without Dagster: one resilient GET (``requester``: rate limit, in-flight cap, timeout,
retries), a session fetching windows of games (``session``), what a window fetch returns and the pure selection
rules shared with the raw-store rebuild (``window``), and the errors naming URL and game (``errors``)."""
