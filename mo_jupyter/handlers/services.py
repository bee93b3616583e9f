"""REST handlers of deployed services, and the proxy that shows a service's test page (and its API)
inside JupyterLab.

The proxy answers two kinds of callers. A Jupyter-authenticated one (the Test tab loading the page,
a script with the token) goes through Jupyter's checks as any API request does. The test page
itself runs in a sandboxed iframe with no origin of its own (no access to Jupyter's origin, cookies
or token), so its calls to ``api/run`` come cross-origin and carry the service's key in
``X-Mo-Key`` instead: such a request is let through on the key alone, for the app server's routes
of that one service, and only that answer says ``Access-Control-Allow-Origin: *``."""

from __future__ import annotations

from jupyter_server.base.handlers import APIHandler
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.utils import url_path_join
from tornado import httpclient, web

from ..errors import BadRequest, NotFound, Unauthorized
from ..services.proxy import KEY_HEADER, Pools, app_route, check_body, forwarded_query, request_timeout
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
        self.reply(await self.run_slow(self.services.deploy, body.get("folder", ""), body.get("name"),
                                       body.get("version", "dev"), body.get("files", []),
                                       body.get("backend", "local"), body.get("replicas", 1),
                                       body.get("machine", "cpu"), body.get("protected")), status=201)


class ServiceHandler(ServicesBase):
    @web.authenticated
    async def get(self, service_id: str):
        self.reply(await self.run(self.services.get, service_id))

    @web.authenticated
    async def delete(self, service_id: str):
        await self.run_slow(self.services.delete, service_id)
        pools = self.settings.get("mo_service_pools")
        if pools is not None:
            pools.drop(service_id)
        self.no_content()


class ServiceScaleHandler(ServicesBase):
    @web.authenticated
    async def post(self, service_id: str):
        body = self.valid_body("handle_requests#scale")
        self.reply(await self.run_slow(self.services.scale, service_id, body["replicas"]))


class ServiceLogsHandler(ServicesBase):
    @web.authenticated
    async def get(self, service_id: str):
        self.reject_unknown_arguments("offset", "tail")
        engine = await self.run(self.services.logs_from_engine, service_id)
        run = self.run_slow if engine else self.run
        if self.get_query_argument("tail", None) is not None:
            if self.get_query_argument("offset", None) is not None:
                raise BadRequest("'tail' and 'offset' cannot be used together: 'tail=N' asks for the last N "
                                 "bytes of the log, 'offset' for the bytes from a position on")
            tail = self.int_argument("tail", 0)
            self.reply(await run(self.services.logs, service_id, tail=tail))
            return
        self.reply(await run(self.services.logs, service_id, self.int_argument("offset", 0)))


class ServiceKeyHandler(ServicesBase):
    """The one route that hands out a service's key (views never carry it): a POST, so Jupyter's
    Authorizer is asked for "write"; a user who may only read the project never gets it. ``{}``:
    the key and the service's view as they are; ``protected`` / ``rotate`` change them first."""

    @web.authenticated
    async def post(self, service_id: str):
        body = self.valid_body("handle_requests#key")
        self.reply(await self.run_slow(self.services.set_key, service_id, body.get("protected"),
                                       body.get("rotate", False)))


class ServiceProxyHandler(ServicesBase):
    """`mo/api/services/<id>/proxy/<path>` -> the service's own `/<path>` on 127.0.0.1, for the app
    server's routes only, and only while a live replica of the service holds its port."""

    keyed = False  # this request is let through on the service's key (not on Jupyter's auth)

    @property
    def pools(self) -> Pools:
        return self.settings.setdefault("mo_service_pools", Pools())

    def finish(self, *args, **kwargs):
        # APIHandler.finish would label everything application/json: keep the app's Content-Type
        return super(APIHandler, self).finish(*args, **kwargs)

    @property
    def content_security_policy(self):
        # the test page is one self-contained HTML page with inline script and style, data: images;
        # `sandbox`: it runs with an origin of its own even when opened outside the Test tab
        return ("frame-ancestors 'self'; default-src 'none'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; form-action 'self'; "
                "sandbox allow-scripts allow-forms allow-downloads")

    async def prepare(self):
        method = self.request.method
        if method == "OPTIONS":  # a CORS preflight: no auth, no data (the request that follows has them)
            self.current_user = self._jupyter_current_user = None
            if not self.check_host():
                raise web.HTTPError(403)
            return
        given = self.request.headers.get(KEY_HEADER)
        if given is not None:
            service_id = self.path_kwargs.get("service_id")
            if await self.run(self.services.key_matches, service_id, given[:256]):
                if not self.check_host():  # as Jupyter's prepare (DNS rebinding)
                    raise web.HTTPError(403)
                # neither Jupyter's origin check nor its XSRF check: the key is the credential, and a
                # sandboxed page's requests have Origin: null and no cookies
                self.current_user = self._jupyter_current_user = None
                self.keyed = True
                self.set_header("Access-Control-Allow-Origin", "*")
                return
            if self.request.headers.get("Origin") == "null":  # the test page with a key that is no more
                self.current_user = self._jupyter_current_user = None
                raise Unauthorized(f"the key of service '{service_id}' does not match (it was changed): "
                                   "open the test page again")
        await super().prepare()

    def check_authorized(self) -> None:
        if not self.keyed and not self.current_user:
            raise web.HTTPError(403)

    def app_path(self, service_id: str) -> str:
        """The request's path on the app's side: what follows `<base_url>mo/api/services/<id>/proxy`,
        still percent-encoded as it came (the route's `path` is decoded). Cut by segments, never at
        a search for "/proxy": a base URL or a service id may hold that word too. The route matched
        the raw path, so its first segments are the prefix's, one for one ('/' is never encoded)."""
        prefix = url_path_join(self.base_url, "mo/api/services", service_id, "proxy")
        parts = self.request.path.split("/")
        cut_at = prefix.count("/") + 1
        if len(parts) < cut_at or parts[cut_at - 1] != "proxy":  # cannot be, as the route matched
            raise NotFound(f"service '{service_id}': no such proxy path")
        rest = parts[cut_at:]
        return "/" + "/".join(rest) if rest else ""

    async def forward(self, service_id: str, path: str | None):
        self.check_authorized()
        method = self.request.method
        route = self.app_path(service_id)
        if not app_route(route, method):
            raise NotFound(f"service '{service_id}' has no {method} {route[:100]} (its app answers "
                           "GET /, /api/spec, /openapi.json, /healthz and POST /api/run)")
        if method == "POST":
            check_body(self.request.body)
        target = await self.run(self.services.target, service_id)
        query = forwarded_query(self.request.query)
        url = f"http://127.0.0.1:{target['port']}{route}" + (f"?{query}" if query else "")
        headers = {k: v for k, v in self.request.headers.items() if k.lower() in ("content-type", "accept")}
        given = self.request.headers.get(KEY_HEADER)
        if given is not None:
            headers[KEY_HEADER] = given[:256]
        elif target["protected"] and target["key"]:  # the user of this Jupyter server holds the key
            headers[KEY_HEADER] = target["key"]
        request = httpclient.HTTPRequest(url, method=method, headers=headers,
                                         body=self.request.body if method == "POST" else None,
                                         connect_timeout=5.0, request_timeout=request_timeout(target["timeout"]),
                                         follow_redirects=False, decompress_response=False)
        resp = await self.pools.fetch(service_id, request)
        self.set_status(resp.code)
        for name in ("Content-Type", "Cache-Control", "Content-Encoding"):
            if name in resp.headers:
                self.set_header(name, resp.headers[name])
        if resp.code in (204, 304) or 100 <= resp.code < 200 or method == "HEAD":
            self.finish()  # these answers have no body; tornado refuses to send even an empty one
        else:
            self.finish(resp.body or b"")

    @allow_unauthenticated
    def options(self, service_id: str, path: str | None = None):
        """The CORS preflight of the test page's `api/run` (it sends X-Mo-Key and JSON)."""
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST")
        self.set_header("Access-Control-Allow-Headers", f"Content-Type, {KEY_HEADER}")
        self.set_header("Access-Control-Max-Age", "600")
        self.set_status(204)
        self.finish()

    @allow_unauthenticated  # checked in forward(): Jupyter's auth, or the service's key
    async def get(self, service_id: str, path: str | None = None):
        if path is None:  # the page's relative URLs (api/run) need the trailing slash
            self.check_authorized()
            self.redirect(self.request.path + "/" + (f"?{self.request.query}" if self.request.query else ""))
            return
        await self.forward(service_id, path)

    @allow_unauthenticated
    async def head(self, service_id: str, path: str | None = None):
        await self.forward(service_id, path or "")

    @allow_unauthenticated
    async def post(self, service_id: str, path: str | None = None):
        if path is None:  # a redirect would turn the POST into a GET (or need the client to resend it)
            self.check_authorized()
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
        (rf"{base}/key", ServiceKeyHandler),
        (rf"{base}/proxy(?:/(?P<path>.*))?", ServiceProxyHandler),
    ]
