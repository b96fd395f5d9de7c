"""Where the CLI and SDK find the portal: PORTAL_URL and PORTAL_TOKEN, else ~/.portal/cli.yaml (written 0600 by login)."""
import json
import os

PATH = os.path.join(os.path.expanduser("~"), ".portal", "cli.yaml")


def load():
    """{'url': ..., 'token': ...} from the file, overridden by the environment; missing keys are None."""
    saved = {}
    if os.path.exists(PATH):
        with open(PATH, encoding="utf-8") as f:
            saved = _parse(f.read())
    return {
        "url": os.environ.get("PORTAL_URL") or saved.get("url"),
        "token": os.environ.get("PORTAL_TOKEN") or saved.get("token"),
    }


def save(url, token):
    """Writes the file readable by its owner only (it holds a token)."""
    os.makedirs(os.path.dirname(PATH), mode=0o700, exist_ok=True)
    fd = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        # JSON strings are valid YAML scalars, so the file is YAML without needing a YAML writer.
        f.write(f"url: {json.dumps(url)}\ntoken: {json.dumps(token)}\n")
    os.chmod(PATH, 0o600)


def _parse(text):
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key.strip().startswith("#"):
            continue
        value = value.strip()
        values[key.strip()] = json.loads(value) if value.startswith('"') else value
    return values
