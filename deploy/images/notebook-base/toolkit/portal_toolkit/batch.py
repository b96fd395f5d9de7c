"""Batch scoring with the project's prediction code, for images made by the portal's cli packager:

    python3 -m portal_toolkit.batch --entry predict.py --code DIR --model-dir DIR INPUT OUTPUT

INPUT is a .csv file (a header row, then rows), a .json file ({"columns": [...], "data": [[...], ...]}) or a folder of
them; OUTPUT is the file to write (the same format as the input) or, for a folder, the folder to write
<name>.predictions.<ext> into. The entry is loaded as portal_toolkit.serve loads it. Exit codes: 0 every file scored,
1 predict failed, 2 the input or the code could not be read.
"""
import argparse
import csv
import json
import os
import sys
import traceback

from portal_toolkit import servers
from portal_toolkit.serve import PredictionCode

_FORMATS = (".csv", ".json")


def _number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read(path):
    """(columns, rows) of an input file."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            body = json.load(f)
        if not isinstance(body, dict) or not isinstance(body.get("columns"), list) or not isinstance(body.get("data"), list):
            raise ValueError(f"{path}: expected {{\"columns\": [...], \"data\": [[...], ...]}}")
        return body["columns"], body["data"]
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    if not lines:
        raise ValueError(f"{path} is empty: the first row names the columns")
    columns, rows = lines[0], [[_number(v) for v in row] for row in lines[1:] if row]
    bad = next((i for i, row in enumerate(rows, 2) if len(row) != len(columns)), None)
    if bad is not None:
        raise ValueError(f"{path}, line {bad}: {len(rows[bad - 2])} values for {len(columns)} columns")
    return columns, rows


def write(path, columns, rows):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".json"):
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"columns": columns, "prediction": rows}, f)
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        out.writerows(rows)


def pairs(source, target):
    """The (input, output) files to score."""
    if os.path.isdir(source):
        inputs = sorted(n for n in os.listdir(source) if n.endswith(_FORMATS) and os.path.isfile(os.path.join(source, n)))
        if not inputs:
            raise ValueError(f"{source} holds no .csv or .json file")
        return [(os.path.join(source, n), os.path.join(target, "{0}.predictions{1}".format(*os.path.splitext(n)))) for n in inputs]
    if not source.endswith(_FORMATS):
        raise ValueError(f"{source}: give a .csv or .json file, or a folder of them")
    return [(source, target)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="portal_toolkit.batch")
    parser.add_argument("--entry", required=True, help="prediction module (.py) or notebook (.ipynb), relative to --code")
    parser.add_argument("--code", default=".", help="the project's code folder")
    parser.add_argument("--model-dir", default=os.environ.get("PORTAL_MODEL_DIR", "."), help="the model version's files")
    parser.add_argument("input", help="a .csv or .json file, or a folder of them")
    parser.add_argument("output", help="the file (or, for a folder, the folder) to write predictions to")
    args = parser.parse_args(argv)
    os.environ[servers.HANDOVER_VARIABLE] = "1"
    try:
        work = pairs(args.input, args.output)
        code = PredictionCode(args.entry, args.code, args.model_dir)
        if code.own_server is not None:
            raise ValueError(f"{args.entry} starts a server of its own (POST /predict): package it as rest, not cli")
    except Exception as e:
        print(f"cannot start: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 2
    for source, target in work:
        try:
            columns, rows = read(source)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            print(f"cannot read {source}: {e}", file=sys.stderr, flush=True)
            return 2
        try:
            prediction, out_columns = code.predict(columns, rows)
        except Exception as e:
            traceback.print_exc()
            print(f"predict failed on {source}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            return 1
        write(target, out_columns, prediction)
        print(f"{source}: {len(prediction)} predictions -> {target}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
