"""Runs a portal workload on a node that does not share the portal's disk: fetches what the portal would have mounted
(the injected notebook, the datasets, the starting or served model version, the project's home directory) through the
portal's API with the task's token into a folder of the container's own, runs the command there, and sends a training's
results back the same way.

    python3 -m portal_toolkit.stage --fetch notebook,datasets,versions,project [--send results] -- COMMAND...

The command's arguments and the PORTAL_*_DIR variables that are /portal/... folders are pointed at the local copies.
The portal starts this through a short bootstrap that first fetches this very toolkit (see BOOTSTRAP in the portal).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request

MOUNTED = "/portal"
RESULTS = ("output.ipynb", "output.ipynb.html", "failure.json")
_DIR_VARIABLES = ("PORTAL_WORK_DIR", "PORTAL_DATASETS_DIR", "PORTAL_PRETRAINED_DIR", "PORTAL_MODEL_DIR", "PORTAL_MODELS_DIR")


def api(path):
    return os.environ["PORTAL_API_URL"].rstrip("/") + "/api/v1/tasks/" + path


def q(part):
    return urllib.parse.quote(str(part), safe="")


class Refused(Exception):
    """The portal said no (code: its HTTP status) or could not be reached (code: None); detail says what it said."""

    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


def open_url(url, method="GET", data=None, headers=None):
    """A response of the portal, authorized by the task's token (read at each call: a notebook may set it late)."""
    token = os.environ.get("PORTAL_FETCH_TOKEN") or os.environ.get("PORTAL_TASK_TOKEN", "")
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": "Bearer " + token, **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=600)
    except urllib.error.HTTPError as e:
        raise Refused(e.code, f"the portal refused {method} {url} ({e.code}): {e.read().decode('utf-8', 'replace')}") from None
    except urllib.error.URLError as e:
        raise Refused(None, f"the portal could not be reached at {url}: {e.reason}") from None


def download(url, path):
    """Streams one file to disk: nothing is held in memory whole."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open_url(url) as response, open(path, "wb") as f:
        shutil.copyfileobj(response, f, 1024 * 1024)


def fetch_artifact(kind_path, folder):
    """A dataset's or model version's files (flat names, checked by the portal on upload) into folder."""
    with open_url(api(kind_path)) as response:
        meta = json.loads(response.read().decode("utf-8"))
    for entry in meta.get("files") or []:
        name = entry["name"] if isinstance(entry, dict) else str(entry)
        if name != os.path.basename(name) or name in ("", ".", ".."):
            raise SystemExit(f"[portal_toolkit] refusing the file name {name!r} from {kind_path}")
        download(api(kind_path + "/files/" + q(name)), os.path.join(folder, name))


def fetch_project(folder):
    """The project's home directory, as the portal packs it (tar.gz): regular files and folders inside it only."""
    with open_url(api("project.tar.gz")) as response, tarfile.open(fileobj=response, mode="r|gz") as archive:
        for member in archive:
            target = os.path.realpath(os.path.join(folder, member.name))
            if not (target + "/").startswith(os.path.realpath(folder) + "/") or not (member.isfile() or member.isdir()):
                continue
            archive.extract(member, folder, set_attrs=False, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))


def local(path, root):
    """A /portal/... path pointed at the local copy; anything else (another folder that merely holds "/portal/") as it is."""
    return root + path[len(MOUNTED):] if path == MOUNTED or path.startswith(MOUNTED + "/") else path


def main(argv=None):
    try:
        return _stage(argv)
    except Refused as e:
        raise SystemExit(f"[portal_toolkit] {e.detail}") from None


def _stage(argv):
    parser = argparse.ArgumentParser(prog="portal_toolkit.stage")
    parser.add_argument("--fetch", default="", help="what to fetch: notebook, datasets, versions, project (comma-separated)")
    parser.add_argument("--send", default="", help="what to send back at the end: results")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    fetch = {part for part in args.fetch.split(",") if part}
    root = os.path.join(tempfile.gettempdir(), "portal")
    os.makedirs(os.path.join(root, "work"), exist_ok=True)
    meta = json.loads(os.environ.get("PORTAL_META") or "{}")

    if "notebook" in fetch:
        download(api("notebook"), os.path.join(root, "work", "input.ipynb"))
    if "project" in fetch:
        os.makedirs(os.path.join(root, "project"), exist_ok=True)
        fetch_project(os.path.join(root, "project"))
    if "datasets" in fetch:
        for d in meta.get("datasets") or []:
            fetch_artifact(f"datasets/{q(d['model'])}/{q(d['name'])}", os.path.join(root, "datasets", d["name"]))
    if "versions" in fetch:
        for v in meta.get("versions") or []:
            folder = {"deployed": "model", "pretrained": "pretrained"}.get(v.get("role"), os.path.join("models", v["model"], v["name"]))
            fetch_artifact(f"models/{q(v['model'])}/versions/{q(v['name'])}", os.path.join(root, folder))
    for variable in _DIR_VARIABLES:
        if variable in os.environ:
            os.environ[variable] = local(os.environ[variable], root)
    command = [local(part, root) for part in command]
    print(f"[portal_toolkit] fetched {', '.join(sorted(fetch)) or 'nothing'} from the portal into {root}", flush=True)

    # The grant is the stage step's; the served code has no use for it.
    os.environ.pop("PORTAL_FETCH_TOKEN", None)
    if "results" not in args.send:
        os.execvp(command[0], command)
    # The command runs as a child so its results are sent back whatever its end; a stop is passed on to it.
    child = subprocess.Popen(command)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: child.send_signal(number))
    code = child.wait()
    for name in RESULTS:
        send(os.path.join(root, "work", name), "results/" + q(name))
    # A batch job's predictions, one file each; the portal stores them as a dataset (links are not sent).
    scored = os.path.join(root, "work", "scored")
    if os.path.isdir(scored) and not os.path.islink(scored):
        for name in sorted(os.listdir(scored)):
            send(os.path.join(scored, name), "results/scored/" + q(name))
    return code


def send(path, where):
    """PUTs one file the command wrote to the portal, when it is a plain file."""
    if not os.path.isfile(path) or os.path.islink(path):
        return
    with open(path, "rb") as f, open_url(api(where), "PUT", f, {"Content-Type": "application/octet-stream",
                                                                  "Content-Length": str(os.path.getsize(path))}) as response:
        response.read()


if __name__ == "__main__":
    sys.exit(main())
