"""Serves a model version over HTTP for the portal's router (Odahu's model API):

    python3 -m portal_toolkit.serve --entry predict.py --code DIR --model-dir DIR [--port 8080]

The entry is the project's prediction code: a module (.py) or a notebook (.ipynb, its code cells are run in
order, magics skipped) that defines `predict(model, frame)` and `load(model_dir)` (akerbp's model interface), or
just `predict(frame)`. An optional `INFO = {"input": [...], "output": [...]}` describes the schema.

    GET  /api/model/info     -> {"model", "version", "input", "output"}
    POST /api/model/invoke   {"columns": [...], "data": [[...], ...]} -> {"prediction": [[...], ...], "columns": [...]}
    GET  /health             -> 200 {"status": "ok"}
Errors come back as {"status": "error", "message": ...} (400 for bad input, 500 when predict fails).

An entry that starts its own server instead (a Noronha notebook ending in `OnlinePredict(...)()`) hands it over
(portal_toolkit.servers), and that server's routes are served: `POST /predict`, `/health`, `/api/model/info`.
"""
import argparse
import importlib.util
import json
import os
import sys
import traceback

from portal_toolkit import servers



class PredictionCode:
    """The prediction code loaded from its entry, with the model loaded by its load(model_dir) when it has one."""

    def __init__(self, entry, code_dir, model_dir):
        self.namespace = self._load_entry(entry, code_dir, model_dir)
        self.own_server = servers.offered()
        if self.own_server is not None:
            return
        if "predict" not in self.namespace:
            raise RuntimeError(f"{entry} defines no predict function and starts no server (OnlinePredict)")
        self.predict_fn = self.namespace["predict"]
        loader = self.namespace.get("load")
        self.model = loader(model_dir) if callable(loader) else None
        self.info = self.namespace.get("INFO") or {}

    @staticmethod
    def _load_entry(entry, code_dir, model_dir):
        path = os.path.join(code_dir, entry)
        sys.path.insert(0, os.path.dirname(path))
        if entry.endswith(".ipynb"):
            with open(path, encoding="utf-8") as f:
                notebook = json.load(f)
            namespace = {"__name__": "__portal_serving__", "model_dir": model_dir}
            for cell in notebook.get("cells", []):
                if cell.get("cell_type") != "code" or "skip-serving" in cell.get("metadata", {}).get("tags", []):
                    continue
                source = "".join(cell.get("source", []))
                source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                exec(compile(source, f"{entry}[cell]", "exec"), namespace)
            return namespace
        spec = importlib.util.spec_from_file_location("portal_prediction_code", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return vars(module)

    def predict(self, columns, rows):
        try:
            import pandas
            frame = pandas.DataFrame(rows, columns=columns)
        except ImportError:
            frame = [dict(zip(columns, row)) for row in rows]
        result = self.predict_fn(self.model, frame) if self.model is not None else self.predict_fn(frame)
        return _rows_of(result, self.info.get("output"))


def _rows_of(result, output_columns):
    if hasattr(result, "columns") and hasattr(result, "values"):
        return [list(map(_plain, row)) for row in result.values.tolist()], [str(c) for c in result.columns]
    if hasattr(result, "tolist"):
        result = result.tolist()
    rows = [list(map(_plain, r)) if isinstance(r, (list, tuple)) else [_plain(r)] for r in result]
    width = len(rows[0]) if rows else 1
    columns = list(output_columns) if output_columns and len(output_columns) == width else (["prediction"] if width == 1 else [f"prediction_{i}" for i in range(width)])
    return rows, columns


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _handler(model):
    class Handler(servers.QuietHandler):

        def _send(self, status, body):
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, message):
            self._send(status, {"status": "error", "message": message})

        def do_GET(self):
            if self.path == "/health":
                self._send(200, {"status": "ok"})
            elif self.path == "/api/model/info":
                self._send(200, {"model": os.environ.get("PORTAL_MODEL"), "version": os.environ.get("PORTAL_MODEL_VERSION"),
                                 "input": model.info.get("input"), "output": model.info.get("output")})
            else:
                self._error(404, f"no such endpoint: {self.path}; use /api/model/info or /api/model/invoke")

        def do_POST(self):
            try:
                raw = servers.read_body(self)
            except (servers.BodyTooLarge, ValueError):
                self.close_connection = True
                return self._error(413, "the body is larger than 64 MB, or its chunks are malformed")
            if self.path != "/api/model/invoke":
                return self._error(404, f"no such endpoint: {self.path}; use POST /api/model/invoke")
            if not raw:
                return self._error(400, "send a JSON body {\"columns\": [...], \"data\": [[...]]}")
            try:
                body = json.loads(raw)
                columns, rows = body["columns"], body["data"]
                if not isinstance(columns, list) or not isinstance(rows, list) or any(not isinstance(r, list) or len(r) != len(columns) for r in rows):
                    raise ValueError("'data' must be a list of rows, each as long as 'columns'")
            except (ValueError, KeyError, TypeError) as e:
                return self._error(400, f"bad request: {e}")
            try:
                prediction, out_columns = model.predict(columns, rows)
            except Exception as e:
                traceback.print_exc()
                return self._error(500, f"predict failed: {type(e).__name__}: {e}")
            self._send(200, {"prediction": prediction, "columns": out_columns})

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(prog="portal_toolkit.serve")
    parser.add_argument("--entry", required=True, help="prediction module (.py) or notebook (.ipynb), relative to --code")
    parser.add_argument("--code", default=".", help="the project's code folder")
    parser.add_argument("--model-dir", default=os.environ.get("PORTAL_MODEL_DIR", "."), help="the model version's files")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8080")))
    args = parser.parse_args(argv)
    os.environ[servers.HANDOVER_VARIABLE] = "1"
    try:
        model = PredictionCode(args.entry, args.code, args.model_dir)
    except Exception as e:
        traceback.print_exc()
        print(f"cannot load the model: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 2
    servers.run(servers.handler(model.own_server) if model.own_server is not None else _handler(model), args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
