"""Prediction servers a notebook starts itself (Noronha's `OnlinePredict(...)()`).

Run by the portal (portal_toolkit.serve), such a server is handed over instead of listening on its own: serve
loads the notebook, takes the server offered here and answers for it. Run anywhere else (an IDE session), it listens
itself on PORTAL_PORT or 8080. Either way the routes are the server's own (`POST /predict`) plus `/health` and
`/api/model/info`.

A server is any object with `handle(body: bytes, content_type: str, args: dict) -> (status, text, content_type)`
and `healthy() -> bool`.
"""
import json
import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANDOVER_VARIABLE = "PORTAL_SERVE_HANDOVER"
_MAX_BODY = 64 * 1024 * 1024
_offered = []


def handing_over():
    """True while portal_toolkit.serve loads a prediction entry: a server started now is offered, not run."""
    return os.environ.get(HANDOVER_VARIABLE) == "1"


def offer(server):
    _offered.append(server)


def offered():
    return _offered[-1] if _offered else None


def info():
    return {"model": os.environ.get("PORTAL_MODEL"), "version": os.environ.get("PORTAL_MODEL_VERSION"), "input": None, "output": None}


class BodyTooLarge(Exception):
    pass


def read_body(request):
    """The request's body, sent with Content-Length or chunked (as many HTTP clients send JSON); BodyTooLarge past 64 MB."""
    if "chunked" in (request.headers.get("Transfer-Encoding") or "").lower():
        parts, size = [], 0
        while True:
            line = request.rfile.readline(1024).strip()
            chunk = int(line.split(b";")[0] or b"0", 16)
            if chunk == 0:
                while request.rfile.readline(1024).strip():
                    pass
                return b"".join(parts)
            size += chunk
            if size > _MAX_BODY:
                raise BodyTooLarge()
            parts.append(request.rfile.read(chunk))
            request.rfile.readline(8)
    length = int(request.headers.get("Content-Length") or 0)
    if length > _MAX_BODY:
        raise BodyTooLarge()
    return request.rfile.read(length) if length > 0 else b""


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 kept alive, no access log. Headers and body leave in two writes: with Nagle's algorithm on, the body
    waited for the client's delayed ACK, 40 ms on every kept-alive request."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass


def handler(server):
    class Handler(QuietHandler):

        def _send(self, status, text, content_type="application/json"):
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self):
            url = urllib.parse.urlsplit(self.path)
            return url.path, {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}

        def do_GET(self):
            path, _ = self._route()
            if path == "/health":
                ok = server.healthy()
                self._send(200 if ok else 503, json.dumps({"status": "ok" if ok else "nok"}))
            elif path == "/api/model/info":
                self._send(200, json.dumps(info()))
            else:
                self._send(404, json.dumps({"status": "error", "message": f"no such endpoint: {path}; use POST /predict"}))

        def do_POST(self):
            path, args = self._route()
            try:
                body = read_body(self)
            except (BodyTooLarge, ValueError):
                self.close_connection = True
                return self._send(413, json.dumps({"status": "error", "message": "the body is larger than 64 MB, or its chunks are malformed"}))
            if path != "/predict":
                return self._send(404, json.dumps({"status": "error", "message": f"this model serves POST /predict, not {path}"}))
            status, text, content_type = server.handle(body, self.headers.get("Content-Type") or "", args)
            self._send(status, text, content_type)

    return Handler


def listen(server, port=None):
    """Answers for `server` until interrupted."""
    run(handler(server), port)


def run(handler_class, port=None):
    """Serves HTTP with `handler_class` until interrupted. Containers publish the port; local processes are told to
    answer on loopback only (PORTAL_BIND_ADDRESS)."""
    port = int(port or os.environ.get("PORTAL_PORT", "8080"))
    http = ThreadingHTTPServer((os.environ.get("PORTAL_BIND_ADDRESS", "0.0.0.0"), port), handler_class)
    http.daemon_threads = True
    print(f"serving {os.environ.get('PORTAL_MODEL', 'the model')} {os.environ.get('PORTAL_MODEL_VERSION', '')} on port {port}", flush=True)
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        pass
