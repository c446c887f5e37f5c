"""Check the rules the library's structure keeps (CONTRIBUTING.md, "Chapters and modules"):

- no module over 450 lines, `cli.py` at most 300;
- no method attached to a class by assignment (`Cls.attr = fn` or `setattr(Cls, ...)` at module level);
- a class is whole once its own module is imported: importing every other module changes none of its attributes;
- a module imports only modules of notebooks before it;
- the median exported notebook cell is at most 16 lines;
- the command line names the model to load `--checkpoint` in generate, chat and finetune, and chat has `--top_p`;
- the GitHub workflow runs `.ci/run` (one definition of CI).

    python tools/check_structure.py      # prints each check; exit 1 if one fails
"""
import ast
import glob
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "minigpt"
MAX_LINES, MAX_CLI_LINES, MAX_MEDIAN_CELL = 450, 300, 16


def modules():
    "The library's modules, in the order of the notebooks that export them."
    order = {}
    for nb in sorted(glob.glob(str(ROOT / "nbs" / "*.ipynb"))):
        for c in json.load(open(nb, encoding="utf-8"))["cells"]:
            m = re.match(r"#\|\s*default_exp\s+(\S+)", "".join(c["source"]))
            if m and c["cell_type"] == "code": order.setdefault(m.group(1), len(order))
    return sorted(order, key=order.get)


def check_sizes(mods):
    bad = {}
    for m in mods:
        n = sum(1 for _ in open(LIB / f"{m}.py", encoding="utf-8"))
        if n > (MAX_CLI_LINES if m == "cli" else MAX_LINES): bad[m] = n
    return [f"{m}.py has {n} lines" for m, n in bad.items()]


def check_no_assigned_methods(mods):
    problems = []
    for m in mods:
        tree = ast.parse((LIB / f"{m}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AnnAssign, ast.AugAssign)) else []
            for t in targets:
                if isinstance(t, ast.Attribute):
                    problems.append(f"{m}.py:{node.lineno}: assigns {ast.unparse(t)}")
            if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", None) == "setattr"):
                problems.append(f"{m}.py:{node.lineno}: calls setattr at module level")
    return problems


_SNAPSHOT = r"""
import importlib, inspect, json, sys
mods = sys.argv[1].split(",")
for m in mods: importlib.import_module(f"minigpt.{m}")
own = sys.argv[2].split(",")
out = {}
for m in own:
    mod = sys.modules[f"minigpt.{m}"]
    for name, cls in vars(mod).items():
        if inspect.isclass(cls) and cls.__module__ == mod.__name__:
            out[f"{m}.{name}"] = {k: f"{getattr(v, '__module__', None)}.{getattr(v, '__qualname__', type(v).__name__)}"
                                  for k, v in vars(cls).items()}
print(json.dumps(out))
"""


def _snapshot(import_mods, own_mods):
    r = subprocess.run([sys.executable, "-c", _SNAPSHOT, ",".join(import_mods), ",".join(own_mods)],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode: raise RuntimeError(r.stderr.strip().splitlines()[-1])
    return json.loads(r.stdout)


def check_whole_classes(mods):
    everything = _snapshot(mods, mods)
    problems = []
    for m in mods:
        alone = _snapshot([m], [m])
        for cls, attrs in alone.items():
            after = everything[cls]
            added = sorted(set(after) - set(attrs))
            changed = sorted(k for k in attrs if k in after and after[k] != attrs[k])
            if added: problems.append(f"{cls}: importing other modules adds {added}")
            if changed: problems.append(f"{cls}: importing other modules replaces {changed}")
    return problems


def check_import_order(mods):
    rank, problems = {m: i for i, m in enumerate(mods)}, []
    for m in mods:
        tree = ast.parse((LIB / f"{m}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module] if node.level == 1 and node.module else []
                if node.module and node.module.startswith("minigpt."): names = [node.module.split(".")[1]]
                for other in names:
                    if other in rank and rank[other] >= rank[m]:
                        problems.append(f"{m}.py:{node.lineno} imports {other}, which is taught at or after it")
    return problems


def check_cells():
    sizes = [len("".join(c["source"]).splitlines())
             for nb in glob.glob(str(ROOT / "nbs" / "[0-9]*.ipynb"))
             for c in json.load(open(nb, encoding="utf-8"))["cells"]
             if c["cell_type"] == "code" and re.match(r"#\|\s*export", "".join(c["source"]))]
    med = statistics.median(sizes)
    print(f"   exported cells: {len(sizes)}, median {med:g} lines, largest {max(sizes)}")
    return [f"the median exported cell has {med:g} lines (at most {MAX_MEDIAN_CELL})"] if med > MAX_MEDIAN_CELL else []


def check_cli():
    helps = {c: subprocess.run([sys.executable, "-m", "minigpt.cli", c, "--help"], capture_output=True, text=True,
                               cwd=ROOT).stdout for c in ("generate", "chat", "finetune")}
    problems = [f"minigpt {c} has no --checkpoint" for c, h in helps.items() if "--checkpoint" not in h]
    if "--top_p" not in helps["chat"]: problems.append("minigpt chat has no --top_p")
    return problems


def check_workflow():
    wf = (ROOT / ".github" / "workflows" / "test.yaml").read_text(encoding="utf-8")
    return [] if re.search(r"run:\s*bash \.ci/run\b", wf) else [".github/workflows/test.yaml does not run bash .ci/run"]


def main():
    mods = modules()
    checks = [("module sizes", lambda: check_sizes(mods)),
              ("no method attached by assignment", lambda: check_no_assigned_methods(mods)),
              ("classes whole when their module is imported", lambda: check_whole_classes(mods)),
              ("modules import only earlier modules", lambda: check_import_order(mods)),
              ("small cells", check_cells),
              ("the command line's names", check_cli),
              ("the workflow runs .ci/run", check_workflow)]
    failed = 0
    for name, check in checks:
        problems = check()
        print(f"{'ok  ' if not problems else 'FAIL'} {name}")
        for p in problems: print(f"   - {p}")
        failed += bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
