"""`portal apply|get|delete -f FILE`: manifests in ODAHU's shape (Connection, ModelTraining, ModelPackaging,
ModelDeployment), mapped onto the vault, trainings, packages and deployments.

Every document is checked, with its line, before anything is sent. Applying is idempotent: what exists and matches is
left alone; a deployment whose replicas differ is scaled; a training or package that exists with another spec is an
error (they are runs: give the new one another id). Kinds are applied in dependency order, and apply waits for each
training and package it starts to end (--no-wait to skip), since what follows uses what they make.

Mapping (ODAHU key -> here):
  Connection       id -> credential name; spec.type -> kind; spec.uri; spec.username; spec.password or spec.keySecret
                   (base64, as in ODAHU) -> the secret; spec.description -> desc.
  ModelTraining    id -> training name; spec.project (else spec.vcsName) -> project; spec.workDir + spec.entrypoint ->
                   notebook; spec.hyperParameters -> parameters; spec.data[].dataset (model/name) or connName (a dataset
                   of spec.model.name) -> datasets; spec.resourceProfile -> resource profile.
  ModelPackaging   id -> package name; spec.artifactName (model/version) -> version; spec.integrationName docker-rest|
                   docker-cli -> kind; spec.project, spec.entry (default predict.py); spec.targets[].connectionName (a
                   docker connection) -> registry (its uri) and credential.
  ModelDeployment  id -> deployment name; spec.image naming a package (its name or image) -> that package, else
                   spec.modelVersion with spec.project and spec.entry; spec.minReplicas -> replicas; spec.environment.
"""
import base64
import binascii
import sys
import time

from portal_client import Portal, PortalError

from .output import show

ORDER = ["Connection", "ModelTraining", "ModelPackaging", "ModelDeployment"]
KEYS = {
    "Connection": {"type", "uri", "username", "password", "keySecret", "description", "reference", "webUILink", "region", "role"},
    "ModelTraining": {"project", "model", "toolchain", "entrypoint", "workDir", "data", "hyperParameters", "resources", "vcsName",
                      "resourceProfile", "reference"},
    "ModelPackaging": {"artifactName", "targets", "integrationName", "project", "entry", "arguments"},
    "ModelDeployment": {"image", "minReplicas", "maxReplicas", "imagePullConnectionID", "resources", "modelVersion", "project", "entry",
                        "environment", "resourceProfile"},
}
IGNORED = {"Connection": {"reference", "webUILink", "region", "role"}, "ModelTraining": {"toolchain", "resources", "reference"},
           "ModelPackaging": {"arguments"}, "ModelDeployment": {"maxReplicas", "imagePullConnectionID", "resources"}}


class ManifestError(Exception):
    pass


def path_of(kind, ident, spec):
    """Where the portal keeps what a document describes."""
    return {"Connection": f"/api/v1/credentials/{ident}",
            "ModelTraining": f"/api/v1/trainings/{spec.get('project') or spec.get('vcsName')}/{ident}",
            "ModelPackaging": f"/api/v1/packages/{ident}", "ModelDeployment": f"/api/v1/deployments/{ident}"}[kind]


def add_commands(nouns):
    for name, run, text in (("apply", cmd_apply, "create or update what the manifests describe (idempotent)"),
                            ("get", cmd_get, "show what the manifests describe, as it is now"),
                            ("delete", cmd_delete, "remove what the manifests describe")):
        p = nouns.add_parser(name, help=text, description=text + ". Kinds: Connection, ModelTraining, ModelPackaging, ModelDeployment.")
        p.add_argument("-f", "--file", required=True, action="append", help="a YAML file of one or more documents (repeat for more)")
        if name == "apply":
            p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
            p.add_argument("--no-wait", action="store_true", help="do not wait for trainings and packages to end")
        p.set_defaults(run=run)


def load(paths):
    """The documents of the files as (kind, id, spec, where) in dependency order; every problem at once, with its line."""
    try:
        import yaml
    except ImportError:
        raise ManifestError("manifests need PyYAML: apt-get install python3-yaml") from None
    found, problems, notes = [], [], []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                nodes = list(yaml.compose_all(f))
        except (OSError, yaml.YAMLError) as e:
            problems.append(f"{path}: {e}")
            continue
        for node in nodes:
            if node is None:
                continue
            where = f"{path}:{node.start_mark.line + 1}"
            doc = yaml.safe_load(yaml.serialize(node))
            if not isinstance(doc, dict):
                problems.append(f"{where}: a manifest is a mapping with kind, id and spec")
                continue
            kind, ident, spec = doc.get("kind"), doc.get("id") or (doc.get("metadata") or {}).get("name"), doc.get("spec")
            if kind not in KEYS:
                problems.append(f"{where}: kind '{kind}' is not one of {', '.join(ORDER)}")
                continue
            if not isinstance(ident, str) or not ident:
                problems.append(f"{where}: the {kind} needs an id")
                continue
            if not isinstance(spec, dict):
                problems.append(f"{where}: the {kind} '{ident}' needs a spec mapping")
                continue
            lines = {k.value: v.start_mark.line + 1 for k, v in _spec_node(node)}
            for key in spec:
                if key not in KEYS[kind]:
                    problems.append(f"{path}:{lines.get(key, '?')}: {kind} '{ident}' has no key '{key}' (known: {', '.join(sorted(KEYS[kind]))})")
                elif key in IGNORED[kind]:
                    notes.append(f"{path}:{lines.get(key, '?')}: {kind} '{ident}': '{key}' has no counterpart here and is left out")
            problems += [f"{path}:{lines.get(key, node.start_mark.line + 1)}: {kind} '{ident}': {message}" for key, message in check(kind, spec)]
            found.append((kind, ident, spec, where))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if problems:
        raise ManifestError("nothing was changed; fix these first:\n  " + "\n  ".join(problems))
    return sorted(found, key=lambda d: ORDER.index(d[0]))


def _spec_node(node):
    for key, value in node.value:
        if key.value == "spec" and hasattr(value, "value") and isinstance(value.value, list):
            return value.value
    return []


def check(kind, spec):
    """(the spec key it is about, or None, and the problem) for each problem of one document."""
    problems = []
    need = {"Connection": ["type", "uri"], "ModelTraining": ["entrypoint"], "ModelPackaging": ["artifactName", "integrationName", "project"],
            "ModelDeployment": []}[kind]
    problems += [(None, f"spec.{k} is required") for k in need if not spec.get(k)]
    if kind == "Connection":
        for key in ("password", "keySecret"):
            if spec.get(key) is not None and _secret(spec[key]) is None:
                problems.append((key, f"spec.{key} must be base64 (as in ODAHU)"))
    if kind == "ModelTraining" and not (spec.get("project") or spec.get("vcsName")):
        problems.append((None, "name the project (spec.project, or spec.vcsName for a project of that name)"))
    if kind == "ModelPackaging" and spec.get("integrationName") not in (None, "docker-rest", "docker-cli"):
        problems.append(("integrationName", f"spec.integrationName '{spec['integrationName']}' is not docker-rest or docker-cli"))
    if kind == "ModelDeployment" and not spec.get("image") and not (spec.get("modelVersion") and spec.get("project")):
        problems.append((None, "give spec.image (a package) or spec.modelVersion with spec.project"))
    if kind == "ModelDeployment" and spec.get("minReplicas") is not None and not isinstance(spec["minReplicas"], int):
        problems.append(("minReplicas", "spec.minReplicas must be a whole number"))
    return problems


def _secret(value):
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


class Applier:
    def __init__(self, portal, dry_run=False, wait=True):
        self.portal, self.dry_run, self.wait = portal, dry_run, wait
        self.plan = []

    def say(self, kind, ident, action, detail=""):
        self.plan.append({"kind": kind, "id": ident, "action": action, "detail": detail})
        print(f"{kind}/{ident}: {action}{' (' + detail + ')' if detail else ''}", file=sys.stderr)

    def find(self, getter):
        try:
            return getter()
        except PortalError as e:
            if e.status == 404:
                return None
            raise

    # -- Connection -> credential
    def connection(self, ident, spec):
        body = dict(name=ident, kind=spec["type"], uri=spec["uri"], desc=spec.get("description"),
                    details={"username": spec["username"]} if spec.get("username") else {})
        current = self.find(lambda: self.portal.http.get(path_of("Connection", ident, spec)))
        if current and current["kind"] == body["kind"] and current.get("uri") == body["uri"] and (current.get("desc") or None) == body["desc"] \
                and {k: v for k, v in (current.get("details") or {}).items() if v is not None} == body["details"]:
            return self.say("Connection", ident, "unchanged", "the secret is not compared: the portal never shows it")
        secret = _secret(spec.get("password") or spec.get("keySecret") or "") or ""
        if self.dry_run:
            return self.say("Connection", ident, "update" if current else "create")
        if current:
            self.portal.http.put(f"/api/v1/credentials/{ident}", dict(body, secret=secret or None))
            return self.say("Connection", ident, "updated")
        self.portal.create_credential(ident, body["kind"], secret, body["uri"], body["desc"], body["details"])
        self.say("Connection", ident, "created")

    # -- ModelTraining -> training
    def training(self, ident, spec):
        project = spec.get("project") or spec["vcsName"]
        notebook = "/".join(p.strip("/") for p in (spec.get("workDir"), spec["entrypoint"]) if p)
        model = (spec.get("model") or {}).get("name")
        datasets = [d.get("dataset") or f"{model}/{d.get('connName')}" for d in spec.get("data") or []]
        params = spec.get("hyperParameters") or {}
        current = self.find(lambda: self.portal.http.get(path_of("ModelTraining", ident, spec)))
        if current:
            same = current["notebook"] == notebook and current.get("parameters", {}) == params \
                and sorted(f"{d['model']}/{d['name']}" for d in current.get("datasets", [])) == sorted(datasets)
            if not same:
                raise ManifestError(f"ModelTraining '{ident}' exists in {project} with another spec; a training is a run: give this one another id")
            return self.say("ModelTraining", ident, "unchanged", current["state"])
        if self.dry_run:
            return self.say("ModelTraining", ident, "create", f"{project}/{notebook}")
        run = self.portal.train(project, notebook, ident, params or None, datasets or None, spec.get("resourceProfile"))
        self.say("ModelTraining", ident, "created", f"{project}/{notebook}")
        if self.wait:
            state = run.wait()
            if state != "FINISHED":
                raise ManifestError(f"ModelTraining '{ident}' {state}: {run.data.get('message') or 'see portal train logs ' + ident}")
            self.say("ModelTraining", ident, "finished")

    # -- ModelPackaging -> package
    def packaging(self, ident, spec):
        kind = "cli" if spec["integrationName"] == "docker-cli" else "rest"
        registry = credential = None
        for target in spec.get("targets") or []:
            conn = self.find(lambda: self.portal.http.get(f"/api/v1/credentials/{target.get('connectionName')}"))
            if conn is None and not self.dry_run:
                raise ManifestError(f"ModelPackaging '{ident}': there is no connection '{target.get('connectionName')}'")
            if conn:
                registry, credential = conn["uri"], conn["name"]
        current = self.find(lambda: self.portal.http.get(path_of("ModelPackaging", ident, spec)))
        if current:
            if current.get("model_version") != spec["artifactName"] or current["kind"] != kind:
                raise ManifestError(f"ModelPackaging '{ident}' exists with another version or kind; give this one another id")
            return self.say("ModelPackaging", ident, "unchanged", current["state"])
        if self.dry_run:
            return self.say("ModelPackaging", ident, "create", f"{spec['artifactName']} as {kind}")
        self.portal.package(spec["artifactName"], spec["project"], spec.get("entry") or "predict.py", kind, ident, registry=registry, credential=credential)
        self.say("ModelPackaging", ident, "created", f"{spec['artifactName']} as {kind}")
        if self.wait:
            while (p := self.portal.http.get(f"/api/v1/packages/{ident}"))["state"] not in ("FINISHED", "FAILED", "CANCELLED"):
                time.sleep(1)
            if p["state"] != "FINISHED":
                raise ManifestError(f"ModelPackaging '{ident}' {p['state']}: {p.get('message')}")
            self.say("ModelPackaging", ident, "finished", p["image"])

    # -- ModelDeployment -> deployment
    def deployment(self, ident, spec):
        package = None
        if spec.get("image"):
            found = [p for p in self.portal.packages() if spec["image"] in (p["name"], p["image"])]
            package = found[0]["name"] if found else spec["image"]
        replicas = spec.get("minReplicas") or 1
        current = self.find(lambda: self.portal.deployment(ident))
        if current:
            if (package and current.get("package") != package) or (not package and current.get("model_version") != spec.get("modelVersion")):
                raise ManifestError(f"ModelDeployment '{ident}' serves something else; remove it first or give this one another id")
            if current["replicas"] == replicas:
                return self.say("ModelDeployment", ident, "unchanged")
            if not self.dry_run:
                self.portal.scale(ident, replicas)
            return self.say("ModelDeployment", ident, "scaled" if not self.dry_run else "scale", f"{current['replicas']} -> {replicas}")
        if self.dry_run:
            return self.say("ModelDeployment", ident, "create", package or spec.get("modelVersion"))
        self.portal.deploy(ident, spec.get("project"), spec.get("modelVersion"), spec.get("entry") or (None if package else "predict.py"),
                           spec.get("environment"), replicas, spec.get("resourceProfile"), package=package)
        self.say("ModelDeployment", ident, "created", package or spec.get("modelVersion"))

    def apply(self, docs):
        for kind, ident, spec, _ in docs:
            {"Connection": self.connection, "ModelTraining": self.training, "ModelPackaging": self.packaging,
             "ModelDeployment": self.deployment}[kind](ident, spec)
        return self.plan


def cmd_apply(a):
    plan = Applier(Portal(), a.dry_run, not a.no_wait).apply(load(a.file))
    if a.output != "table":
        show(plan, a.output)
    return 0


def cmd_get(a):
    portal = Portal()
    docs = load(a.file)
    found = []
    for kind, ident, spec, _ in docs:
        try:
            found.append({"kind": kind, "id": ident, "state": portal.http.get(path_of(kind, ident, spec))})
        except PortalError as e:
            found.append({"kind": kind, "id": ident, "state": None, "problem": str(e)})
    show(found if a.output != "table" else [{"kind": f["kind"], "id": f["id"], "state": (f["state"] or {}).get("state", "present" if f["state"] else "absent")}
                                            for f in found], a.output)
    return 0


def cmd_delete(a):
    portal = Portal()
    docs = load(a.file)
    for kind, ident, spec, _ in reversed(docs):
        if kind == "ModelTraining":
            print(f"{kind}/{ident}: kept (a training is a record of a run; remove it from the portal if you must)", file=sys.stderr)
            continue
        try:
            portal.http.delete(path_of(kind, ident, spec))
            print(f"{kind}/{ident}: deleted", file=sys.stderr)
        except PortalError as e:
            if e.status != 404:
                raise
            print(f"{kind}/{ident}: absent", file=sys.stderr)
    return 0
