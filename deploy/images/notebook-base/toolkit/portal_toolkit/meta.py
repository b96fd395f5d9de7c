"""What the portal told this task about itself (PORTAL_META, JSON): project, training, datasets, model versions.

The folders are found under the mount variables: a dataset at $PORTAL_DATASETS_DIR/<name>, the version a training
starts from at $PORTAL_PRETRAINED_DIR, the version a deployment serves at $PORTAL_MODEL_DIR, the versions of an IDE
session at $PORTAL_MODELS_DIR/<model>/<version>.
"""
import json
import os
import tempfile

PURPOSES = ("training", "deployment", "ide")


def load():
    """The metadata as a dict; an empty one outside a portal task (an IDE session, a laptop)."""
    text = os.environ.get("PORTAL_META")
    meta = json.loads(text) if text else {}
    meta.setdefault("purpose", None)
    meta.setdefault("project", {"name": os.environ.get("PORTAL_PROJECT"), "models": []})
    meta.setdefault("datasets", [])
    meta.setdefault("versions", [])
    return meta


def dataset_dir(dataset):
    if dataset.get("dir"):
        return dataset["dir"]
    return os.path.join(os.environ.get("PORTAL_DATASETS_DIR", "/portal/datasets"), dataset["name"])


def version_dir(version):
    if version.get("dir"):
        return version["dir"]
    if version.get("role") == "deployed":
        return os.environ.get("PORTAL_MODEL_DIR", "/portal/model")
    if version.get("role") == "mounted":
        return os.path.join(os.environ.get("PORTAL_MODELS_DIR", "/portal/models"), version["model"], version["name"])
    return os.environ.get("PORTAL_PRETRAINED_DIR", "/portal/pretrained")


def scratch_dir():
    """A folder of the task's own for files about to be published: the training's workspace, else the system's temp."""
    work = os.environ.get("PORTAL_WORK_DIR")
    path = os.path.join(work, "tmp") if work and os.path.isdir(work) else os.path.join(tempfile.gettempdir(), "portal-tmp")
    os.makedirs(path, exist_ok=True)
    return path
