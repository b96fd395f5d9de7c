"""The portal's REST API over the standard library: JSON in and out, multipart uploads streamed from disk, and
server-sent event streams (a followed log)."""
import json
import mimetypes
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid


class PortalError(Exception):
    """A refusal of the portal, as the sentence its problem details make (title, detail, and each field's errors)."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
        super().__init__(self.sentence())

    def sentence(self):
        p = self.problem
        detail = p.get("detail") or p.get("title") or f"HTTP {self.status}"
        fields = [(field, message) for field, messages in (p.get("errors") or {}).items()
                  for message in (messages if isinstance(messages, list) else [messages])]
        # The detail often repeats a field's message: then the field says it, once, with its name.
        parts = ([] if any(message == detail for _, message in fields) else [detail]) + [f"{field}: {message}" for field, message in fields]
        return " ".join(s if s.endswith((".", "?", "!")) else s + "." for s in parts)


class Http:
    def __init__(self, url, token, timeout=60):
        if not url:
            raise PortalError(0, {"detail": "No portal address: run 'portal login URL' or set PORTAL_URL"})
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method, path, body=None, params=None, headers=None, stream=False, timeout=None):
        url = self.url + path
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data, sent = None, dict(headers or {})
        if isinstance(body, Multipart):
            data, sent["Content-Type"], sent["Content-Length"] = body.chunks(), body.content_type, str(body.length)
        elif body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        if self.token:
            sent["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            response = urllib.request.urlopen(req, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {"detail": raw.decode(errors="replace").strip() or e.reason}
            raise PortalError(e.code, problem) from None
        except urllib.error.URLError as e:
            raise PortalError(0, {"detail": f"The portal at {self.url} cannot be reached: {e.reason}"}) from None
        if stream:
            return response
        with response:
            raw = response.read()
            if not raw:
                return None
            if response.headers.get_content_type() in ("application/json", "application/problem+json"):
                return json.loads(raw)
            return raw.decode("utf-8", errors="replace")

    def get(self, path, **params):
        return self.request("GET", path, params=params)

    def post(self, path, body=None, **params):
        return self.request("POST", path, body=body, params=params)

    def put(self, path, body=None):
        return self.request("PUT", path, body=body)

    def delete(self, path, **params):
        return self.request("DELETE", path, params=params)

    def events(self, path, params=None, last_id=None):
        """The server-sent events of a stream as (event, id, data) until it ends; data is parsed JSON."""
        headers = {"Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        response = self.request("GET", path, params=params, headers=headers, stream=True, timeout=3600)
        with response:
            event, event_id, data = "message", None, []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        yield event, event_id, json.loads("\n".join(data))
                    event, data = "message", []
                    continue
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    event = value
                elif field == "id":
                    event_id = value
                elif field == "data":
                    data.append(value)


class Multipart:
    """A multipart/form-data body of fields and files, read from disk as it is sent."""

    def __init__(self, fields, files):
        self.boundary = "portal-" + uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        self.parts = []
        for name, value in fields.items():
            if value is not None:
                head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                self.parts.append((head, _param(value).encode(), None))
        for field, path, name in files:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            head = (f'--{self.boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                    f"Content-Type: {kind}\r\n\r\n").encode()
            self.parts.append((head, None, path))
        self.tail = f"--{self.boundary}--\r\n".encode()
        self.length = sum(len(h) + (len(v) if v is not None else os.path.getsize(p)) + 2 for h, v, p in self.parts) + len(self.tail)

    def chunks(self):
        for head, value, path in self.parts:
            yield head
            if value is not None:
                yield value
            else:
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        yield chunk
            yield b"\r\n"
        yield self.tail


def _param(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
