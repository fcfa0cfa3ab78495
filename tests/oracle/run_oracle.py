"""Run each oracle case against real MLRun, offline, and record what MLRun was given.

Runs inside a virtualenv with `mlrun` from PyPI (scripts/oracle-tests makes it). For every case
under the cases folder (a `.py` file, a `.ipynb` notebook, or a folder holding a
`project_setup.py` and its helper modules) it:

1. copies the case into a scratch folder and makes it the working directory, creating an empty
   handler file for every relative `*.py` path a string literal names (MLRun's `code_to_function`
   reads the file it is given);
2. executes it: the module (or the notebook's code cells, in order, in one namespace, with the
   IPython magic and shell lines left out) and then, when it defines `setup(project)`, calls it
   with `mlrun.new_project(<case>, context=<scratch>, save=False)` -- the project_setup.py
   layout. A case runs once plainly and once more per `# oracle-variant: NAME=VALUE` line, with
   that environment variable set, so both branches of an `if` reach MLRun;
3. reads back every function MLRun holds: the project's functions, every function object bound
   to a module variable and every other function object created while the case ran (`spec.image`, `spec.build.base_image`, `spec.build.requirements`,
   `spec.build.commands`), the project's `default_image` and `build`, and the `hub://` URLs MLRun
   was asked to import.

Offline: MLRUN_DBPATH is empty, so MLRun has no API server and uses its no-op DB; projects are
never saved, functions never built or deployed. Importing a `hub://` function needs the network
(MLRun downloads the item's function.yaml), so the hub import is intercepted: the URL MLRun was
asked for is recorded and a blank job function is returned in its place (see _intercept_hub).

Output: one JSON document (--out) with, per case, the values MLRun ended up with. Usage:

    <venv>/bin/python tests/oracle/run_oracle.py --cases tests/oracle/cases --out oracle.json
"""

import argparse
import ast
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import traceback

# Before mlrun is imported: no API server, no background discovery of one.
os.environ["MLRUN_DBPATH"] = ""
os.environ.setdefault("MLRUN_LOG_LEVEL", "ERROR")

import mlrun  # noqa: E402
import mlrun.run  # noqa: E402
from mlrun.runtimes.base import BaseRuntime  # noqa: E402

VARIANT = re.compile(r"^\s*#\s*oracle-variant:\s*([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*$", re.M)
MAGIC = re.compile(r"^\s*[%!]")
HANDLER_STUB = "def handler(context):\n    pass\n"
HUB_LABEL = "mlrun-lint-oracle/hub-stub"

hub_requests = []
created_functions = []


def _track_functions():
    """Keep every function object MLRun creates while a case runs.

    A function made inside `setup(project)` and bound only to a local variable
    (`fn = mlrun.code_to_function(...)`, or `mlrun.new_function(...)` bound to nothing) is gone
    once `setup` returns; holding each new `BaseRuntime` here lets its spec be read back too.
    """
    original_init = BaseRuntime.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        created_functions.append(self)

    BaseRuntime.__init__ = init


def _intercept_hub():
    """Record `hub://` imports instead of downloading them.

    MLRun's `import_function` (used by `project.set_function("hub://...")` and
    `mlrun.import_function`) calls `extend_hub_uri_if_needed(url)` to turn `hub://name` into the
    hub's HTTP URL and then `import_function_to_dict(url)` to download it. Both are looked up as
    globals of `mlrun.run` at call time, so replacing them there records the exact URL MLRun was
    asked to import and returns a blank job function instead of fetching it.
    """
    original_extend = mlrun.run.extend_hub_uri_if_needed
    original_to_dict = mlrun.run.import_function_to_dict

    def extend(url, *args, **kwargs):
        if url.startswith("hub://"):
            hub_requests.append(url)
            return url, True
        return original_extend(url, *args, **kwargs)

    def to_dict(url, *args, **kwargs):
        if url.startswith("hub://"):
            name = url[len("hub://") :].split(":")[0].split("/")[-1]
            # Marked: a real hub function has its image from the hub item, so this blank
            # one's missing image is no implicit default.
            metadata = {"name": name.replace("_", "-"), "labels": {HUB_LABEL: "1"}}
            return {"kind": "job", "metadata": metadata, "spec": {}}
        return original_to_dict(url, *args, **kwargs)

    mlrun.run.extend_hub_uri_if_needed = extend
    mlrun.run.import_function_to_dict = to_dict


def _case_sources(path):
    """(relative file name, python source) of each file of a case; notebooks give one per cell."""
    if os.path.isdir(path):
        out = []
        for root, _dirs, files in os.walk(path):
            for f in sorted(files):
                if f.endswith(".py"):
                    full = os.path.join(root, f)
                    with open(full, encoding="utf-8") as fh:
                        out.append((os.path.relpath(full, path), fh.read()))
        return out
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if path.endswith(".ipynb"):
        return [(os.path.basename(path), cell) for cell in _notebook_cells(text)]
    return [(os.path.basename(path), text)]


def _notebook_cells(text):
    """The code cells of a notebook, magics and shell lines blanked (kept as empty lines)."""
    doc = json.loads(text)
    cells = []
    for cell in doc.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        cells.append("\n".join("" if MAGIC.match(line) else line for line in src.split("\n")))
    return cells


def _stub_files(sources, workdir):
    """Create an empty handler for every relative `*.py` path named by a string literal."""
    for _name, src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if value.endswith(".py") and "://" not in value and not os.path.isabs(value):
                    target = os.path.join(workdir, value)
                    if not os.path.exists(target):
                        os.makedirs(os.path.dirname(target) or workdir, exist_ok=True)
                        with open(target, "w", encoding="utf-8") as fh:
                            fh.write(HANDLER_STUB)


def _strings(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [v for v in value if isinstance(v, str) and v.strip()]


def _read_function(fn, where, default_image=None, implicit=True):
    """The function's values; with `implicit`, also whether it has no image at all, so MLRun
    runs it on its kind's default image (MLR107). Objects MLRun only made on the way (copied
    into a project) and hub stubs are not judged for that."""
    spec = fn.spec
    build = spec.build
    out = []
    named = [getattr(spec, "image", None), getattr(build, "base_image", None), getattr(build, "image", None)]
    hub_stub = HUB_LABEL in (getattr(fn.metadata, "labels", None) or {})
    if (implicit and not hub_stub and not any(_strings(v) for v in named)
            and not _strings(default_image) and fn.kind not in ("", "local", "handler")):
        out.append({"kind": "implicit", "field": "spec.image", "value": fn.kind, "where": where})
    for image in _strings(getattr(spec, "image", None)):
        out.append({"kind": "image", "field": "spec.image", "value": image, "where": where})
    for image in _strings(getattr(build, "base_image", None)):
        out.append({"kind": "image", "field": "spec.build.base_image", "value": image, "where": where})
    for req in _strings(getattr(build, "requirements", None)):
        out.append({"kind": "requirement", "field": "spec.build.requirements", "value": req, "where": where})
    for cmd in _strings(getattr(build, "commands", None)):
        out.append({"kind": "command", "field": "spec.build.commands", "value": cmd, "where": where})
    return out


def _read_project(project, where):
    out = []
    for image in _strings(project.spec.default_image):
        out.append({"kind": "image", "field": "project.spec.default_image", "value": image, "where": where})
    build = project.spec.build
    for image in _strings(getattr(build, "base_image", None)):
        out.append({"kind": "image", "field": "project.spec.build.base_image", "value": image, "where": where})
    for req in _strings(getattr(build, "requirements", None)):
        out.append({"kind": "requirement", "field": "project.spec.build.requirements", "value": req, "where": where})
    for cmd in _strings(getattr(build, "commands", None)):
        out.append({"kind": "command", "field": "project.spec.build.commands", "value": cmd, "where": where})
    for name, fn in sorted(project.spec._function_objects.items()):
        out.extend(_read_function(fn, f"{where}: function {name}", project.spec.default_image))
    return out


def _collect(namespaces, projects):
    """Every value of every project, of every function bound to a module variable, and of every
    other function object created during the run."""
    seen_fns = set()
    values = []
    for project in projects:
        values.extend(_read_project(project, f"project {project.metadata.name}"))
        seen_fns.update(id(f) for f in project.spec._function_objects.values())
    default_image = projects[0].spec.default_image if projects else None
    for label, ns in namespaces:
        for var, obj in sorted(ns.items()):
            if isinstance(obj, BaseRuntime) and id(obj) not in seen_fns:
                seen_fns.add(id(obj))
                values.extend(_read_function(obj, f"{label} variable {var}", default_image))
    for index, fn in enumerate(created_functions):
        if id(fn) not in seen_fns:
            seen_fns.add(id(fn))
            values.extend(_read_function(fn, f"function object #{index} ({fn.metadata.name})", implicit=False))
    return values


def _run_once(case_path, case_id, env):
    """Execute the case once with `env` set; returns (values, hub URLs, error or None)."""
    workdir = tempfile.mkdtemp(prefix="mlrun-oracle-")
    saved_cwd, saved_env, saved_path = os.getcwd(), dict(os.environ), list(sys.path)
    saved_modules = set(sys.modules)
    del hub_requests[:]
    del created_functions[:]
    projects, namespaces = [], []
    error = None
    try:
        if os.path.isdir(case_path):
            shutil.copytree(case_path, workdir, dirs_exist_ok=True)
        else:
            shutil.copy(case_path, workdir)
        sources = _case_sources(case_path)
        _stub_files(sources, workdir)
        os.chdir(workdir)
        os.environ.update(env)
        sys.path.insert(0, workdir)
        main_file = "project_setup.py" if os.path.isdir(case_path) else os.path.basename(case_path)
        ns = {"__name__": "oracle_case", "__file__": os.path.join(workdir, main_file)}
        if os.path.isdir(case_path):
            with open(os.path.join(workdir, "project_setup.py"), encoding="utf-8") as fh:
                exec(compile(fh.read(), "project_setup.py", "exec"), ns)
            for name, mod in list(sys.modules.items()):
                if name not in saved_modules and getattr(mod, "__file__", "") and mod.__file__.startswith(workdir):
                    namespaces.append((f"module {name}", vars(mod)))
        else:
            for i, (name, src) in enumerate(sources):
                exec(compile(src, f"{name}#{i}", "exec"), ns)
        namespaces.insert(0, ("module", ns))
        setup = ns.get("setup")
        if callable(setup):
            project = mlrun.new_project(case_id.replace("_", "-"), context=workdir, save=False)
            projects.append(setup(project) or project)
        for obj in ns.values():
            if isinstance(obj, mlrun.projects.MlrunProject) and all(obj is not p for p in projects):
                projects.append(obj)
        values = _collect(namespaces, projects)
    except Exception:  # a case that MLRun rejects is reported, not fatal to the run
        error = traceback.format_exc(limit=6)
        values = []
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if getattr(sys.modules[name], "__file__", None) and sys.modules[name].__file__.startswith(workdir):
                del sys.modules[name]
        shutil.rmtree(workdir, ignore_errors=True)
        del created_functions[:]
    return values, list(hub_requests), error


def run_case(case_path, case_id):
    sources = _case_sources(case_path)
    variants = [{}]
    for _name, src in sources:
        for var, val in VARIANT.findall(src):
            variants.append({var: val})
    runs = []
    for env in variants:
        values, hubs, error = _run_once(case_path, case_id, env)
        runs.append({"env": env, "values": values, "hub": hubs, "error": error})
    return runs


def case_paths(cases_dir):
    for entry in sorted(os.listdir(cases_dir)):
        full = os.path.join(cases_dir, entry)
        if os.path.isdir(full) and os.path.exists(os.path.join(full, "project_setup.py")):
            yield entry, full
        elif entry.endswith((".py", ".ipynb")):
            yield os.path.splitext(entry)[0], full


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", action="append", default=[], help="case id (repeatable)")
    args = parser.parse_args()
    cases_dir = os.path.abspath(args.cases)
    _intercept_hub()
    _track_functions()
    result = {
        "mlrun_version": mlrun.__version__,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "cases": {},
    }
    for case_id, path in case_paths(cases_dir):
        if args.only and case_id not in args.only:
            continue
        # MLRun logs to stdout; keep the runner's own output readable.
        with contextlib.redirect_stdout(io.StringIO()):
            runs = run_case(path, case_id)
        result["cases"][case_id] = {"path": os.path.relpath(path, cases_dir), "runs": runs}
        errors = [r["error"] for r in runs if r["error"]]
        status = "error: " + errors[0].strip().splitlines()[-1] if errors else "ok"
        count = sum(len(r["values"]) + len(r["hub"]) for r in runs)
        print(f"oracle: {case_id}: {count} values, {status}", file=sys.stderr, flush=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
