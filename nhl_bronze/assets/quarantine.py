"""Non-blocking checks that name what the schedule contract quarantined: a warning, never a failed run.

A quarantined item (a schedule day that is not a date, a game id outside the NHL's range...) is left out of
everything derived from the schedule, so the run stays green; these checks keep it visible until the NHL
answers that request correctly again.
"""

import dagster as dg

LISTED = 50  # items listed in a check's metadata (the count is complete)


def quarantine_check(asset: str, name: str, items: list[str], what: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(asset),
        check_name=name,
        passed=not items,
        severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(items)} item(s) {what} quarantined (left out, the rest kept): " + "; ".join(items[:3])
                     if items else f"nothing {what} breaks the schedule contract"),
        metadata={"quarantined_count": len(items), "quarantined": dg.MetadataValue.json(items[:LISTED])},
    )


def quarantine_check_spec(asset: str, name: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset, blocking=False, description=description)
