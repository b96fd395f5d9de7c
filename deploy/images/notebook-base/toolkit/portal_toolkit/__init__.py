"""The portal's toolkit for notebooks: report progress and metrics of the running task to the portal.

Standard library only. Inside a training the portal sets PORTAL_API_URL and PORTAL_TASK_TOKEN; elsewhere
(an IDE session, a laptop) the calls print what they would report and return, so a notebook runs unchanged.
"""
import json
import os
import sys
import urllib.error
import urllib.request

__all__ = ["progress", "log_metrics", "in_task"]

_TIMEOUT_SECONDS = 10


def in_task():
    """True when the notebook runs as a portal task that can report back."""
    return bool(os.environ.get("PORTAL_API_URL") and os.environ.get("PORTAL_TASK_TOKEN"))


def progress(value):
    """Reports the task's progress, a number between 0 and 1."""
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"progress must be between 0 and 1, not {value}")
    _report({"progress": value})


def log_metrics(metrics=None, **more):
    """Reports metrics (name -> number), merged into the training's metrics: log_metrics(accuracy=0.97)."""
    merged = dict(metrics or {}, **more)
    for name, value in merged.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"metric {name!r} must be a number, not {value!r}")
    _report({"metrics": merged})


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
