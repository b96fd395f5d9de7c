"""portal: the MLOps portal from the command line. Nouns and verbs follow Noronha's nha (proj, model, ds, train,
movers, depl, note, creds, bvers); `portal apply -f` takes ODAHU-style manifests."""
import argparse
import getpass
import json
import sys

from portal_client import Portal, PortalError, config
from portal_client.http import Http

from . import manifests
from .output import show


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args) or 0
    except (PortalError, manifests.ManifestError) as e:
        print(f"portal: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser():
    parser = argparse.ArgumentParser(prog="portal", description="Drive the MLOps portal from scripts and CI.", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", choices=["table", "json", "yaml"], default="table", help="how answers are printed (default: table)")
    nouns = parser.add_subparsers(title="commands", metavar="COMMAND")

    login = nouns.add_parser("login", help="check a personal access token and keep it in ~/.portal/cli.yaml",
                             description="Checks a personal access token against the portal (GET /api/v1/me) and saves the address and token, "
                                         "readable by you only, in ~/.portal/cli.yaml. PORTAL_URL and PORTAL_TOKEN override what is saved.")
    login.add_argument("url", help="the portal's address, e.g. https://portal.example.com")
    login.add_argument("--token", help="the token (default: PORTAL_TOKEN, else asked for without echo)")
    login.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    login.set_defaults(run=cmd_login)
    nouns.add_parser("whoami", help="the signed-in user and roles", description="The user the token belongs to, and its roles.") \
        .set_defaults(run=lambda a: show(client().me(), a.output))
    nouns.add_parser("completion", help="print the bash completion script",
                     description='Prints the bash completion script: eval "$(portal completion)" in ~/.bashrc.').set_defaults(run=cmd_completion)

    proj = noun(nouns, "proj", "projects (home directory, git repository or docker repository)")
    verb(proj, "list", "list the projects you can see", lambda a: show(client().projects(), a.output, ["name", "home_dir", "git_repo", "models"]))
    verb(proj, "info", "show a project", lambda a: show(client().project(a.name), a.output), name="the project")
    p = verb(proj, "new", "register a project", lambda a: show(client().create_project(a.name, a.home_dir, a.git_repo, a.docker_repo, a.models, a.desc),
                                                                a.output), name="a lower-case name: letters, digits and dashes")
    project_options(p)
    p = verb(proj, "update", "change a project (what is not given stays)",
             lambda a: show(client().update_project(a.name, home_dir=a.home_dir, git_repo=a.git_repo, docker_repo=a.docker_repo, models=a.models,
                                                    desc=a.desc), a.output), name="the project")
    project_options(p)
    verb(proj, "rm", "remove a project (refused while trainings or deployments use it)", lambda a: client().delete_project(a.name),
         name="the project")
    p = verb(proj, "build", "build the project's image (a build version)", cmd_build, name="the project")
    p.add_argument("--tag", help="image tag (default latest)")
    p.add_argument("--from", dest="source", choices=["local", "git", "pre-built"], default="local",
                   help="the home directory's Dockerfile (default), the git repository at --git-ref, or the project's docker repository")
    p.add_argument("--git-ref", help="branch, tag or commit for --from git")
    p.add_argument("--credential", help="a vault credential for a private repository or registry")
    p.add_argument("--dockerfile", help="the Dockerfile's path inside the source (default Dockerfile)")
    p.add_argument("--follow", action="store_true", help="stream the build log; exit 0 when it succeeds, 1 otherwise")

    bvers = noun(nouns, "bvers", "build versions (the images of a project)")
    verb(bvers, "list", "the project's images, newest first", lambda a: show(client().builds(a.project), a.output,
                                                                              ["tag", "image", "built_from", "git_version", "built_at"]),
         project="the project")

    model = noun(nouns, "model", "models")
    verb(model, "list", "list the models", lambda a: show(client().models(), a.output, ["name", "desc"]))
    verb(model, "info", "show a model", lambda a: show(client().model(a.name), a.output), name="the model")
    p = verb(model, "new", "register a model", lambda a: show(client().create_model(a.name, a.desc), a.output),
             name="a lower-case name: letters, digits and dashes")
    p.add_argument("--desc", help="what it predicts")
    verb(model, "rm", "remove a model (refused while it has versions)", lambda a: client().delete_model(a.name), name="the model")

    ds = noun(nouns, "ds", "datasets of a model")
    p = verb(ds, "list", "list datasets", lambda a: show(client().datasets(a.model), a.output, ["model", "name", "stored", "compressed", "created_at"]))
    p.add_argument("--model", help="only this model's")
    p = verb(ds, "new", "upload a file or a folder as a dataset",
             lambda a: show(client().create_dataset(a.model, a.name, a.path, a.compress, a.details), a.output), name="the dataset's name")
    p.add_argument("--model", required=True, help="the model it belongs to")
    p.add_argument("--path", required=True, help="a file, or a folder whose files are uploaded")
    p.add_argument("--compress", action="store_true", help="store as one archive")
    p.add_argument("--details", help="JSON object")
    p = verb(ds, "rm", "remove a dataset (refused while a training or version uses it)", lambda a: client().delete_dataset(a.model, a.name),
             name="the dataset")
    p.add_argument("--model", required=True, help="the model it belongs to")
    p = verb(ds, "download", "download a dataset", lambda a: print(client().download_dataset(a.model, a.name, a.to or a.name)), name="the dataset")
    p.add_argument("--model", required=True, help="the model it belongs to")
    p.add_argument("--to", help="where: the archive file of a compressed dataset, else a folder (default NAME)")

    train = noun(nouns, "train", "trainings (parameterized notebooks in containers)")
    p = verb(train, "new", "run a project's notebook with parameters", cmd_train_new)
    launch_options(p, 'JSON object of the notebook\'s parameters, e.g. \'{"n_estimators": 50}\'')
    p.add_argument("--name", help="the training's name (default: made up)")
    p.add_argument("--pretrained", help="model/version to start from")
    p.add_argument("--follow", action="store_true", help="stream the log; exit 0 when it finishes, 1 otherwise")
    p = verb(train, "list", "list trainings, newest first",
             lambda a: show([t.data for t in client().trainings(a.project)], a.output, ["project", "name", "state", "progress", "created_at"]))
    p.add_argument("--project", help="only this project's")
    for name, text, run in (("info", "show a training: state, progress, metrics", lambda a: show(client().training(a.project, a.name).data, a.output)),
                            ("cancel", "stop a training", lambda a: show(client().training(a.project, a.name).cancel().data, a.output)),
                            ("logs", "print a training's log", cmd_train_logs)):
        p = verb(train, name, text, run, name="the training")
        p.add_argument("--project", required=True, help="the training's project")
        if name == "logs":
            p.add_argument("--follow", action="store_true", help="keep printing until it ends; exit 0 when it finishes, 1 otherwise")
    p = verb(train, "metrics", "each metric a training logged over steps (log_metric)", cmd_train_metrics, name="the training")
    p.add_argument("--project", required=True, help="the training's project")
    p = verb(train, "compare", "2 to 50 trainings side by side: parameters, final metrics, what differs", cmd_train_compare)
    p.add_argument("runs", nargs="+", help="trainings as project/training")

    batch = noun(nouns, "batch", "batch jobs: a model version scores a dataset; the predictions become a dataset")
    p = verb(batch, "new", "score a dataset with a model version", cmd_batch_new)
    p.add_argument("--version", required=True, help="model/version to score with")
    p.add_argument("--dataset", required=True, help="model/dataset to score (its .csv and .json files)")
    p.add_argument("--project", help="whose prediction code scores (default: the project that trained the version)")
    p.add_argument("--entry", help="the prediction code in the project (default: predict.py)")
    p.add_argument("--into", dest="output_dataset", help="the predictions' dataset name (default: {dataset}-by-{version})")
    p.add_argument("--name", help="the job's name (default: made up)")
    p.add_argument("--profile", help="resource profile")
    p.add_argument("--build-tag", help="the project's image to score in")
    p.add_argument("--follow", action="store_true", help="stream the log; exit 0 when it finishes, 1 otherwise")
    p = verb(batch, "list", "list batch jobs, newest first",
             lambda a: show([t.data for t in client().batch_jobs(a.project)], a.output, ["project", "name", "state", "pretrained", "scored_into"]))
    p.add_argument("--project", help="only this project's")

    sweep = noun(nouns, "sweep", "sweeps: a grid or random search over a notebook's parameters, one training per trial")
    p = verb(sweep, "new", "start a sweep", cmd_sweep_new)
    launch_options(p, "JSON object of parameters every trial gets")
    p.add_argument("--spec", required=True, help="the search as YAML/JSON text, or @FILE to read it from a file")
    p.add_argument("--objective", required=True, help="the metric that judges the trials, as the notebook logs it")
    p.add_argument("--minimize", action="store_true", help="the lowest objective is best (default: the highest)")
    p.add_argument("--max-parallel", type=int, help="trainings at once (default 2)")
    p.add_argument("--target", type=float, help="end the sweep when a trial reaches this")
    p.add_argument("--name", help="the sweep's name (default: made up); trial n is NAME-n")
    p = verb(sweep, "list", "list sweeps, newest first",
             lambda a: show(client().sweeps(a.project), a.output, ["project", "name", "state", "launched", "trials", "best_training", "best_value"]))
    p.add_argument("--project", help="only this project's")
    for name, text, run in (("info", "show a sweep and its trials", cmd_sweep_info),
                            ("stop", "stop a sweep; its trials still going are cancelled", lambda a: show(client().stop_sweep(a.project, a.name), a.output)),
                            ("promote-best", "promote the best run's version to the next environment",
                             lambda a: show(client().promote_best(a.project, a.name, a.env, a.comment), a.output))):
        p = verb(sweep, name, text, run, name="the sweep")
        p.add_argument("--project", required=True, help="the sweep's project")
        if name == "promote-best":
            p.add_argument("--env", help="the environment (default: the next one)")
            p.add_argument("--comment", help="why (default: names the sweep and the run)")

    schedule = noun(nouns, "schedule", "schedules: a training on a cron schedule")
    p = verb(schedule, "new", "schedule a training", lambda a: show(client().create_schedule(
        a.project, a.name, a.cron, a.nb, a.tz, a.params, a.dataset, a.newest_dataset_of, a.profile, a.build_tag, None, a.allow_overlap), a.output),
        name="a lower-case name; runs are NAME-yyyyMMdd-HHmm")
    launch_options(p, "JSON object of the notebook's parameters")
    p.add_argument("--cron", required=True, help="five fields: minute hour day month weekday, e.g. '0 3 * * *'")
    p.add_argument("--tz", help="IANA time zone of the cron (default UTC)")
    p.add_argument("--newest-dataset-of", help="a model whose newest dataset each run gets")
    p.add_argument("--allow-overlap", action="store_true", help="start even while the last run is going (default: skip that time)")
    p = verb(schedule, "list", "list schedules",
             lambda a: show(client().schedules(a.project), a.output, ["project", "name", "cron", "time_zone", "paused", "next_run_at", "last_run_at"]))
    p.add_argument("--project", help="only this project's")
    for name, text, run in (("info", "show a schedule: next times, history, runs", cmd_schedule_info),
                            ("pause", "pause a schedule", lambda a: show(client().pause_schedule(a.project, a.name), a.output)),
                            ("resume", "resume a schedule from now", lambda a: show(client().resume_schedule(a.project, a.name), a.output)),
                            ("rm", "delete a schedule (its runs stay)", lambda a: client().delete_schedule(a.project, a.name))):
        p = verb(schedule, name, text, run, name="the schedule")
        p.add_argument("--project", required=True, help="the schedule's project")

    movers = noun(nouns, "movers", "model versions")
    verb(movers, "list", "a model's versions, newest first",
         lambda a: show(client().versions(a.model), a.output, ["model", "name", "training", "dataset", "created_at"]), model="the model")
    p = verb(movers, "info", "show a version: files, training, dataset, promotions", lambda a: show(client().version(a.model, a.name), a.output),
             name="the version")
    p.add_argument("--model", required=True, help="the version's model")
    p = verb(movers, "promote", "promote a version to the next environment",
             lambda a: show(client().promote(a.model, a.name, a.env, a.comment), a.output), name="the version")
    p.add_argument("--model", required=True, help="the version's model")
    p.add_argument("--env", required=True, help="the next environment")
    p.add_argument("--comment", help="why, for the audit log")
    p = verb(movers, "download", "download a version's files",
             lambda a: print(client().download_version(a.model, a.name, a.to or a.name)), name="the version")
    p.add_argument("--model", required=True, help="the version's model")
    p.add_argument("--to", help="where: the archive file of a compressed version, else a folder (default NAME)")
    p = verb(movers, "upload", "publish a file or folder as a new version",
             lambda a: show(client().upload_version(a.model, a.path, a.name, a.details), a.output))
    p.add_argument("--model", required=True, help="the model")
    p.add_argument("--path", required=True, help="a file, or a folder whose files are uploaded")
    p.add_argument("--name", help="the version's name (default: the next number)")
    p.add_argument("--details", help="JSON object")

    depl = noun(nouns, "depl", "deployments behind the model router")
    p = verb(depl, "new", "serve a model version (or a rest package) behind /model/NAME/",
             lambda a: show(client().deploy(a.name, a.project, a.movers, a.entry, a.env, a.replicas, a.profile, a.build_tag, package=a.package),
                            a.output), name="a lower-case name: letters, digits and dashes")
    p.add_argument("--project", help="the project with the prediction code")
    p.add_argument("--movers", help="model/version to serve")
    p.add_argument("--entry", help="prediction code (default predict.py)")
    p.add_argument("--env", help="environment (default the first)")
    p.add_argument("--replicas", type=int, default=1, help="how many copies (default 1)")
    p.add_argument("--profile", help="resource profile")
    p.add_argument("--build-tag", help="the project's image to serve from")
    p.add_argument("--package", help="serve a rest package's image instead")
    verb(depl, "list", "list deployments", lambda a: show(client().deployments(), a.output,
                                                          ["name", "project", "model_version", "environment", "replicas", "state"]))
    verb(depl, "info", "show a deployment: replicas, state, version", lambda a: show(client().deployment(a.name), a.output), name="the deployment")
    p = verb(depl, "scale", "change how many replicas serve", lambda a: show(client().scale(a.name, a.replicas), a.output), name="the deployment")
    p.add_argument("replicas", type=int, help="the new count (0 stops it)")
    p = verb(depl, "switch", "serve another version of the same model", lambda a: show(client().switch(a.name, a.movers), a.output),
             name="the deployment")
    p.add_argument("movers", help="model/version")
    verb(depl, "rm", "remove a deployment and its replicas", lambda a: client().delete_deployment(a.name), name="the deployment")
    p = verb(depl, "logs", "print the replicas' output", cmd_depl_logs, name="the deployment")
    p.add_argument("--follow", action="store_true", help="keep printing as the replicas write (Ctrl-C to stop)")

    creds = noun(nouns, "creds", "credentials in the vault (Noronha's treasure chests, ODAHU's connections)")
    verb(creds, "list", "list the credentials you may use (never their secrets)",
         lambda a: show(client().credentials(), a.output, ["name", "kind", "owner", "uri"]))
    p = verb(creds, "new", "store a credential", cmd_creds_new, name="a lower-case name: letters, digits and dashes")
    p.add_argument("--kind", required=True, choices=["git", "docker", "ecr", "s3", "gcs", "azureblob", "basic"], help="what it is for")
    p.add_argument("--uri", help="the address it may be sent to")
    p.add_argument("--username", help="the user name that goes with the secret")
    p.add_argument("--secret-stdin", action="store_true", help="read the secret from standard input (default: asked for)")
    verb(creds, "rm", "remove a credential", lambda a: client().delete_credential(a.name), name="the credential")

    note = nouns.add_parser("note", help="open a Jupyter IDE session and print its address",
                            description="Opens (or finds) your Jupyter IDE session and prints its address. The session gets a one-day token "
                                        "for you, so 'from portal_client import Portal' works in its notebooks.")
    note.add_argument("--image", help="an image offered for IDE sessions (default: the notebook image)")
    note.add_argument("--profile", help="resource profile")
    note.add_argument("--dataset", action="append", help="model/dataset to mount (repeat for more)")
    note.set_defaults(run=lambda a: show(client().open_ide(None, a.image, a.profile, a.dataset), a.output))

    manifests.add_commands(nouns)
    return parser


EPILOG = """The portal and token come from PORTAL_URL and PORTAL_TOKEN, else from 'portal login'.

examples:
  portal login https://portal.example.com
  portal ds new iris --model iris-clf --path ./data
  portal train new --project iris --nb train.ipynb --params '{"n_estimators": 50}' --dataset iris-clf/iris --follow
  portal depl new iris-api --project iris --movers iris-clf/1
  portal apply -f manifests.yaml --dry-run

Exit codes: 0 done, 1 the portal refused or the run failed, 2 a usage error."""


def noun(nouns, name, help_text):
    p = nouns.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
    sub = p.add_subparsers(title="verbs", metavar="VERB")
    p.set_defaults(run=lambda a, p=p: (p.print_help(), 2)[1])
    return sub


def verb(sub, verb_name, help_text, run, /, **positional):
    """A verb with its help, and its positional arguments as name=help."""
    p = sub.add_parser(verb_name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
    for arg, text in positional.items():
        p.add_argument(arg, help=text)
    p.set_defaults(run=run)
    return p


def json_object(text):
    try:
        value = json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not JSON ({e})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("a JSON object is needed, like '{\"n_estimators\": 50}'")
    return value


def launch_options(p, params_help):
    """What launches a notebook: train new, sweep new and schedule new take the same options."""
    p.add_argument("--project", required=True, help="the project whose notebook runs")
    p.add_argument("--nb", required=True, help="the notebook, relative to the project")
    p.add_argument("--params", type=json_object, help=params_help)
    p.add_argument("--dataset", action="append", help="model/dataset to mount (repeat for more)")
    p.add_argument("--profile", help="resource profile")
    p.add_argument("--build-tag", help="the project's image to run in (default: the notebook image)")


def project_options(p):
    p.add_argument("--home-dir", help="a folder on the portal's host with the notebooks")
    p.add_argument("--git-repo", help="the repository's address")
    p.add_argument("--docker-repo", help="a pre-built image's repository")
    p.add_argument("--model", dest="models", action="append", help="a model of the project (repeat for more)")
    p.add_argument("--desc", help="what the project is for")


def client():
    return Portal()


def cmd_login(a):
    token = a.token or (sys.stdin.readline().strip() if a.token_stdin else None) or config.load()["token"]
    if not token:
        token = getpass.getpass("Personal access token (Account page → Access tokens): ").strip()
    me = Http(a.url, token).get("/api/v1/me")
    config.save(a.url, token)
    print(f"Signed in to {a.url} as {me['name']} ({', '.join(me.get('roles', []))}); saved in {config.PATH}")


def cmd_build(a):
    run = client().build(a.name, a.tag, "pre_built" if a.source == "pre-built" else a.source, a.git_ref, a.credential, a.dockerfile)
    return _followed(run, a) if a.follow else show(run.data, a.output)


def _followed(run, a):
    """Streams a run's log and says how it ended; exit 0 on success, 1 otherwise."""
    title = str(run)[:1].upper() + str(run)[1:]
    print(f"{title} started; following its log.", file=sys.stderr)
    state = run.follow()
    print(f"{title} {state}" + (f": {run.data['message']}" if run.data.get("message") and state not in ("FINISHED", "SUCCEEDED") else "."),
          file=sys.stderr)
    return 0 if state in ("FINISHED", "SUCCEEDED") else 1


def cmd_train_new(a):
    run = client().train(a.project, a.nb, a.name, a.params, a.dataset, a.profile, a.build_tag, a.pretrained)
    return _followed(run, a) if a.follow else show(run.data, a.output)


def cmd_train_logs(a):
    run = client().training(a.project, a.name)
    if not a.follow:
        print(run.log() or "", end="")
        return 0
    return 0 if run.follow() == "FINISHED" else 1


def cmd_train_metrics(a):
    series = client().metrics(a.project, a.name)
    if a.output != "table":
        return show(series, a.output)
    rows = [{"metric": m, "steps": len(points), "first": points[0]["value"], "last": points[-1]["value"],
             "min": min(p["value"] for p in points), "max": max(p["value"] for p in points)} for m, points in series.items() if points]
    return show(rows, a.output, ["metric", "steps", "first", "last", "min", "max"])


def cmd_train_compare(a):
    compared = client().compare(a.runs)
    if a.output != "table":
        return show(compared, a.output)
    differing = set(compared["differing_parameters"]) | set(compared["differing_metrics"])
    rows = []
    for key, kind in [(p, "parameters") for p in compared["parameters"]] + [(m, "metrics") for m in compared["metrics"]]:
        row = {"": ("* " if key in differing else "  ") + key}
        for run in compared["runs"]:
            value = run[kind].get(key)
            row[f"{run['project']}/{run['name']}"] = "—" if value is None else value
        rows.append(row)
    return show(rows, a.output, [""] + [f"{r['project']}/{r['name']}" for r in compared["runs"]])


def cmd_batch_new(a):
    run = client().score(a.version, a.dataset, a.project, a.entry, a.output_dataset, a.name, a.profile, a.build_tag)
    return _followed(run, a) if a.follow else show(run.data, a.output)


def cmd_sweep_new(a):
    spec = a.spec
    if spec.startswith("@"):
        with open(spec[1:], encoding="utf-8") as f:
            spec = f.read()
    sweep = client().start_sweep(a.project, a.nb, spec, a.objective, a.name, "minimize" if a.minimize else None, a.max_parallel, a.target,
                                 a.params, a.dataset, a.profile, a.build_tag)
    return show(sweep, a.output)


def cmd_sweep_info(a):
    detail = client().sweep(a.project, a.name)
    if a.output != "table":
        return show(detail, a.output)
    s = detail["sweep"]
    best = f"{s['best_training']} ({s['objective']} {s['best_value']})" if s["best_training"] else "none yet"
    print(f"{s['project']}/{s['name']}: {s['state']}, {s['launched']} of {s['trials']} launched, best {best}")
    if s.get("message"):
        print(s["message"])
    names = sorted({k for t in detail["trials"] for k in t["parameters"]})
    rows = [{"#": t["number"], "training": t["training"] + (" *" if t["best"] else ""), **{n: t["parameters"].get(n) for n in names},
             s["objective"]: t["objective"], "state": t["state"]} for t in detail["trials"]]
    return show(rows, a.output, ["#", "training"] + names + [s["objective"], "state"])


def cmd_schedule_info(a):
    detail = client().schedule(a.project, a.name)
    if a.output != "table":
        return show(detail, a.output)
    s = detail["schedule"]
    print(f"{s['project']}/{s['name']}: '{s['cron']}' ({s['time_zone']}), " + ("paused" if s["paused"] else "next " + ", ".join(s["upcoming"])))
    return show(s["history"], a.output, ["at", "outcome", "training", "message"])


def cmd_depl_logs(a):
    log = client().deployment_log(a.name, a.follow)
    if not a.follow:
        print(log or "", end="")


def cmd_creds_new(a):
    secret = sys.stdin.readline().rstrip("\n") if a.secret_stdin else getpass.getpass("Secret: ")
    details = {"username": a.username} if a.username else {}
    show(client().create_credential(a.name, a.kind, secret, a.uri, details=details), a.output)


def cmd_completion(_):
    print(completion(build_parser()))


def completion(parser):
    """The bash completion script, made from the parser so that it names every command and verb there is."""
    nouns = _choices(parser)
    cases = "\n".join(f"         {name}) words=\"{' '.join(_choices(sub))}\" ;;" for name, sub in nouns.items() if _choices(sub))
    return f"""_portal() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} words
  case $COMP_CWORD in
    1) words="{' '.join(nouns)}" ;;
    2) case ${{COMP_WORDS[1]}} in
{cases}
       esac ;;
  esac
  [ -n "$words" ] && COMPREPLY=($(compgen -W "$words -o --output --help" -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur"))
}}
complete -F _portal portal"""


def _choices(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


if __name__ == "__main__":
    sys.exit(main())
