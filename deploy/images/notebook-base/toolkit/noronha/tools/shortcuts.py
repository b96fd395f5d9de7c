"""Noronha's shortcuts: where the task's datasets and model versions are, and what is known of them.

Written for the portal from Noronha's documented signatures. A reference (model, dataset or version name) that
matches none or several of what the portal mounted raises ResolutionError, with Noronha's wording.
"""
import os

from noronha.common.errors import ResolutionError
from portal_toolkit import meta as _meta

_SECTIONS = {"training": "nha-train", "deployment": "nha-depl", "ide": "nha-ide"}


class Document(dict):
    """A metadata document read as Noronha's are: `doc.name`, `doc.model.name`, `doc.details`, `doc.show()`."""

    def __getattr__(self, key):
        try:
            value = self[key]
        except KeyError:
            return None
        if key == "model" and isinstance(value, str):
            return Document(name=value)
        return value

    def show(self):
        model = self.get("model")
        return f"{model}:{self.get('name')}" if model else str(self.get("name"))


def get_purpose():
    """Noronha's section of the running container: nha-train, nha-depl, nha-ide or None."""
    return _SECTIONS.get(_meta.load().get("purpose"))


def tmp_path(file_name: str = ""):
    """A scratch folder of this task's, where a notebook leaves the files Publisher publishes by default."""
    return os.path.join(_meta.scratch_dir(), file_name)


def _match(kind, candidates, model, name, where):
    found = [c for c in candidates if (model is None or c.get("model") == model) and (name is None or c.get("name") == name)]
    if len(found) == 1:
        return found[0]
    shown = ":".join(str(part) for part in (model, name) if part is not None) or "*"
    detail = "No options found" if not found else "Found {} options: {}".format(len(found), [Document(c).show() for c in found])
    raise ResolutionError(f"Could not resolve path to {kind} '{shown}' under directory {where}. {detail}")


def _dataset(model=None, dataset=None):
    from portal_toolkit import fetch
    return _match("dataset", _meta.load()["datasets"] + fetch.fetched_datasets(), model, dataset,
                  os.environ.get("PORTAL_DATASETS_DIR", "/portal/datasets"))


def _version(model=None, version=None):
    meta = _meta.load()
    where = os.environ.get("PORTAL_MODEL_DIR") or os.environ.get("PORTAL_PRETRAINED_DIR") or os.environ.get("PORTAL_MODELS_DIR") or "/portal"
    return _match("modelversion", meta["versions"] + _required_versions(), model, version, where)


def data_path(file_name: str = "", model: str = None, dataset: str = None) -> str:
    """The folder of a dataset mounted for this task, or one of its files."""
    return os.path.join(_meta.dataset_dir(_dataset(model, dataset)), file_name)


def model_path(file_name: str = "", model: str = None, version: str = None) -> str:
    """The folder of a model version mounted for this task (deployed, pre-trained or required), or one of its files."""
    return os.path.join(_meta.version_dir(_version(model, version)), file_name)


def dataset_meta(model: str = None, dataset: str = None, ignore: bool = False) -> Document:
    """A mounted dataset's metadata: name, model, details, files."""
    try:
        return Document(_dataset(model, dataset))
    except ResolutionError:
        if ignore:
            return Document()
        raise


def movers_meta(model: str = None, version: str = None, ignore: bool = False) -> Document:
    """A mounted model version's metadata: name, model, details, training, dataset."""
    try:
        return Document(_version(model, version))
    except ResolutionError:
        if ignore:
            return Document()
        raise


def train_meta() -> Document:
    """The running training's metadata: name, project, and its parameters as details."""
    meta = _meta.load()
    training = meta.get("training")
    if not training:
        raise ResolutionError("Could not resolve the training: this is not a training container.")
    return Document(name=training["name"], proj=meta["project"]["name"], details=dict(training.get("parameters") or {}))


def _required_versions():
    from portal_toolkit import fetch
    return fetch.fetched_versions()


def require_dataset(dataset: str, model: str = None) -> str:
    """Fetches a dataset that was not mounted for this task (from the portal) and returns its folder."""
    from portal_toolkit import fetch
    return fetch.dataset(_parent_model(model), dataset)


def require_movers(version: str, model: str = None) -> str:
    """Fetches a model version that was not mounted for this task (from the portal) and returns its folder."""
    from portal_toolkit import fetch
    return fetch.version(_parent_model(model), version)


def _parent_model(model):
    if model:
        return model
    models = _meta.load()["project"].get("models") or []
    if len(models) == 1:
        return models[0]
    raise ResolutionError(f"The project uses {len(models)} models: say which one (model=...).")
