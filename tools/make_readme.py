"""Write README.md from nbs/index.ipynb (nbdev's `readme_nb`).

nbdev_readme needs Quarto, which is not always installable; this does the same job for our simple index notebook:
markdown cells as they are, code cells as ```python blocks, and their text outputs as plain blocks.
`--check` exits 1 when README.md is out of date instead of writing it.

Links in the notebook are relative to nbs/ (so they work when it is opened in JupyterLab from nbs/); the README sits
one folder up, so each relative link is rewritten from the repository root: `00_corpus.ipynb` becomes
`nbs/00_corpus.ipynb`, `../CONTRIBUTING.md` becomes `CONTRIBUTING.md`.
"""
import json
import posixpath
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

_LINK = re.compile(r"\]\(([^)\s]+)\)")

def from_root(target: str) -> str:
    "A link target written relative to nbs/, written relative to the repository root (absolute links unchanged)."
    if re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", target): return target
    return posixpath.normpath(posixpath.join("nbs", target))

def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]).strip()
        if not src or src.startswith("#| hide"): continue
        if cell["cell_type"] == "markdown":
            parts.append(_LINK.sub(lambda m: f"]({from_root(m.group(1))})", src))
            continue
        code = "\n".join(l for l in src.splitlines() if not l.startswith("#|")).strip()
        if code: parts.append(f"```python\n{code}\n```")
        out = ""
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream": out += "".join(o["text"])
            elif "text/plain" in o.get("data", {}) and "image/png" not in o["data"]: out += "".join(o["data"]["text/plain"]) + "\n"
        if out.strip(): parts.append(f"```\n{out.rstrip()}\n```")
    header = "<!-- WARNING: generated from nbs/index.ipynb by tools/make_readme.py; edit the notebook, not this file. -->\n\n"
    return header + "\n\n".join(parts) + "\n"

if __name__ == "__main__":
    text = render(root / "nbs" / "index.ipynb")
    readme = root / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text(encoding="utf-8") != text:
            sys.exit("README.md is out of date: run `python tools/make_readme.py` and commit it.")
        print("README.md is up to date.")
    else:
        readme.write_text(text, encoding="utf-8")
        print("wrote README.md")
