"""The ``nhl-bronze`` command line (``nhl_bronze.cli.main``)."""
