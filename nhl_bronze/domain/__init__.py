"""NHL domain rules in one place, pure and Dagster-free: game dates and their windows, which games count.

Everything else imports these rules instead of restating them.
"""
