"""What the Jupyter proxy of deployed services may do, apart from HTTP handling: which routes of an
app it forwards (the app server's own, nothing else), and one bounded connection pool per service,
so that a slow or silent service never holds the requests for the others. No answer from a
service becomes a 502 (refused, closed) or a 504 (timeout); a full pool a 503 at once."""

from __future__ import annotations

from tornado import httpclient
from tornado.simple_httpclient import HTTPTimeoutError

from ..errors import BadGateway, GatewayTimeout, MoError, ServiceUnavailable, TooLarge, cut
from ..serve.app import MAX_BODY

# The app server's routes (mo_jupyter/serve/app.py), with the methods it answers.
APP_ROUTES = {
    "/": ("GET", "HEAD"),
    "/api/spec": ("GET", "HEAD"),
    "/openapi.json": ("GET", "HEAD"),
    "/healthz": ("GET", "HEAD"),
    "/favicon.ico": ("GET", "HEAD"),
    "/api/run": ("POST",),
}
KEY_HEADER = "X-Mo-Key"
PER_SERVICE = 8  # connections to one service at a time
QUEUE = 32  # requests waiting for one of them; past that: 503 at once
CONNECT_TIMEOUT = 5.0  # also the longest wait in the queue
TIMEOUT_MARGIN = 10.0  # over the app's own handle timeout (it answers 504 itself)
DEFAULT_APP_TIMEOUT = 60.0


def check_body(body: bytes) -> None:
    """The app's own body limit, said by the proxy: an app that refuses a large body answers 413
    and closes before reading it all, which the proxy would only see as a reset connection."""
    if len(body) > MAX_BODY:
        raise TooLarge(f"the body is larger than {MAX_BODY} bytes")


def app_route(path: str, method: str) -> bool:
    """Whether ``method path`` is one of the app server's own routes."""
    return method in APP_ROUTES.get(path, ())


def forwarded_query(query: str) -> str:
    """The query string as it came, less Jupyter's ``token`` (the app has no use for it and would
    print it in its access log)."""
    return "&".join(part for part in query.split("&") if part and part.split("=", 1)[0] != "token")


class _Pool:
    def __init__(self, size: int):
        self.client = httpclient.AsyncHTTPClient(force_instance=True, max_clients=size)
        self.busy = 0


class Pools:
    """One AsyncHTTPClient per service (created on the server's event loop, on first use)."""

    def __init__(self, per_service: int | None = None, queue: int | None = None):
        self.per_service = PER_SERVICE if per_service is None else per_service
        self.queue = QUEUE if queue is None else queue
        self._pools: dict[str, _Pool] = {}

    def drop(self, service_id: str) -> None:
        pool = self._pools.pop(service_id, None)
        if pool is not None:
            pool.client.close()

    async def fetch(self, service_id: str, request: httpclient.HTTPRequest) -> httpclient.HTTPResponse:
        pool = self._pools.get(service_id)
        if pool is None:
            pool = self._pools[service_id] = _Pool(self.per_service)
        if pool.busy >= self.per_service + self.queue:
            raise ServiceUnavailable(f"service '{service_id}' is busy: {pool.busy} requests are running or "
                                     "waiting for it; try again later")
        pool.busy += 1
        try:
            # raise_error=False returns the app's own error answers (4xx / 5xx); no answer at all
            # still raises (refused) or comes back as 599 (a timeout, a closed connection)
            resp = await pool.client.fetch(request, raise_error=False)
        except httpclient.HTTPClientError as exc:
            if exc.code != 599 and exc.response is not None:
                return exc.response
            raise no_answer(service_id, exc) from None
        except OSError as exc:
            raise BadGateway(f"service '{service_id}' is not answering: {cut(exc.strerror or exc, 200)}") from None
        finally:
            pool.busy -= 1
        if resp.code == 599:
            raise no_answer(service_id, resp.error)
        return resp


def no_answer(service_id: str, error) -> MoError:
    text = cut(getattr(error, "message", None) or str(error) or type(error).__name__, 200)
    if isinstance(error, HTTPTimeoutError) or "timeout" in text.lower():
        if "queue" in text.lower():
            return ServiceUnavailable(f"service '{service_id}' is busy: no connection to it came free in time; "
                                      "try again later")
        return GatewayTimeout(f"service '{service_id}' did not answer in time ({text})")
    return BadGateway(f"service '{service_id}' is not answering: {text}")


def request_timeout(app_timeout) -> float:
    base = app_timeout if isinstance(app_timeout, (int, float)) and not isinstance(app_timeout, bool) \
        and app_timeout > 0 else DEFAULT_APP_TIMEOUT
    return float(base) + TIMEOUT_MARGIN
