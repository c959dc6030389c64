"""The simulator's schedule patch fault: answers that break the schedule contract, from code or the CLI."""

import json

import httpx

from nhl_bronze.simulator.faults import FaultConfig, SchedulePatch
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.common import SAMPLES


def test_the_command_line_form():
    assert SchedulePatch.parse("2024-10-04:game0.id=-5") == SchedulePatch("2024-10-04", "id", -5, 0)
    assert SchedulePatch.parse("2024-10-10:date=2024-13-40") == SchedulePatch("2024-10-10", "date", "2024-13-40")


def test_patched_answers_are_served_over_http():
    patches = (SchedulePatch.parse("2024-10-04:game0.id=99999999999999999999"),
               SchedulePatch.parse("2024-10-05:date=2024-13-40"))
    with SimulatorServer(RecordedNhl(SAMPLES), FaultConfig(schedule_patches=patches)) as server:
        body = json.loads(httpx.get(f"{server.web_api_url}/schedule/2024-10-04").content)
    days = {day["date"]: day for day in body["gameWeek"]}
    assert days["2024-10-04"]["games"][0]["id"] == 99999999999999999999
    assert "2024-13-40" in days and "2024-10-05" not in days
