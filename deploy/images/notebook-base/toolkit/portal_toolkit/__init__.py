"""The portal's toolkit for notebooks: report progress and metrics of the running task, publish model versions.

Standard library only. Inside a training the portal sets PORTAL_API_URL and PORTAL_TASK_TOKEN; elsewhere
(an IDE session, a laptop) the calls print what they would report and return, so a notebook runs unchanged.
"""
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["progress", "log_metric", "log_metrics", "publish", "in_task"]

_TIMEOUT_SECONDS = 10
_PUBLISH_PATIENCE_SECONDS = 300


def _wait_for_portal(why, waited):
    """Sleeps before the next try (2 s doubling to 30 s) and returns how long; says so in the training's log."""
    delay = min(30, 2 ** (1 + waited // 10)) if waited else 2
    print(f"[portal_toolkit] {why}; publishing again in {delay} s", file=sys.stderr, flush=True)
    time.sleep(delay)
    return delay


def in_task():
    """True when the notebook runs as a portal task that can report back."""
    return bool(os.environ.get("PORTAL_API_URL") and os.environ.get("PORTAL_TASK_TOKEN"))


def progress(value):
    """Reports the task's progress, a number between 0 and 1."""
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"progress must be between 0 and 1, not {value}")
    _report({"progress": value})


_steps = {}


def log_metric(name, value, step=None):
    """Reports one value of a metric at a step: the training page draws each metric's series; the last value is its result.

    Without a step, each call for a name takes the next one (0, 1, 2, ...)."""
    log_metrics({name: value}, step=step)


def log_metrics(metrics=None, step=None, **more):
    """Reports metrics (name -> number) at a step, merged into the training's metrics: log_metrics(accuracy=0.97).

    Each value is also a point of its metric's series, at `step` or, without one, at the next step of that metric."""
    merged = dict(metrics or {}, **more)
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or step < 0):
        raise ValueError(f"step must be a whole number from 0, not {step!r}")
    points = []
    for name, value in merged.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"metric {name!r} must be a number, not {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"metric {name!r} must be a finite number, not {value!r}")
        at = step if step is not None else _steps.get(name, -1) + 1
        _steps[name] = max(at, _steps.get(name, -1))
        points.append({"name": name, "step": at, "value": value})
    _report({"metrics": merged, "points": points})


def publish(model, files, name=None, details=None, dataset=None, pretrained=None, compress=False):
    """Publishes a version of `model` made of `files` and returns its name.

    `files` is a folder (every file in it), a list of paths (named by their file names) or a dict
    {name in the version: local path}. The portal checks them against the model's model_files specs and records
    the version with this training, its dataset, pretrained version, build and metrics. `name` defaults to the
    model's next number; `details` is a JSON-able dict. Outside a portal task it prints what it would publish.
    """
    entries = _files_of(files)
    if not entries:
        raise ValueError("publish needs at least one file")
    if not in_task():
        print(f"[portal_toolkit] not running as a portal task; would publish {sorted(entries)} as a version of {model!r}", file=sys.stderr)
        return None
    # One id for this call, kept across its retries: a retry after a lost answer gets the version the first try made.
    fields = {"name": name or "", "compress": "true" if compress else "false", "details": json.dumps(details or {}),
              "dataset": dataset or "", "pretrained": pretrained or "", "publish_id": uuid.uuid4().hex}
    boundary = "portal-" + uuid.uuid4().hex
    url = os.environ["PORTAL_API_URL"].rstrip("/") + "/api/v1/tasks/publish?model=" + urllib.parse.quote(model)
    # A portal that restarts (or is briefly unreachable) mid-publish kept nothing of it: send the whole version again.
    waited = 0
    while True:
        request = urllib.request.Request(
            url,
            data=_multipart(boundary, fields, entries),
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Authorization": "Bearer " + os.environ["PORTAL_TASK_TOKEN"]},
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                version = json.loads(response.read().decode("utf-8"))
            break
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")
            if e.code in (502, 503, 504) and waited < _PUBLISH_PATIENCE_SECONDS:
                waited += _wait_for_portal(f"the portal answered {e.code}", waited)
                continue
            raise RuntimeError(f"the portal refused the model version ({e.code}): {detail}") from None
        except (urllib.error.URLError, ConnectionError) as e:
            if waited >= _PUBLISH_PATIENCE_SECONDS:
                raise RuntimeError(f"the portal could not be reached to publish the model version for {waited} s: {e}") from None
            waited += _wait_for_portal(f"the portal could not be reached ({getattr(e, 'reason', e)})", waited)
    print(f"[portal_toolkit] published {model}/{version['name']} ({len(entries)} files)", flush=True)
    return version["name"]


def _files_of(files):
    if isinstance(files, (str, os.PathLike)) and os.path.isdir(files):
        return {f: os.path.join(files, f) for f in sorted(os.listdir(files)) if os.path.isfile(os.path.join(files, f))}
    if isinstance(files, dict):
        return {str(k): os.fspath(v) for k, v in files.items()}
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    return {os.path.basename(os.fspath(f)): os.fspath(f) for f in files}


def _multipart(boundary, fields, entries):
    """The body as chunks, so a large model is streamed, not held in memory (sent chunked)."""
    for key, value in fields.items():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n").encode("utf-8")
    for file_name, path in entries.items():
        quoted = urllib.parse.quote(file_name)
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{quoted}\"; filename*=UTF-8''{quoted}\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode("utf-8")
        with open(path, "rb") as f:
            while chunk := f.read(1024 * 1024):
                yield chunk
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode("utf-8")


def _report(body):
    if not in_task():
        print(f"[portal_toolkit] not running as a portal task; would report {json.dumps(body)}", file=sys.stderr)
        return
    url = os.environ["PORTAL_API_URL"].rstrip("/") + "/api/v1/tasks/report"
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["PORTAL_TASK_TOKEN"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")
        raise RuntimeError(f"the portal refused the report ({e.code}): {detail}") from None
    except urllib.error.URLError as e:
        # A lost report must not fail the training; say so in its log.
        print(f"[portal_toolkit] could not reach the portal at {url}: {e.reason}", file=sys.stderr)
