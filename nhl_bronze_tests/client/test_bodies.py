"""The client's body check: every complete JSON document passes, anything cut or malformed fails (and is retried)."""

from __future__ import annotations

import json

import pytest

from nhl_bronze.client.bodies import check_json, shift_chart_status
from nhl_bronze_tests.common import SAMPLES

SAMPLE_BODIES = sorted(SAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", SAMPLE_BODIES[:12], ids=lambda p: p.name)
def test_recorded_bodies_pass_and_their_halves_fail(path):
    body = path.read_bytes()
    check_json(body)
    for cut in (body[: len(body) // 2], body.rstrip()[:-1]):  # half of it; all but its closing bracket
        with pytest.raises(ValueError):
            check_json(cut)


@pytest.mark.parametrize("body", [b"", b"<html>Error 500</html>", b'{"a": tru}', b'{"a":1,}', b'{"a":1} x',
                                  b'{"a": "\\q"}', b'{"a": NaN}'])
def test_non_json_fails(body):
    with pytest.raises(ValueError):
        check_json(body)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"3", b'{"a": {"b": [null, true, 1.5e3]}}'])
def test_any_json_document_passes(body):
    check_json(body)


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"data":[],"total":0}', "empty"),
    (b'{"data" : [ ] , "total" : 0}', "empty"),
    (b'{"total":0}', "empty"),
    (b'{"data":null}', "empty"),
    (b'{"data":[{"id":1}],"total":1}', "ok"),
    (None, "not_published"),
])
def test_shift_chart_status_from_bytes_matches_the_decoded_body(body, expected):
    assert shift_chart_status(body) == expected
    if body is not None:
        assert shift_chart_status(json.loads(body)) == expected


def test_shift_chart_status_of_a_recorded_chart():
    body = (SAMPLES / "shiftcharts_2024020009.json").read_bytes()
    assert json.loads(body)["data"] and shift_chart_status(body) == "ok"


@pytest.mark.parametrize("body", [b'{"data":[{"id":1}', b"[]", b"<html>404</html>"])
def test_a_broken_shift_chart_fails(body):
    with pytest.raises(ValueError):
        shift_chart_status(body)
