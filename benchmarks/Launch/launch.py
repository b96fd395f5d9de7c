"""Launch benchmark: portal vs raw Docker Swarm, interleaved. See benchmarks/launch.sh."""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

IMAGE = "portal/notebook-base:latest"
CELL = "print('hello from the benchmark', flush=True)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def docker(*args):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()


class Portal:
    def __init__(self, executable, root):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL__")}
        env.update({"ASPNETCORE_URLS": f"http://0.0.0.0:{self.port}", "PORTAL__STORE__DATA_DIR": f"{root}/data",
                    "PORTAL__CONTAINER_MANAGER__TYPE": "swarm", "PORTAL__IDE__PORT": str(free_port()),
                    "PORTAL_ADMIN_PASSWORD": "bench-Passw0rd-1", "Logging__LogLevel__Default": "Warning"})
        self.env = env
        self.executable = executable
        self.process = subprocess.Popen([executable], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(240):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        else:
            raise SystemExit("the portal did not start")
        issued = subprocess.run([executable, "issue-token", "admin", "bench", "1"], cwd=root, env=env, check=True, capture_output=True, text=True).stdout
        self.token = next(w for w in issued.split() if w.startswith("pat_"))

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def notebook(folder):
    os.makedirs(folder, exist_ok=True)
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c0", "metadata": {"tags": ["parameters"]}, "outputs": [], "source": "x = 1"},
                    {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [], "source": CELL}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    with open(f"{folder}/nb.ipynb", "w") as f:
        json.dump(nb, f)


class Exits:
    """Container exits as the engine reports them (docker events), by service name and by the training name the portal labels."""
    def __init__(self):
        self.seen = {}
        self.process = subprocess.Popen(["docker", "events", "--filter", "type=container", "--filter", "event=die",
                                         "--format", '{{.TimeNano}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "io.mlops-portal.name"}}'], stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            nanos, container, label = (line.strip().split(" ", 2) + ["", ""])[:3]
            for name in (container.split(".")[0], label):
                if name and name != "<no value>":
                    self.seen[name] = int(nanos) / 1e9

    def of(self, name, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if name in self.seen:
                return self.seen[name]
            time.sleep(0.02)
        return None


def raw_run(i, folder, exits):
    """The same runner on the same notebook, as one raw swarm service on the same network and user; polled at 20 ms."""
    name = f"bench-raw-{os.getpid()}-{i}"
    work = tempfile.mkdtemp(prefix="bench-work-")
    os.chmod(work, 0o777)
    with open(f"{folder}/nb.ipynb") as src, open(f"{work}/input.ipynb", "w") as dst:
        dst.write(src.read())
    start = time.time()
    docker("service", "create", "--detach", "--name", name, "--restart-condition", "none", "--user", "1000:1000", "--network", "portal-work",
           "--mount", f"type=bind,src={work},dst=/portal/work", "--mount", f"type=bind,src={folder},dst=/portal/project,readonly",
           IMAGE, "python3", "-m", "portal_toolkit.run", "/portal/work/input.ipynb", "/portal/work/output.ipynb", "--cwd", "/portal/project")
    running = finished = None
    while finished is None:
        states = docker("service", "ps", name, "--format", "{{.CurrentState}}").split("\n")
        state = states[0].split()[0] if states and states[0] else ""
        if running is None and state in ("Running", "Complete", "Failed"):
            running = time.time() - start
        if state in ("Complete", "Failed"):
            finished = time.time() - start
        time.sleep(0.02)
    docker("service", "rm", name)
    exited = exits.of(name)
    return running, finished, None if exited is None else (start + finished) - exited


def portal_run(portal, exits, i):
    name = f"b{i}"
    start = time.time()
    portal.call("POST", "/api/v1/trainings", {"project": "bench", "name": name, "notebook": "nb.ipynb"})
    accepted = time.time() - start
    running = finished = None
    while finished is None:
        state = portal.call("GET", f"/api/v1/trainings/bench/{name}")["state"]
        if running is None and state in ("RUNNING", "FINISHED", "FAILED"):
            running = time.time() - start
        if state in ("FINISHED", "FAILED", "CANCELLED"):
            if state != "FINISHED":
                raise SystemExit(f"training {name} ended {state}")
            finished = time.time() - start
        time.sleep(0.02)
    exited = exits.of(name)
    return running, finished, None if exited is None else (start + finished) - exited, accepted


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="portal-bench-launch-")
    folder = f"{root}/project"
    notebook(folder)
    exits = Exits()
    portal = Portal(args.portal, root)
    try:
        portal.call("POST", "/api/v1/projects", {"name": "bench", "home_dir": folder})
        raw, ours = [], []
        for i in range(args.runs):
            raw.append(raw_run(i, folder, exits))
            ours.append(portal_run(portal, exits, i))
            print(f"run {i + 1}: raw running {raw[-1][0]:.3f} s finished {raw[-1][1]:.3f} s ({raw[-1][2] if raw[-1][2] is None else round(raw[-1][2], 3)} s "
                  f"after its container exited) | portal running {ours[-1][0]:.3f} s "
                  f"finished {ours[-1][1]:.3f} s, {ours[-1][2] if ours[-1][2] is None else round(ours[-1][2], 3)} s after its container exited "
                  f"(POST answered after {ours[-1][3]:.3f} s)",
                  flush=True)
        r_run, r_fin = median([r[0] for r in raw]), median([r[1] for r in raw])
        p_run, p_fin, lag = median([o[0] for o in ours]), median([o[1] for o in ours]), median([o[2] for o in ours])
        print(f"\nmedian of {args.runs}  raw swarm service      portal training   ratio")
        print(f"RUNNING         {r_run:10.3f} s          {p_run:10.3f} s    {p_run / r_run:5.2f}x")
        print(f"FINISHED        {r_fin:10.3f} s          {p_fin:10.3f} s    {p_fin / r_fin:5.2f}x   (goal <= 1.30x)")
        print(f"FINISHED after the container exited: raw (seen by polling docker service ps) {median([r[2] for r in raw]) * 1000:.0f} ms, "
              f"portal {lag * 1000:.0f} ms (target <= 500 ms)")
    finally:
        portal.stop()
        exits.process.terminate()


if __name__ == "__main__":
    sys.exit(main())
