"""Noronha's Publisher: publishes a model version from a training notebook, through portal_toolkit.publish."""
import numbers

import portal_toolkit
from noronha.common.errors import ResolutionError
from noronha.tools.shortcuts import Document, dataset_meta, movers_meta, tmp_path
from portal_toolkit import meta as _meta


class Publisher(object):
    """`Publisher()(details={'metrics': {...}, 'params': {...}})` publishes the files left under tmp_path().

    As in Noronha: the parent model is the project's only model unless named; the version is named after the
    training unless named; it is linked to the training, to its dataset (uses_dataset) and to the version it started
    from (uses_pretrained). Numbers under details['metrics'] become the training's metrics too.
    """

    def __init__(self):
        meta = _meta.load()
        self.proj = Document(meta["project"])
        self.train = Document(meta.get("training") or {})

    def _infer_parent_model(self, model_name=None):
        if model_name:
            return model_name
        models = self.proj.get("models") or []
        if len(models) == 1:
            return models[0]
        problem = "does not include any models" if not models else f"includes {len(models)} models"
        raise ResolutionError(f"Project '{self.proj.name}' {problem}. Please specify which model you are publishing")

    @staticmethod
    def _infer_dataset(model_name, uses_dataset, dataset_name):
        if not uses_dataset:
            return None
        # A training without any dataset publishes without one, as portal_toolkit.publish does; a named one must be there.
        found = dataset_meta(model=model_name, dataset=dataset_name, ignore=dataset_name is None)
        return found if found.get("name") else None

    @staticmethod
    def _infer_pretrained(uses_pretrained, pretrained_with):
        if not uses_pretrained:
            return None
        model_name, _, version_name = (pretrained_with or ":").partition(":")
        found = movers_meta(model=model_name or None, version=version_name or None, ignore=not pretrained_with)
        return f"{found.get('model')}/{found.get('name')}" if found.get("name") else None

    def __call__(self, src_path: str = None, details: dict = None, version_name: str = None, model_name: str = None,
                 uses_dataset: bool = True, dataset_name: str = None, uses_pretrained: bool = False,
                 pretrained_with: str = None, lightweight: bool = False, model: str = None):
        model_name = self._infer_parent_model(model_name or model)
        dataset = self._infer_dataset(model_name, uses_dataset, dataset_name)
        pretrained = self._infer_pretrained(uses_pretrained, pretrained_with)
        details = dict(details or {})
        metrics = {k: v for k, v in (details.get("metrics") or {}).items()
                   if isinstance(v, numbers.Real) and not isinstance(v, bool)}
        if metrics:
            portal_toolkit.log_metrics(metrics)
        name = version_name or self.train.get("name")
        published = portal_toolkit.publish(model_name, src_path or tmp_path(), name=name, details=details,
                                           dataset=dataset.get("name") if dataset else None, pretrained=pretrained)
        return Document(name=published or name, model=model_name, details=details, train=self.train.get("name"),
                        ds=dataset.get("name") if dataset else None, pretrained=pretrained)
