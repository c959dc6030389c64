"""The one entry point every simulated NHL answers through, and the URL routing both backends share.

A backend turns ``(method, path, query)`` into a ``SimResponse``. The same backend is then served in-process
(an httpx transport) or over real HTTP on loopback, so tests and benchmarks exercise identical bytes.
Paths are the real API's: ``/v1/...`` (api-web.nhle.com) and ``/stats/rest/...`` (api.nhle.com).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, NamedTuple, Protocol


class SimResponse(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


class NhlBackend(Protocol):
    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse: ...


def json_response(payload: Any) -> SimResponse:
    # Compact UTF-8 JSON, as api-web serves it.
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return SimResponse(200, {"content-type": "application/json"}, body)


def html_error(status: int, uri: str) -> SimResponse:
    """api-web answers unknown resources with a Jetty HTML page, not JSON (see the recorded 404 body)."""
    reason = {404: "Not Found", 500: "Request failed.", 503: "Service Unavailable"}.get(status, "Error")
    body = (
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
        f"<title>Error {status} {reason}</title>\n</head>\n<body><h2>HTTP ERROR {status} {reason}</h2>\n"
        f"<table>\n<tr><th>URI:</th><td>{uri}</td></tr>\n<tr><th>STATUS:</th><td>{status}</td></tr>\n"
        f"<tr><th>MESSAGE:</th><td>{reason}</td></tr>\n</table>\n\n</body>\n</html>\n"
    ).encode("iso-8859-1")
    return SimResponse(status, {"content-type": "text/html;charset=iso-8859-1"}, body)


def redirect(location: str) -> SimResponse:
    return SimResponse(307, {"location": location, "content-length": "0"}, b"")


_GAMECENTER = re.compile(r"^/v1/gamecenter/(\d{10})/(play-by-play|boxscore|landing|right-rail)/?$")
_DATED = re.compile(r"^/v1/(schedule|score|standings)/(\d{4}-\d{2}-\d{2}|now)/?$")
_SHIFTCHARTS = "/stats/rest/en/shiftcharts"
_GAME_ID_IN_CAYENNE = re.compile(r"gameId\s*=\s*(\d{10})")


class RoutedBackend:
    """Base class: routes real NHL API paths to ``on_*`` methods that return a JSON-able object or None (404).

    Subclasses implement the ``on_*`` methods they support; anything else is a 404 HTML page, as on api-web.
    ``today`` is used for the ``/now`` redirects (307 to the dated URL, as the real API does).
    """

    today: date

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        if method.upper() != "GET":
            return html_error(404, path)
        if match := _DATED.match(path):
            endpoint, day = match.groups()
            if day == "now":
                return redirect(f"/v1/{endpoint}/{self.today.isoformat()}")
            try:
                parsed = date.fromisoformat(day)
            except ValueError:
                return html_error(404, path)
            payload = getattr(self, f"on_{endpoint}")(parsed)
        elif match := _GAMECENTER.match(path):
            game_id, endpoint = int(match.group(1)), match.group(2).replace("-", "_")
            payload = getattr(self, f"on_{endpoint}")(game_id)
        elif path.rstrip("/") == _SHIFTCHARTS:
            found = _GAME_ID_IN_CAYENNE.search(query.get("cayenneExp", ""))
            payload = self.on_shiftcharts(int(found.group(1))) if found else None
            if payload is not None and "exclude" in query:
                excluded = set(query["exclude"].split(","))
                payload = {**payload, "data": [{k: v for k, v in row.items() if k not in excluded}
                                               for row in payload["data"]]}
        else:
            payload = None
        return html_error(404, path) if payload is None else json_response(payload)

    # Each returns the JSON body of the real endpoint, or None for "no such resource" (HTTP 404).
    def on_schedule(self, day: date) -> dict | None:
        return None

    def on_score(self, day: date) -> dict | None:
        return None

    def on_standings(self, day: date) -> dict | None:
        return None

    def on_play_by_play(self, game_id: int) -> dict | None:
        return None

    def on_boxscore(self, game_id: int) -> dict | None:
        return None

    def on_landing(self, game_id: int) -> dict | None:
        return None

    def on_right_rail(self, game_id: int) -> dict | None:
        return None

    def on_shiftcharts(self, game_id: int) -> dict | None:
        return None
