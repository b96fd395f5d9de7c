"""Printing what the portal answered: a table of chosen columns, or the whole answer as JSON or YAML."""
import json
import sys


def show(value, fmt, columns=None, out=None):
    out = out or sys.stdout
    if fmt == "json":
        print(json.dumps(value, indent=2, default=str), file=out)
    elif fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise SystemExit("YAML output needs PyYAML: apt-get install python3-yaml") from None
        print(yaml.safe_dump(value, sort_keys=False, allow_unicode=True).rstrip(), file=out)
    elif isinstance(value, list):
        table(value, columns or _columns(value), out)
    elif isinstance(value, dict):
        width = max((len(k) for k in value), default=0)
        for key, item in value.items():
            print(f"{key.ljust(width)}  {_cell(item)}", file=out)
    elif value is not None:
        print(value, file=out)


def table(rows, columns, out):
    if not rows:
        print("(none)", file=out)
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip(), file=out)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=out)


def _columns(rows):
    return [k for k, v in rows[0].items() if not isinstance(v, (dict, list))][:6] if rows else []


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)
