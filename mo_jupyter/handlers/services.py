"""REST handlers of deployed services, and the authenticated proxy that shows a service's test
page (and its API) inside JupyterLab."""

from __future__ import annotations

from jupyter_server.base.handlers import APIHandler
from tornado import httpclient, web

from ..errors import BadRequest, Unavailable
from .base import MoHandler

SERVICE_ID = r"(?P<service_id>[a-z0-9][a-z0-9_-]{0,62}-(?:dev|prod))"


class ServicesBase(MoHandler):
    @property
    def services(self):
        return self.settings["mo_services"]


class ServicesHandler(ServicesBase):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments()
        self.reply({"services": await self.run(self.services.list)})

    @web.authenticated
    async def post(self):
        body = self.valid_body("handle_requests#deploy")
        self.reply(await self.run(self.services.deploy, body.get("folder", ""), body.get("name"),
                                  body.get("version", "dev"), body.get("files", []), body.get("backend", "local"),
                                  body.get("replicas", 1), body.get("machine", "cpu")), status=201)


class ServiceHandler(ServicesBase):
    @web.authenticated
    async def get(self, service_id: str):
        self.reply(await self.run(self.services.get, service_id))

    @web.authenticated
    async def delete(self, service_id: str):
        await self.run(self.services.delete, service_id)
        self.no_content()


class ServiceScaleHandler(ServicesBase):
    @web.authenticated
    async def post(self, service_id: str):
        body = self.valid_body("handle_requests#scale")
        self.reply(await self.run(self.services.scale, service_id, body["replicas"]))


class ServiceLogsHandler(ServicesBase):
    @web.authenticated
    async def get(self, service_id: str):
        self.reject_unknown_arguments("offset", "tail")
        if self.get_query_argument("tail", None) is not None:
            if self.get_query_argument("offset", None) is not None:
                raise BadRequest("'tail' and 'offset' cannot be used together: 'tail=N' asks for the last N "
                                 "bytes of the log, 'offset' for the bytes from a position on")
            tail = self.int_argument("tail", 0)
            self.reply(await self.run(self.services.logs, service_id, tail=tail))
            return
        self.reply(await self.run(self.services.logs, service_id, self.int_argument("offset", 0)))


class ServiceProxyHandler(ServicesBase):
    """`mo/api/services/<id>/proxy/<path>` -> the service's own `/<path>` on 127.0.0.1."""

    def finish(self, *args, **kwargs):
        # APIHandler.finish would label everything application/json: keep the app's Content-Type
        return super(APIHandler, self).finish(*args, **kwargs)

    @property
    def content_security_policy(self):
        # the test page is one self-contained HTML page with inline script and style, data: images
        return ("frame-ancestors 'self'; default-src 'none'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; form-action 'self'")

    async def forward(self, service_id: str, path: str):
        port = await self.run(self.services.port, service_id)
        # the query string goes on as it came, less Jupyter's `token` (the app has no use for it and
        # would print it in its access log)
        query = "&".join(part for part in self.request.query.split("&")
                         if part and part.split("=", 1)[0] != "token")
        # the path as it came, still percent-encoded (the route's `path` is decoded: %2F would turn
        # into a separator and %20 into a bare space)
        raw = self.request.path
        path = raw[raw.index("/proxy/") + len("/proxy/"):]
        url = f"http://127.0.0.1:{port}/{path}" + (f"?{query}" if query else "")
        headers = {k: v for k, v in self.request.headers.items() if k.lower() in ("content-type", "accept")}
        request = httpclient.HTTPRequest(url, method=self.request.method, headers=headers,
                                         body=self.request.body if self.request.method == "POST" else None,
                                         request_timeout=600, follow_redirects=False)
        try:
            # raise_error=False returns the app's own error answers (4xx / 5xx) but still raises
            # when there is no answer at all: a timeout or a closed connection (599), a refusal
            resp = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except httpclient.HTTPClientError as exc:
            if exc.code != 599 and exc.response is not None:
                resp = exc.response
            else:
                raise Unavailable(f"service '{service_id}' is not answering: {exc.message or exc}") from None
        except OSError as exc:
            raise Unavailable(f"service '{service_id}' is not answering: {exc.strerror or exc} "
                              "(if it is not running, start it, then reload)") from None
        if resp.code == 599:
            raise Unavailable(f"service '{service_id}' is not answering: {resp.error}")
        self.set_status(resp.code)
        for name in ("Content-Type", "Cache-Control"):
            if name in resp.headers:
                self.set_header(name, resp.headers[name])
        if resp.code in (204, 304) or 100 <= resp.code < 200:
            self.finish()  # these answers have no body; tornado refuses to send even an empty one
        else:
            self.finish(resp.body or b"")

    @web.authenticated
    async def get(self, service_id: str, path: str | None = None):
        if path is None:  # the page's relative URLs (api/run) need the trailing slash
            self.redirect(self.request.path + "/" + (f"?{self.request.query}" if self.request.query else ""))
            return
        await self.forward(service_id, path)

    @web.authenticated
    async def post(self, service_id: str, path: str | None = None):
        if path is None:  # a redirect would turn the POST into a GET (or need the client to resend it)
            raise BadRequest(f"POST to a path of the service: 'services/{service_id}/proxy/<path>' "
                             f"(e.g. 'services/{service_id}/proxy/api/run'), not 'services/{service_id}/proxy'")
        await self.forward(service_id, path)


def service_routes(api: str) -> list[tuple]:
    base = rf"{api}/services/{SERVICE_ID}"
    return [
        (rf"{api}/services", ServicesHandler),
        (rf"{base}", ServiceHandler),
        (rf"{base}/scale", ServiceScaleHandler),
        (rf"{base}/logs", ServiceLogsHandler),
        (rf"{base}/proxy(?:/(?P<path>.*))?", ServiceProxyHandler),
    ]
