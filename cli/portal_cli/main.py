"""portal: the MLOps portal from the command line. Nouns and verbs follow Noronha's nha (proj, model, ds, train,
movers, depl, note, creds, bvers); `portal apply -f` takes ODAHU-style manifests."""
import argparse
import getpass
import json
import sys

from portal_client import ENDED, Portal, PortalError, config
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
    parser = argparse.ArgumentParser(prog="portal", description="Drive the MLOps portal from scripts and CI.",
                                     epilog="The portal and token come from PORTAL_URL and PORTAL_TOKEN, else from 'portal login'.")
    parser.add_argument("-o", "--output", choices=["table", "json", "yaml"], default="table", help="how answers are printed (default: table)")
    nouns = parser.add_subparsers(title="commands", metavar="COMMAND")

    login = nouns.add_parser("login", help="check a personal access token and keep it in ~/.portal/cli.yaml")
    login.add_argument("url", help="the portal's address, e.g. https://portal.example.com")
    login.add_argument("--token", help="the token (default: PORTAL_TOKEN, else asked for without echo)")
    login.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    login.set_defaults(run=cmd_login)
    nouns.add_parser("whoami", help="the signed-in user and roles").set_defaults(run=lambda a: show(client().me(), a.output))
    nouns.add_parser("completion", help="print the bash completion script (eval \"$(portal completion)\")").set_defaults(run=cmd_completion)

    proj = noun(nouns, "proj", "projects (home directory, git repository or docker repository)")
    verb(proj, "list", lambda a: show(client().projects(), a.output, ["name", "home_dir", "git_repo", "models"]))
    verb(proj, "info", lambda a: show(client().project(a.name), a.output), "name")
    p = verb(proj, "new", lambda a: show(client().create_project(a.name, a.home_dir, a.git_repo, a.docker_repo, a.models, a.desc), a.output), "name")
    project_options(p)
    p = verb(proj, "update", lambda a: show(client().update_project(a.name, home_dir=a.home_dir, git_repo=a.git_repo, docker_repo=a.docker_repo,
                                                                    models=a.models, desc=a.desc), a.output), "name")
    project_options(p)
    verb(proj, "rm", lambda a: client().delete_project(a.name), "name")
    p = verb(proj, "build", cmd_build, "name")
    p.add_argument("--tag", help="image tag (default latest)")
    p.add_argument("--from", dest="source", choices=["local", "git", "pre-built"], default="local", help="what to build from")
    p.add_argument("--git-ref", help="branch, tag or commit for --from git")
    p.add_argument("--credential", help="a vault credential for a private repository")

    bvers = noun(nouns, "bvers", "build versions (the images of a project)")
    verb(bvers, "list", lambda a: show(client().builds(a.project), a.output, ["tag", "image", "built_from", "git_version", "built_at"]), "project")

    model = noun(nouns, "model", "models")
    verb(model, "list", lambda a: show(client().models(), a.output, ["name", "desc"]))
    verb(model, "info", lambda a: show(client().model(a.name), a.output), "name")
    p = verb(model, "new", lambda a: show(client().create_model(a.name, a.desc), a.output), "name")
    p.add_argument("--desc")
    verb(model, "rm", lambda a: client().delete_model(a.name), "name")

    ds = noun(nouns, "ds", "datasets of a model")
    p = verb(ds, "list", lambda a: show(client().datasets(a.model), a.output, ["model", "name", "stored", "compressed", "created_at"]))
    p.add_argument("--model")
    p = verb(ds, "new", lambda a: show(client().create_dataset(a.model, a.name, a.path, a.compress, a.details), a.output), "name")
    p.add_argument("--model", required=True)
    p.add_argument("--path", required=True, help="a file, or a folder whose files are uploaded")
    p.add_argument("--compress", action="store_true", help="store as one archive")
    p.add_argument("--details", help="JSON object")
    p = verb(ds, "rm", lambda a: client().delete_dataset(a.model, a.name), "name")
    p.add_argument("--model", required=True)
    p = verb(ds, "download", lambda a: print(client().download_dataset(a.model, a.name, a.to or a.name)), "name")
    p.add_argument("--model", required=True)
    p.add_argument("--to", help="where: the archive file of a compressed dataset, else a folder (default NAME)")

    train = noun(nouns, "train", "trainings (parameterized notebooks in containers)")
    p = verb(train, "new", cmd_train_new)
    p.add_argument("--project", required=True)
    p.add_argument("--nb", required=True, help="the notebook, relative to the project")
    p.add_argument("--name")
    p.add_argument("--params", help="JSON object of the notebook's parameters")
    p.add_argument("--dataset", action="append", help="model/dataset to mount (repeat for more)")
    p.add_argument("--profile", help="resource profile")
    p.add_argument("--build-tag")
    p.add_argument("--pretrained", help="model/version to start from")
    p.add_argument("--follow", action="store_true", help="stream the log; exit 0 when it finishes, 1 otherwise")
    p = verb(train, "list", lambda a: show([t.data for t in client().trainings(a.project)], a.output, ["project", "name", "state", "progress", "created_at"]))
    p.add_argument("--project")
    for name, run in (("info", lambda a: show(client().training(a.project, a.name).data, a.output)),
                      ("cancel", lambda a: show(client().training(a.project, a.name).cancel().data, a.output)),
                      ("logs", cmd_train_logs)):
        p = verb(train, name, run, "name")
        p.add_argument("--project", required=True)
        if name == "logs":
            p.add_argument("--follow", action="store_true")

    movers = noun(nouns, "movers", "model versions")
    verb(movers, "list", lambda a: show(client().versions(a.model), a.output, ["model", "name", "training", "dataset", "created_at"]), "model")
    p = verb(movers, "info", lambda a: show(client().version(a.model, a.name), a.output), "name")
    p.add_argument("--model", required=True)
    p = verb(movers, "promote", lambda a: show(client().promote(a.model, a.name, a.env, a.comment), a.output), "name")
    p.add_argument("--model", required=True)
    p.add_argument("--env", required=True, help="the next environment")
    p.add_argument("--comment")
    p = verb(movers, "download", lambda a: print(client().download_version(a.model, a.name, a.to or a.name)), "name")
    p.add_argument("--model", required=True)
    p.add_argument("--to", help="where: the archive file of a compressed version, else a folder (default NAME)")
    p = verb(movers, "upload", lambda a: show(client().upload_version(a.model, a.path, a.name, a.details), a.output))
    p.add_argument("--model", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--name")
    p.add_argument("--details", help="JSON object")

    depl = noun(nouns, "depl", "deployments behind the model router")
    p = verb(depl, "new", lambda a: show(client().deploy(a.name, a.project, a.movers, a.entry, a.env, a.replicas, a.profile, a.build_tag,
                                                         package=a.package), a.output), "name")
    p.add_argument("--project")
    p.add_argument("--movers", help="model/version to serve")
    p.add_argument("--entry", help="prediction code (default predict.py)")
    p.add_argument("--env", help="environment (default the first)")
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--profile")
    p.add_argument("--build-tag")
    p.add_argument("--package", help="serve a rest package's image instead")
    verb(depl, "list", lambda a: show(client().deployments(), a.output, ["name", "project", "model_version", "environment", "replicas", "state"]))
    verb(depl, "info", lambda a: show(client().deployment(a.name), a.output), "name")
    p = verb(depl, "scale", lambda a: show(client().scale(a.name, a.replicas), a.output), "name")
    p.add_argument("replicas", type=int)
    p = verb(depl, "switch", lambda a: show(client().switch(a.name, a.movers), a.output), "name")
    p.add_argument("movers", help="model/version")
    verb(depl, "rm", lambda a: client().delete_deployment(a.name), "name")
    p = verb(depl, "logs", cmd_depl_logs, "name")
    p.add_argument("--follow", action="store_true", help="keep printing as the replicas write (Ctrl-C to stop)")

    creds = noun(nouns, "creds", "credentials in the vault (Noronha's treasure chests, ODAHU's connections)")
    verb(creds, "list", lambda a: show(client().credentials(), a.output, ["name", "kind", "owner", "uri"]))
    p = verb(creds, "new", cmd_creds_new, "name")
    p.add_argument("--kind", required=True, choices=["git", "docker", "ecr", "s3", "gcs", "azureblob", "basic"])
    p.add_argument("--uri", help="the address it may be sent to")
    p.add_argument("--username")
    p.add_argument("--secret-stdin", action="store_true", help="read the secret from standard input (default: asked for)")
    verb(creds, "rm", lambda a: client().delete_credential(a.name), "name")

    note = nouns.add_parser("note", help="open a Jupyter IDE session and print its address")
    note.add_argument("--image")
    note.add_argument("--profile")
    note.add_argument("--dataset", action="append")
    note.set_defaults(run=lambda a: show(client().open_ide(None, a.image, a.profile, a.dataset), a.output))

    manifests.add_commands(nouns)
    return parser


def noun(nouns, name, help_text):
    p = nouns.add_parser(name, help=help_text, description=help_text)
    sub = p.add_subparsers(title="verbs", metavar="VERB")
    p.set_defaults(run=lambda a, p=p: (p.print_help(), 2)[1])
    return sub


def verb(sub, name, run, *positional):
    p = sub.add_parser(name)
    for arg in positional:
        p.add_argument(arg)
    p.set_defaults(run=run)
    return p


def project_options(p):
    p.add_argument("--home-dir")
    p.add_argument("--git-repo")
    p.add_argument("--docker-repo")
    p.add_argument("--model", dest="models", action="append", help="a model of the project (repeat for more)")
    p.add_argument("--desc")


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
    run = client().build(a.name, a.tag, "pre_built" if a.source == "pre-built" else a.source, a.git_ref, a.credential)
    show(run, a.output)


def cmd_train_new(a):
    portal = client()
    params = json.loads(a.params) if a.params else None
    run = portal.train(a.project, a.nb, a.name, params, a.dataset, a.profile, a.build_tag, a.pretrained)
    if not a.follow:
        return show(run.data, a.output)
    print(f"Training {run.project}/{run.name} started; following its log.", file=sys.stderr)
    state = run.follow()
    print(f"Training {run.project}/{run.name} {state}.", file=sys.stderr)
    return 0 if state == "FINISHED" else 1


def cmd_train_logs(a):
    run = client().training(a.project, a.name)
    if not a.follow:
        print(run.log() or "", end="")
        return 0
    return 0 if run.follow() == "FINISHED" else 1


def cmd_depl_logs(a):
    portal = client()
    path = "/api/v1/deployments/" + a.name + "/log"
    if not a.follow:
        print(portal.http.get(path) or "", end="")
        return 0
    for event, _, data in portal.http.events(path, params={"follow": True}):
        if event == "line":
            print(data["text"], file=sys.stdout if data["stream"] == "stdout" else sys.stderr, flush=True)
        elif event == "error":
            raise PortalError(401, {"detail": data["reason"]})
    return 0


def cmd_creds_new(a):
    secret = sys.stdin.readline().rstrip("\n") if a.secret_stdin else getpass.getpass("Secret: ")
    details = {"username": a.username} if a.username else {}
    show(client().create_credential(a.name, a.kind, secret, a.uri, details=details), a.output)


def cmd_completion(_):
    print(COMPLETION)


COMPLETION = r"""_portal() {
  local cur=${COMP_WORDS[COMP_CWORD]} words
  case $COMP_CWORD in
    1) words="login whoami completion proj bvers model ds train movers depl creds note apply get delete" ;;
    2) case ${COMP_WORDS[1]} in
         proj) words="list info new update rm build" ;;
         bvers) words="list" ;;
         model) words="list info new rm" ;;
         ds) words="list new rm download" ;;
         train) words="new list info cancel logs" ;;
         movers) words="list info promote download upload" ;;
         depl) words="new list info scale switch rm logs" ;;
         creds) words="list new rm" ;;
       esac ;;
  esac
  [ -n "$words" ] && COMPREPLY=($(compgen -W "$words -o --output --help" -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _portal portal"""


if __name__ == "__main__":
    sys.exit(main())
