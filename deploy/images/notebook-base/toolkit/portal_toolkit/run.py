"""Executes a notebook for the portal: python3 -m portal_toolkit.run INPUT.ipynb OUTPUT.ipynb [--cwd DIR]

Cell output is printed as it happens (the portal streams this process's output to the browser). The executed
notebook is written after every cell, so a failed or cancelled run keeps what it did. On a failing cell the
traceback goes to stderr and to failure.json beside OUTPUT; an HTML rendering is written as OUTPUT.html.
Exit codes: 0 finished, 1 a cell failed, 2 the notebook could not be run at all.
"""
import argparse
import json
import os
import sys


def _print_output(msg):
    kind = msg["msg_type"]
    content = msg["content"]
    if kind == "stream":
        target = sys.stderr if content.get("name") == "stderr" else sys.stdout
        target.write(content.get("text", ""))
        target.flush()
    elif kind in ("execute_result", "display_data"):
        text = content.get("data", {}).get("text/plain")
        if text:
            print(text, flush=True)
    elif kind == "error":
        print("\n".join(_strip_ansi(line) for line in content.get("traceback", [])), file=sys.stderr, flush=True)


def _strip_ansi(text):
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="portal_toolkit.run")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--cwd", default=None, help="working directory of the kernel (default: the input's folder)")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as e:
        print(f"Cannot run notebooks: {e}. Install python3-nbclient (Debian) or 'pip install nbclient'.", file=sys.stderr)
        return 2

    # Keep the kernel's debugger from warning about frozen modules in every run's log.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(args.input, as_version=4)
    cwd = args.cwd or os.path.dirname(os.path.abspath(args.input))
    output_dir = os.path.dirname(os.path.abspath(args.output))
    failure_path = os.path.join(output_dir, "failure.json")

    class StreamingClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            _print_output(msg)
            return super().output(outs, msg, display_id, cell_index)

    def save(*_args, **_kwargs):
        nbformat.write(notebook, args.output)

    client = StreamingClient(notebook, kernel_name=args.kernel, resources={"metadata": {"path": cwd}},
                             timeout=None, allow_errors=False, on_cell_executed=save)
    code_cells = sum(1 for c in notebook.cells if c.cell_type == "code")
    print(f"[portal] executing {args.input} ({code_cells} code cells) in {cwd}", flush=True)
    status = 0
    try:
        client.execute()
        print("[portal] notebook finished", flush=True)
    except CellExecutionError as e:
        status = 1
        index, cell = next(((i, c) for i, c in enumerate(notebook.cells)
                            if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
                           (None, None))
        error = next((o for o in (cell or {}).get("outputs", []) if o.get("output_type") == "error"), {})
        with open(failure_path, "w", encoding="utf-8") as f:
            json.dump({
                "cell_index": index,
                "source": (cell or {}).get("source", ""),
                "ename": error.get("ename", type(e).__name__),
                "evalue": error.get("evalue", str(e)),
                "traceback": [_strip_ansi(line) for line in error.get("traceback", [])],
            }, f, ensure_ascii=False, indent=1)
        print(f"[portal] cell {index} failed: {error.get('ename', '')}: {error.get('evalue', '')}", file=sys.stderr, flush=True)
    except Exception as e:  # the kernel died, the notebook is broken, ...
        status = 2
        with open(failure_path, "w", encoding="utf-8") as f:
            json.dump({"cell_index": None, "ename": type(e).__name__, "evalue": str(e), "traceback": []}, f, ensure_ascii=False)
        print(f"[portal] the notebook could not be run: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
    finally:
        save()
        _write_html(notebook, args.output + ".html")
    return status


def _write_html(notebook, path):
    try:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(notebook)
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
    except Exception as e:  # HTML is a convenience; the .ipynb is the record
        print(f"[portal] no HTML rendering: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
