"""Python SDK of the MLOps portal: the operations of its REST API as methods.

    from portal_client import Portal
    portal = Portal()                       # PORTAL_URL / PORTAL_TOKEN, else ~/.portal/cli.yaml
    run = portal.train("iris", "train.ipynb", params={"n_estimators": 50}, datasets=["iris-clf/iris"])
    run.follow()                            # prints the log as it is written; returns the final state
"""
import os
import sys
import time
import urllib.parse

from . import config
from .http import Http, Multipart, PortalError

__all__ = ["Build", "Portal", "PortalError", "Training"]
ENDED = ("FINISHED", "FAILED", "CANCELLED")


def _q(*parts):
    return "/" + "/".join(urllib.parse.quote(str(p), safe="") for p in parts)


class Portal:
    def __init__(self, url=None, token=None):
        saved = config.load()
        self.http = Http(url or saved["url"], token or saved["token"])

    # -- account
    def me(self):
        return self.http.get("/api/v1/me")

    # -- paging
    def _all(self, path, **params):
        items, skip = [], 0
        while True:
            page = self.http.get(path, skip=skip, take=500, **params)
            items += page["items"]
            skip += len(page["items"])
            if not page["items"] or skip >= page["total"]:
                return items

    # -- projects
    def projects(self, search=None):
        return self._all("/api/v1/projects", search=search)

    def project(self, name):
        return self.http.get("/api/v1/projects" + _q(name))

    def create_project(self, name, home_dir=None, git_repo=None, docker_repo=None, models=None, desc=None):
        return self.http.post("/api/v1/projects", dict(name=name, home_dir=home_dir, git_repo=git_repo, docker_repo=docker_repo,
                                                       models=models or [], desc=desc))

    def update_project(self, name, **changes):
        current = self.project(name)
        body = {k: current.get(k) for k in ("name", "desc", "home_dir", "git_repo", "docker_repo", "models")}
        body.update({k: v for k, v in changes.items() if v is not None})
        return self.http.put("/api/v1/projects" + _q(name), body)

    def delete_project(self, name):
        return self.http.delete("/api/v1/projects" + _q(name))

    def build(self, project, tag=None, source="local", git_ref=None, credential=None, dockerfile=None):
        return Build(self, self.http.post("/api/v1/projects" + _q(project) + "/builds",
                              dict(**{"from": source}, tag=tag, git_ref=git_ref, credential=credential, dockerfile=dockerfile)))

    def builds(self, project):
        return self.http.get("/api/v1/projects" + _q(project) + "/builds")

    def build_run(self, run_id):
        return Build(self, self.http.get("/api/v1/builds" + _q(run_id)))

    # -- models
    def models(self, search=None):
        return self._all("/api/v1/models", search=search)

    def model(self, name):
        return self.http.get("/api/v1/models" + _q(name))

    def create_model(self, name, desc=None, model_files=None, data_files=None):
        return self.http.post("/api/v1/models", dict(name=name, desc=desc, model_files=model_files or [], data_files=data_files or []))

    def delete_model(self, name):
        return self.http.delete("/api/v1/models" + _q(name))

    # -- datasets
    def datasets(self, model=None):
        return self._all("/api/v1/models" + _q(model) + "/datasets") if model else self._all("/api/v1/datasets")

    def dataset(self, model, name):
        return self.http.get("/api/v1/models" + _q(model, "datasets", name))

    def create_dataset(self, model, name, path, compress=False, details=None):
        """Uploads a file, or every file of a folder (relative names kept), as a dataset."""
        files = _files(path)
        body = Multipart({"name": name, "compress": compress, "details": details}, [("files", p, n) for p, n in files])
        return self.http.request("POST", "/api/v1/models" + _q(model) + "/datasets", body=body, timeout=3600)

    def delete_dataset(self, model, name):
        return self.http.delete("/api/v1/models" + _q(model, "datasets", name))

    def download_dataset(self, model, name, to):
        """A compressed dataset's archive to the file `to`; an uncompressed one's files into the folder `to`."""
        return self._download_stored("/api/v1/models" + _q(model, "datasets", name), self.dataset(model, name), to)

    # -- trainings
    def train(self, project, notebook, name=None, params=None, datasets=None, profile=None, build_tag=None, pretrained=None, env=None):
        t = self.http.post("/api/v1/trainings", dict(project=project, name=name, notebook=notebook, parameters=params, datasets=datasets,
                                                     resource_profile=profile, build_tag=build_tag, pretrained=pretrained, env=env))
        return Training(self, t)

    def trainings(self, project=None):
        return [Training(self, t) for t in self._all("/api/v1/trainings", project=project)]

    def training(self, project, name):
        return Training(self, self.http.get("/api/v1/trainings" + _q(project, name)))

    def metrics(self, project, name):
        """Each metric the training logged over steps: {name: [{step, value, at}, ...]}."""
        return self.http.get("/api/v1/trainings" + _q(project, name, "metrics"))

    def compare(self, runs):
        """2 to 50 trainings (project/training) side by side: parameters, final metrics, what differs, each metric's series."""
        return self.http.get("/api/v1/trainings/compare?" + urllib.parse.urlencode([("runs", r) for r in runs]))

    # -- batch jobs (ODAHU's batch inference)
    def score(self, version, dataset, project=None, entry=None, output=None, name=None, profile=None, build_tag=None):
        """Scores a dataset (model/dataset) with a version (model/version); the predictions become a dataset. Returns the job."""
        t = self.http.post("/api/v1/batch-jobs", dict(version=version, dataset=dataset, project=project, entry=entry, output=output, name=name,
                                                      resource_profile=profile, build_tag=build_tag))
        return Training(self, t)

    def batch_jobs(self, project=None):
        return [Training(self, t) for t in self._all("/api/v1/batch-jobs", project=project)]

    # -- sweeps (Katib's experiments)
    def start_sweep(self, project, notebook, spec, objective, name=None, direction=None, max_parallel=None, target=None, parameters=None,
                    datasets=None, profile=None, build_tag=None, pretrained=None):
        """Starts a grid or random search over a notebook's parameters; spec is YAML/JSON text or a dict. Returns the sweep."""
        return self.http.post("/api/v1/sweeps", dict(project=project, name=name, notebook=notebook, spec=spec, objective=objective, direction=direction,
                                                     max_parallel=max_parallel, target=target, parameters=parameters, datasets=datasets or [],
                                                     resource_profile=profile, build_tag=build_tag, pretrained=pretrained))

    def sweeps(self, project=None):
        return self._all("/api/v1/sweeps", project=project)

    def sweep(self, project, name):
        """The sweep and each trial: its training, state, parameters, objective value, and which is the best."""
        return self.http.get("/api/v1/sweeps" + _q(project, name))

    def stop_sweep(self, project, name):
        return self.http.post("/api/v1/sweeps" + _q(project, name, "stop"))

    def promote_best(self, project, name, environment=None, comment=None):
        """Promotes the version the sweep's best run published to the next environment (or the one given)."""
        return self.http.post("/api/v1/sweeps" + _q(project, name, "promote-best"), dict(environment=environment, comment=comment))

    # -- schedules (recurring runs)
    def create_schedule(self, project, name, cron, notebook, time_zone=None, parameters=None, datasets=None, newest_dataset_of=None, profile=None,
                        build_tag=None, pretrained=None, allow_overlap=False):
        """Schedules a training on a five-field cron (in time_zone, UTC by default). Returns the schedule with its next times."""
        return self.http.post("/api/v1/schedules", dict(project=project, name=name, cron=cron, time_zone=time_zone, notebook=notebook, parameters=parameters,
                                                        datasets=datasets or [], newest_dataset_of=newest_dataset_of, resource_profile=profile,
                                                        build_tag=build_tag, pretrained=pretrained, allow_overlap=allow_overlap))

    def schedules(self, project=None):
        return self._all("/api/v1/schedules", project=project)

    def schedule(self, project, name):
        """The schedule with its next times, history and runs."""
        return self.http.get("/api/v1/schedules" + _q(project, name))

    def pause_schedule(self, project, name):
        return self.http.post("/api/v1/schedules" + _q(project, name, "pause"))

    def resume_schedule(self, project, name):
        return self.http.post("/api/v1/schedules" + _q(project, name, "resume"))

    def delete_schedule(self, project, name):
        return self.http.delete("/api/v1/schedules" + _q(project, name))

    # -- model versions (Noronha's movers)
    def versions(self, model):
        return self._all("/api/v1/models" + _q(model) + "/versions")

    def version(self, model, name):
        return self.http.get("/api/v1/models" + _q(model, "versions", name))

    def upload_version(self, model, path, name=None, details=None, dataset=None):
        body = Multipart({"name": name, "details": details, "dataset": dataset}, [("files", p, n) for p, n in _files(path)])
        return self.http.request("POST", "/api/v1/models" + _q(model) + "/versions", body=body, timeout=3600)

    def promote(self, model, name, environment, comment=None):
        return self.http.post("/api/v1/models" + _q(model, "versions", name, "promote"), dict(environment=environment, comment=comment))

    def download_version(self, model, name, to):
        """A compressed version's archive to the file `to`; an uncompressed one's files into the folder `to`."""
        return self._download_stored("/api/v1/models" + _q(model, "versions", name), self.version(model, name), to)

    # -- deployments
    def deploy(self, name, project=None, model_version=None, entry=None, environment=None, replicas=1, profile=None, build_tag=None,
               env=None, package=None, port=None):
        return self.http.post("/api/v1/deployments", dict(name=name, project=project, model_version=model_version, entry=entry,
                                                          environment=environment, replicas=replicas, resource_profile=profile,
                                                          build_tag=build_tag, env=env, package=package, port=port))

    def deployments(self, search=None):
        return self._all("/api/v1/deployments", search=search)

    def deployment(self, name):
        return self.http.get("/api/v1/deployments" + _q(name))

    def deployment_log(self, name, follow=False, out=None):
        """The replicas' output as the engine keeps it; with follow, printed as they write until interrupted."""
        path = "/api/v1/deployments" + _q(name, "log")
        return self.follow_log(path, out, resume=False) if follow else self.http.get(path)

    def scale(self, name, replicas):
        return self.http.post("/api/v1/deployments" + _q(name, "scale"), dict(replicas=replicas))

    def switch(self, name, model_version):
        return self.http.post("/api/v1/deployments" + _q(name, "version"), dict(model_version=model_version))

    def delete_deployment(self, name):
        return self.http.delete("/api/v1/deployments" + _q(name))

    def predict(self, deployment, payload):
        return self.http.post("/model" + _q(deployment) + "/api/model/invoke", payload)

    # -- packages
    def package(self, model_version, project, entry="predict.py", kind="rest", name=None, **options):
        return self.http.post("/api/v1/packages", dict(model_version=model_version, project=project, entry=entry, kind=kind, name=name, **options))

    def packages(self, model_version=None):
        return self._all("/api/v1/packages", model_version=model_version)

    # -- credentials (the vault)
    def credentials(self):
        return self._all("/api/v1/credentials")

    def create_credential(self, name, kind, secret, uri=None, desc=None, details=None):
        return self.http.post("/api/v1/credentials", dict(name=name, kind=kind, secret=secret, uri=uri, desc=desc, details=details or {}))

    def delete_credential(self, name):
        return self.http.delete("/api/v1/credentials" + _q(name))

    # -- IDE
    def open_ide(self, name=None, image=None, profile=None, datasets=None):
        return self.http.post("/api/v1/ide", dict(name=name, image=image, resource_profile=profile, datasets=datasets))

    def follow_log(self, path, out=None, from_line=0, resume=True):
        """Prints a log stream (stdout lines to out, stderr lines to stderr) until the server ends it; with resume, a
        dropped connection is opened again from the last line seen (a stored log; an engine's output starts over)."""
        out = out or sys.stdout
        last = from_line - 1
        for _ in range(100 if resume else 1):
            try:
                for event, event_id, data in self.http.events(path, params={"follow": True, "from": last + 1}):
                    if event == "line":
                        print(data["text"], file=out if data["stream"] == "stdout" else sys.stderr, flush=True)
                        last = int(event_id) if event_id else last + 1
                    elif event == "error":
                        raise PortalError(401, {"detail": data["reason"]})
                    elif event == "end":
                        return
            except (ConnectionError, TimeoutError, OSError):
                time.sleep(1)

    def _download_stored(self, base, stored, to):
        if stored.get("compressed"):
            return self._download(base + "/archive", to)
        os.makedirs(to, exist_ok=True)
        for f in stored.get("files") or []:
            target = os.path.join(to, *f["name"].split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            self._download(base + "/files" + _q(f["name"]), target)
        return to

    def _download(self, path, to):
        response = self.http.request("GET", path, stream=True, timeout=3600)
        with response, open(to, "wb") as f:
            while chunk := response.read(1 << 20):
                f.write(chunk)
        return to


class _Run:
    """A run (training, build) as last read; refresh() reads it again, wait() until it ends, follow() prints its log."""
    ENDED = ENDED

    def __init__(self, portal, data):
        self.portal, self.data = portal, data

    state = property(lambda self: self.data["state"])

    def refresh(self):
        self.data = self.portal.http.get(self._path)
        return self

    def log(self):
        return self.portal.http.get(self._path + "/log")

    def wait(self, timeout=None, poll=2.0):
        """Waits until the run ends; returns its final state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.refresh().state not in self.ENDED:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{self} is still {self.state} after {timeout} s")
            time.sleep(poll)
        return self.state

    def follow(self, out=None, from_line=0):
        """Writes the log to out (stdout) as it is written, resuming after a dropped connection; returns the final state."""
        self.portal.follow_log(self._path + "/log", out, from_line)
        return self.wait()


class Training(_Run):
    """A training: states WAITING, RUNNING, then FINISHED, FAILED or CANCELLED."""
    project = property(lambda self: self.data["project"])
    name = property(lambda self: self.data["name"])
    _path = property(lambda self: "/api/v1/trainings" + _q(self.project, self.name))

    def __str__(self):
        return f"training {self.project}/{self.name}"

    def cancel(self):
        self.portal.http.post(self._path + "/cancel")
        return self.refresh()


class Build(_Run):
    """A project build started since the portal started: RUNNING, then SUCCEEDED or FAILED."""
    ENDED = ("SUCCEEDED", "FAILED")
    project = property(lambda self: self.data["project"])
    tag = property(lambda self: self.data["tag"])
    image = property(lambda self: self.data["image"])
    _path = property(lambda self: "/api/v1/builds" + _q(self.data["id"]))

    def __str__(self):
        return f"build {self.project}:{self.tag}"


def _files(path):
    """(path on disk, name to send) for a file, or every file under a folder with its relative name."""
    if os.path.isfile(path):
        return [(path, os.path.basename(path))]
    if not os.path.isdir(path):
        raise PortalError(0, {"detail": f"{path} is neither a file nor a folder"})
    found = []
    for root, _, names in os.walk(path):
        for n in sorted(names):
            full = os.path.join(root, n)
            found.append((full, os.path.relpath(full, path).replace(os.sep, "/")))
    return found
