"""Noronha's inference servers for prediction notebooks: OnlinePredict and LazyModelServer.

`OnlinePredict(predict_func=f)()` answers `POST /predict`: the request's body, decoded by its charset, goes to `f`;
the answer is `{"result": ..., "metadata": {"datetime": ..., "model_version": [...]}}` (enrich=True) or the result
alone. Errors as in Noronha: NhaDataError 400, another PrettyError 500, anything else 501.
Deployed by the portal, the notebook's call hands the server to portal_toolkit.serve; elsewhere it listens itself.
"""
import json
import time
import traceback
from collections import OrderedDict
from datetime import datetime

from noronha.common.errors import MisusageError, NhaDataError, PrettyError, ResolutionError
from noronha.tools.shortcuts import model_path, movers_meta, require_movers
from portal_toolkit import meta as _meta
from portal_toolkit import servers as _servers

_READABLE = "%Y-%m-%d %H:%M:%S"


class HealthCheck(object):
    def __init__(self):
        self.status = True


class ModelServer(object):
    def __init__(self, predict_func, enrich=True):
        if not callable(predict_func):
            raise MisusageError("predict_func must be a function")
        self._predict_func = predict_func
        self._enrich = enrich
        self._health = HealthCheck()

    def make_result(self, body, args):
        raise NotImplementedError

    def make_metadata(self, body, args):
        raise NotImplementedError

    def healthy(self):
        return self._health.status

    def handle(self, body, content_type, args):
        """One request to POST /predict: (status, text, content type)."""
        charset = "utf-8"
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            text = body.decode(charset, "replace")
        except LookupError:
            text = body.decode("utf-8", "replace")
        out, err = None, None
        try:
            out = self.make_result(text, args)
            code = 200
        except NhaDataError as e:
            err, code = e.pretty(), 400
        except PrettyError as e:
            # Noronha also turned /health to nok here; a replica the engine then restarts for one caller's bad request
            # would let any caller take the deployment down, so health is left alone.
            err, code = e.pretty(), 500
        except Exception as e:
            err, code = repr(e), 501
            traceback.print_exc()
        if self._enrich:
            response = {"result": out, "err": err}
            try:
                response["metadata"] = self.make_metadata(text, args)
            except PrettyError:
                pass
            response = {k: v for k, v in response.items() if v is not None}
        else:
            response = out if err is None else err
        if isinstance(response, (dict, list)):
            return code, json.dumps(response, default=str), "application/json"
        return code, "" if response is None else str(response), "text/plain; charset=utf-8"

    def __call__(self):
        if _servers.handing_over():
            _servers.offer(self)
            return
        _servers.listen(self)


class OnlinePredict(ModelServer):
    """Serves `predict_func(body)`; also accepts Noronha's older keyword, predict_method."""

    def __init__(self, predict_func=None, enrich=True, predict_method=None):
        super().__init__(predict_func=predict_func or predict_method, enrich=enrich)
        self.movers = [v for v in _meta.load()["versions"] if v.get("role") == "deployed"]

    def make_result(self, body, args):
        return self._predict_func(body)

    def make_metadata(self, body, args):
        meta = {"datetime": datetime.now().strftime(_READABLE)}
        if self.movers:
            meta["model_version"] = sorted(f"{v['model']}:{v['name']}" for v in self.movers)
        return meta


class LazyModelServer(ModelServer):
    """Serves `predict_func(body, model, meta)` with the version named by the request's `model_version` argument,
    loaded by `load_model_func(path, meta)` on first use and kept (at most max_models, least used dropped first)."""

    def __init__(self, predict_func, load_model_func, model_name: str = None, max_models: int = 100):
        if not callable(load_model_func):
            raise MisusageError("load_model_func must be a function")
        super().__init__(predict_func=predict_func, enrich=False)
        self._load_model_func = load_model_func
        self._model_name = model_name
        self._max_models = max(1, int(max_models))
        self._loaded = OrderedDict()

    def fetch_model(self, version):
        if version not in self._loaded:
            while len(self._loaded) >= self._max_models:
                self._loaded.popitem(last=False)
            try:
                path = model_path(model=self._model_name, version=version)
            except ResolutionError:
                path = require_movers(model=self._model_name, version=version)
            meta = movers_meta(model=self._model_name, version=version)
            self._loaded[version] = (self._load_model_func(path, meta), meta, time.time())
        self._loaded.move_to_end(version)
        model, meta, _ = self._loaded[version]
        return model, meta

    def make_result(self, body, args):
        if "model_version" not in args:
            raise NhaDataError("Say which model version to use: ?model_version=<name>")
        return self._predict_func(body, *self.fetch_model(args["model_version"]))

    def make_metadata(self, body, args):
        raise MisusageError(f"Inference metadata for {type(self).__name__} is ambiguous")
