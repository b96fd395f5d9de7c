"""Fetches, in a running training, a dataset or model version that was not mounted for it (Noronha's
require_dataset and require_movers), with the training's task token. The files go under the training's workspace
($PORTAL_WORK_DIR/required/...); what was fetched is then found by the shortcuts like what was mounted.
"""
import json
import os
import urllib.error
import urllib.parse
import urllib.request

_fetched = []


def fetched_versions():
    return [v for kind, v in _fetched if kind == "version"]


def fetched_datasets():
    return [d for kind, d in _fetched if kind == "dataset"]


def dataset(model, name):
    return _fetch("dataset", f"datasets/{_q(model)}/{_q(name)}", ("datasets", model, name))


def version(model, name):
    return _fetch("version", f"models/{_q(model)}/versions/{_q(name)}", ("versions", model, name))


def _q(part):
    return urllib.parse.quote(str(part), safe="")


def _fetch(kind, path, folder):
    from noronha.common.errors import ResolutionError
    url, token = os.environ.get("PORTAL_API_URL"), os.environ.get("PORTAL_TASK_TOKEN")
    work = os.environ.get("PORTAL_WORK_DIR")
    if not (url and token and work):
        raise ResolutionError(f"Cannot fetch the {kind} {folder[1]}:{folder[2]} here: only a running training fetches from the portal. "
                              "Mount it instead (the IDE session's or the deployment's form).")
    base = url.rstrip("/") + "/api/v1/tasks/" + path
    meta = json.loads(_get(base, token, kind, folder).decode("utf-8"))
    target = os.path.join(work, "required", *folder)
    os.makedirs(target, exist_ok=True)
    for entry in meta.get("files") or []:
        name = entry["name"] if isinstance(entry, dict) else str(entry)
        # The names come from the portal, which checked them on upload; a name that would leave the folder is refused anyway.
        if name != os.path.basename(name) or name in ("", ".", ".."):
            raise ResolutionError(f"The {kind} has a file named {name!r}, which cannot be written here.")
        with open(os.path.join(target, name), "wb") as f:
            f.write(_get(base + "/files/" + _q(name), token, kind, folder))
    record = {"model": meta.get("model") or folder[1], "name": meta.get("name") or folder[2], "details": meta.get("details") or {},
              "files": [e["name"] if isinstance(e, dict) else e for e in meta.get("files") or []], "dir": target}
    if kind == "version":
        record.update(role="required", training=meta.get("training"), dataset=meta.get("dataset"))
    _fetched.append((kind, record))
    return target


def _get(url, token, kind, folder):
    from noronha.common.errors import NotFound, ResolutionError
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")
        if e.code == 404:
            raise NotFound(f"There is no {kind} {folder[1]}:{folder[2]} in the portal.") from None
        raise ResolutionError(f"The portal refused to hand over the {kind} {folder[1]}:{folder[2]} ({e.code}): {detail}") from None
