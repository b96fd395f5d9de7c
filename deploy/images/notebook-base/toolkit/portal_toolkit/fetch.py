"""Fetches, in a running training, a dataset or model version that was not mounted for it (Noronha's
require_dataset and require_movers), with the training's task token. The files go under the training's workspace
($PORTAL_WORK_DIR/required/...); what was fetched is then found by the shortcuts like what was mounted.
"""
import json
import os

from portal_toolkit import stage

_fetched = []


def fetched_versions():
    return [v for kind, v in _fetched if kind == "version"]


def fetched_datasets():
    return [d for kind, d in _fetched if kind == "dataset"]


def dataset(model, name):
    return _fetch("dataset", f"datasets/{stage.q(model)}/{stage.q(name)}", ("datasets", model, name))


def version(model, name):
    return _fetch("version", f"models/{stage.q(model)}/versions/{stage.q(name)}", ("versions", model, name))


def _fetch(kind, path, folder):
    from noronha.common.errors import NotFound, ResolutionError
    url, token = os.environ.get("PORTAL_API_URL"), os.environ.get("PORTAL_TASK_TOKEN")
    work = os.environ.get("PORTAL_WORK_DIR")
    if not (url and token and work):
        raise ResolutionError(f"Cannot fetch the {kind} {folder[1]}:{folder[2]} here: only a running training fetches from the portal. "
                              "Mount it instead (the IDE session's or the deployment's form).")
    target = os.path.join(work, "required", *folder)
    try:
        with stage.open_url(stage.api(path)) as response:
            meta = json.loads(response.read().decode("utf-8"))
        for entry in meta.get("files") or []:
            name = entry["name"] if isinstance(entry, dict) else str(entry)
            # The names come from the portal, which checked them on upload; a name that would leave the folder is refused anyway.
            if name != os.path.basename(name) or name in ("", ".", ".."):
                raise ResolutionError(f"The {kind} has a file named {name!r}, which cannot be written here.")
            stage.download(stage.api(path + "/files/" + stage.q(name)), os.path.join(target, name))
    except stage.Refused as e:
        if e.code == 404:
            raise NotFound(f"There is no {kind} {folder[1]}:{folder[2]} in the portal.") from None
        raise ResolutionError(f"The {kind} {folder[1]}:{folder[2]} could not be fetched: {e.detail}") from None
    os.makedirs(target, exist_ok=True)
    record = {"model": meta.get("model") or folder[1], "name": meta.get("name") or folder[2], "details": meta.get("details") or {},
              "files": [e["name"] if isinstance(e, dict) else e for e in meta.get("files") or []], "dir": target}
    if kind == "version":
        record.update(role="required", training=meta.get("training"), dataset=meta.get("dataset"))
    _fetched.append((kind, record))
    return target
