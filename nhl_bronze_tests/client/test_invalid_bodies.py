"""A body cut short says "not valid JSON"; a complete JSON body the client refuses says what it refused."""

import asyncio
import random

import httpx
import pytest

from nhl_bronze.client.bodies import shift_chart_status
from nhl_bronze.client.errors import NhlApiError
from nhl_bronze.client.rate_limit import AsyncTokenBucket
from nhl_bronze.client.requester import Requester, RetryPolicy


def refused_reason(body: bytes, decode=shift_chart_status) -> str:
    async def get() -> str:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        async with httpx.AsyncClient(transport=transport) as client:
            requester = Requester([client], AsyncTokenBucket(0), asyncio.Semaphore(1),
                                  RetryPolicy(max_retries=0, invalid_body_retries=0), rng=random.Random(0))
            with pytest.raises(NhlApiError) as raised:
                await requester.get_json("http://sim/stats/rest/en/shiftcharts", decode=decode)
            return raised.value.reason
    return asyncio.run(get())


def test_a_truncated_body_is_reported_as_not_json():
    assert refused_reason(b'{"data": [').startswith("body is not valid JSON (10 bytes, truncated?)")


def test_a_json_body_of_the_wrong_shape_is_reported_as_breaking_the_contract():
    reason = refused_reason(b"[1, 2]")
    assert reason.startswith("body breaks the API contract: ") and "truncated" not in reason


def test_a_value_the_decoder_refuses_is_named_not_called_truncated():
    def schedule_days(body: bytes):
        raise ValueError("Invalid isoformat string: '2024-13-40'")

    assert refused_reason(b'{"gameWeek": []}', schedule_days) == (
        "body breaks the API contract: Invalid isoformat string: '2024-13-40'")
