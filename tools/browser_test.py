"""Browser test of the explorers (chapters 1, 4b and 6) and of a chapter's diagram: real JupyterLab, real Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, a random token) in a temporary folder holding three small notebooks,
opens each in headless Chromium through Playwright, runs all cells, waits for the widget to render, works its
controls as a reader would, and checks that the view follows:
- the attention explorer (`minigpt.viz.show_attention` on a tiny model): layer, head and a token;
- the tokenizer explorer (`minigpt.tokenizer.TokenizerExplorer`): another tokenizer, then typing;
- the sampling explorer (`minigpt.model.SamplingExplorer` on the shipped model): the temperature slider, then the
  "sample a token" button.
Then it opens a real chapter (a fresh copy of `nbs/03_dataset.ipynb` and of `nbs/images/`) and checks that the
roadmap figure under its title, `images/roadmap_03.svg`, is rendered as an image (naturalWidth > 0), as a reader
would see it. Saves screenshots (--screenshot for the attention explorer; -tokenizer, -sampling and -roadmap next to
it) and exits nonzero with a clear message on any failure. Nothing leaves the machine.

    python tools/browser_test.py [--screenshot /tmp/minigpt-explorer.png] [--timeout 60] [--chapter nbs/03_dataset.ipynb]

Needs: jupyterlab, ipywidgets (with jupyterlab_widgets), playwright, and Chromium at /usr/bin/chromium
(`apt-get install chromium`); minigpt importable by the Jupyter kernel.
"""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The notebooks under test. The attention explorer: a tiny model of stacked MultiHeadAttention layers.
CELLS = [
    """import torch, torch.nn as nn
from minigpt.attention import MultiHeadAttention
from minigpt.bpe import gpt2_tokenizer
from minigpt.viz import show_attention""",
    """class Tiny(nn.Module):
    def __init__(self, vocab_size, emb_dim=32, context_length=32, n_layers=2, n_heads=4):
        super().__init__()
        self.tok_emb, self.pos_emb = nn.Embedding(vocab_size, emb_dim), nn.Embedding(context_length, emb_dim)
        self.layers = nn.ModuleList(MultiHeadAttention(emb_dim, emb_dim, context_length, 0.0, n_heads)
                                    for _ in range(n_layers))
    def forward(self, idx):
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(idx.shape[1]))
        for layer in self.layers: x = x + layer(x)
        return x

torch.manual_seed(123)
tokenizer = gpt2_tokenizer()
model = Tiny(tokenizer.n_vocab)""",
    """explorer = show_attention(model, tokenizer, "Your journey starts with one step")""",
]

# The tokenizer explorer (chapter 1): characters of the plays, GPT-2's encoding and the shipped model's tokenizer.
TOKENIZER_CELLS = [
    """import minigpt
from pathlib import Path
from minigpt.corpus import load_text
from minigpt.bpe import BPETokenizer, gpt2_tokenizer
from minigpt.tokenizer import CharTokenizer
from minigpt.token_explorer import TokenizerExplorer
shipped = BPETokenizer.load(Path(minigpt.__file__).parent / "pretrained" / "shakespeare" / "tokenizer.json")""",
    """TokenizerExplorer({"characters": CharTokenizer(load_text("shakespeare")), "GPT-2": gpt2_tokenizer(),
                   "shipped model": shipped}, name="GPT-2")""",
]

# The sampling explorer (chapter 6) on the shipped model.
SAMPLING_CELLS = [
    """from minigpt.checkpoint import load_checkpoint
from minigpt.generation import SamplingExplorer
shipped = load_checkpoint("shakespeare", load_state=False)""",
    """SamplingExplorer(shipped["model"], shipped["tokenizer"], "JULIET:\\nO Romeo, Romeo! wherefore art thou",
                 temperature=0.8, top_p=0.9)""",
]


class Failure(Exception):
    pass


def make_notebook(folder, cells=CELLS, name="explorer.ipynb"):
    "Write a fixture notebook of `cells` into `folder` and return its file name."
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [{"cell_type": "code", "id": f"cell{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    (Path(folder) / name).write_text(json.dumps(nb, indent=1))
    return name


def copy_chapter(chapter, folder):
    """Copy the chapter notebook and the images folder beside it into `folder` (JupyterLab never writes to the
    repository); return the notebook's path relative to `folder` and the roadmap image its first markdown cells show."""
    chapter = Path(chapter).resolve()
    if not chapter.exists(): raise Failure(f"no chapter notebook at {chapter}")
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"][:2]
    found = [m for md in markdown for m in re.findall(r"!\[[^\]]*\]\((images/roadmap_\w+\.svg)\)", md)]
    if not found:
        raise Failure(f"{chapter.name} shows no roadmap under its title: add a markdown cell "
                      f"`![Where this chapter sits: ...](images/roadmap_NN.svg)` after the title cell")
    rel = chapter.relative_to(ROOT) if chapter.is_relative_to(ROOT) else Path(chapter.name)
    dest = Path(folder) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(chapter, dest)
    if (chapter.parent / "images").is_dir(): shutil.copytree(chapter.parent / "images", dest.parent / "images")
    if not (dest.parent / found[0]).exists():
        raise Failure(f"{chapter.name} shows {found[0]}, which does not exist: run `python tools/diagrams.py`")
    return rel.as_posix(), found[0]


def check_roadmap(page, url, image, timeout_ms, screenshot):
    "Open the chapter and check that its roadmap <img> is loaded and drawn with a size (naturalWidth > 0)."
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=timeout_ms)
    img = page.locator(".jp-Notebook .jp-MarkdownOutput img[src*='roadmap']").first
    try:
        img.wait_for(state="attached", timeout=timeout_ms)
    except Exception:
        page.screenshot(path=screenshot)
        raise Failure(f"the chapter shows no <img> whose src contains 'roadmap' within {timeout_ms / 1000:.0f} s "
                      f"(screenshot: {screenshot})")
    t0 = time.time()
    while True:
        size = img.evaluate("(el) => [el.complete, el.naturalWidth, el.naturalHeight, el.getAttribute('src')]")
        if size[0] and size[1] > 0: break
        if (time.time() - t0) * 1000 > timeout_ms or size[0]:  # complete with no width: the image is broken
            page.screenshot(path=screenshot)
            raise Failure(f"the roadmap image {image} did not render (complete={size[0]}, naturalWidth={size[1]}, "
                          f"src={size[3]!r}; screenshot: {screenshot})")
        page.wait_for_timeout(250)
    # a chapter saved without a kernelspec asks which kernel to start: answer "No Kernel", it only has to be read
    no_kernel = page.locator(".jp-Dialog button", has_text="No Kernel")
    if no_kernel.count(): no_kernel.first.click()
    img.scroll_into_view_if_needed()
    shown = img.bounding_box()
    if not shown or shown["width"] < 100:
        raise Failure(f"the roadmap image {image} is loaded but shown {shown and shown['width']:.0f} px wide")
    page.screenshot(path=screenshot)
    print(f"the chapter's {image} renders: {size[1]}x{size[2]} natural, shown {shown['width']:.0f} px wide")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root, port, token, log):
    "Start JupyterLab serving `root`; return the process once its API answers."
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(Path(root) / ".runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(Path(root) / ".workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(Path(root) / ".settings")}
    # no news or update checks: nothing may leave the machine, and no pop-up may cover the notebook
    settings = Path(root) / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
           "--LabApp.extension_manager=readonly"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Failure(f"JupyterLab exited with code {proc.returncode} before it was ready (log: {log.name})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                if r.status == 200: return proc
        except OSError:
            time.sleep(0.5)
    raise Failure(f"JupyterLab did not answer on port {port} within 60 s (log: {log.name})")


def stop(proc):
    "Stop the server we started, by its process: terminate, wait, then kill."
    if proc is None or proc.poll() is not None: return
    proc.terminate()
    try: proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill(); proc.wait(timeout=10)


def _waiter(page, timeout_ms, screenshot):
    "wait_for(what, fn, timeout): poll `fn` until it is true; else save a screenshot and raise Failure(what)."
    def wait_for(what, fn, timeout=timeout_ms):
        t0 = time.time()
        while (time.time() - t0) * 1000 < timeout:
            if fn(): return
            page.wait_for_timeout(250)
        page.screenshot(path=screenshot)
        raise Failure(f"{what} within {timeout / 1000:.0f} s (screenshot of the page: {screenshot})")
    return wait_for


def run_notebook(page, url, timeout_ms, screenshot, rendered, what):
    "Open a notebook, wait for its kernel, run all cells and wait until `rendered()`; a cell's traceback fails."
    wait_for = _waiter(page, timeout_ms, screenshot)
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=timeout_ms)
    wait_for("the notebook's kernel did not start",
             lambda: page.evaluate("""() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                 return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                           && w.sessionContext.session.kernel.status === 'idle'); }"""))
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    stderr = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    t0 = time.time()
    while not rendered():
        tracebacks = [e for e in page.locator(stderr).all_inner_texts() if "Error" in e]
        if tracebacks:
            page.screenshot(path=screenshot)
            raise Failure("a notebook cell failed:\n" + tracebacks[0][-1500:])
        if (time.time() - t0) * 1000 > timeout_ms:
            page.screenshot(path=screenshot)
            raise Failure(f"the {what} widget did not render within {timeout_ms / 1000:.0f} s (is "
                          f"jupyterlab_widgets installed? screenshot: {screenshot})")
        page.wait_for_timeout(250)
    print(f"the {what} widget rendered after {time.time() - t0:.1f} s")
    return wait_for


def drive(page, url, timeout_ms, screenshot):
    "Open the attention notebook, run it, and exercise the explorer; raise Failure when something is off."
    images = ".jp-OutputArea .widget-image"
    def rendered(): return page.locator(images).count() >= 2 and page.locator(images).first.get_attribute("src")
    wait_for = run_notebook(page, url, timeout_ms, screenshot, rendered, "attention explorer")

    heatmap = page.locator(images).nth(0)
    grid = page.locator(images).nth(1)
    label = page.locator(".jp-OutputArea .widget-html-content", has_text="head").first
    token_view = page.locator(".jp-OutputArea .widget-html-content", has=page.locator(".attn-token")).first
    def state(): return heatmap.get_attribute("src"), grid.get_attribute("src"), label.inner_text(), token_view.inner_html()
    heat0, grid0, label0, view0 = state()
    if "layer 0, head 0" not in label0:
        raise Failure(f"the explorer's label should start at 'layer 0, head 0', shows {label0!r}")

    # the layer: a <select>
    page.locator(".jp-OutputArea .widget-dropdown select").first.select_option(label="layer 1")
    wait_for("choosing layer 1 did not update the label", lambda: "layer 1" in label.inner_text(), 15000)
    wait_for("choosing layer 1 did not redraw the grid of heads", lambda: grid.get_attribute("src") != grid0, 15000)
    heat1 = heatmap.get_attribute("src")
    if heat1 == heat0: raise Failure("choosing layer 1 did not redraw the heatmap")

    # the head: a slider, moved with the keyboard as a user would
    handle = page.locator(".jp-OutputArea .widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(2): handle.press("ArrowRight")
    wait_for("moving the head slider did not update the label to head 2", lambda: "head 2" in label.inner_text(), 15000)
    wait_for("moving the head slider did not redraw the heatmap", lambda: heatmap.get_attribute("src") != heat1, 15000)
    if grid.get_attribute("src") == grid0: raise Failure("the grid went back to layer 0 after the head changed")

    # a token: click its toggle button
    button = page.locator(".jp-OutputArea .widget-toggle-button", has_text="2:").first
    button.click()
    wait_for("clicking token 2 did not update the token view",
             lambda: token_view.inner_html() != view0 and token_view.locator(".attn-token").count() == 3, 15000)
    if "token 2" not in label.inner_text(): raise Failure(f"the label does not follow the token: {label.inner_text()!r}")
    print(f"layer, head and token controls all redraw the view; label now: {label.inner_text()!r}")
    page.locator(".jp-OutputArea .widget-vbox").first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot, full_page=True)


def shoot(page, widget, path):
    "A screenshot of one widget's output area (what a reader sees of the explorer), with a little margin."
    widget.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = widget.bounding_box()
    page.screenshot(path=path, clip={"x": max(0, box["x"] - 12), "y": max(0, box["y"] - 12),
                                     "width": box["width"] + 24, "height": box["height"] + 24})


def drive_tokenizer(page, url, timeout_ms, screenshot):
    "Run the tokenizer explorer; pick another tokenizer, then type, and check that the boxes and counts follow."
    view = page.locator(".jp-OutputArea .token-view").first
    def rendered(): return page.locator(".jp-OutputArea .token-view .tok").count() > 0
    wait_for = run_notebook(page, url, timeout_ms, screenshot, rendered, "tokenizer explorer")
    stats = page.locator(".jp-OutputArea .widget-html-content", has_text="characters per token").first
    html0, stats0 = view.inner_html(), stats.inner_text()
    if view.locator(".tok-special").count() != 1:
        raise Failure("GPT-2's view of the demo text should show one special token (<|endoftext|>) as such")
    page.locator(".jp-OutputArea .widget-toggle-button", has_text="characters").first.click()
    wait_for("choosing the character tokenizer did not redraw the tokens",
             lambda: view.inner_html() != html0 and view.locator(".tok-unknown").count() > 0, 15000)
    n_boxes = view.locator(".tok").count()
    box = page.locator(".jp-OutputArea .widget-textarea textarea").first
    box.click(); box.press("End")
    box.press_sequentially(" To be", delay=30)          # typing, key by key, as a reader would
    wait_for("typing did not add a box per character", lambda: view.locator(".tok").count() == n_boxes + 6, 15000)
    if stats.inner_text() == stats0: raise Failure("typing did not update the table of token counts")
    print(f"tokenizer choice and typing redraw the view: {view.locator('.tok').count()} boxes now")
    page.locator(".jp-OutputArea .widget-toggle-button", has_text="GPT-2").first.click()
    wait_for("going back to GPT-2 did not redraw the tokens", lambda: view.locator(".tok-special").count() == 1, 15000)
    shoot(page, page.locator(".jp-OutputArea .widget-vbox").first, screenshot)


def drive_sampling(page, url, timeout_ms, screenshot):
    "Run the sampling explorer; move the temperature, press 'sample a token', and check that the view follows."
    chart = page.locator(".jp-OutputArea .widget-image").first
    def rendered(): return page.locator(".jp-OutputArea .widget-image").count() and chart.get_attribute("src")
    wait_for = run_notebook(page, url, timeout_ms, screenshot, rendered, "sampling explorer")
    info = page.locator(".jp-OutputArea .widget-html-content", has_text="entropy").first
    prompt = page.locator(".jp-OutputArea .widget-textarea textarea").first
    chart0, info0, prompt0 = chart.get_attribute("src"), info.inner_text(), prompt.input_value()
    handle = page.locator(".jp-OutputArea .widget-slider .noUi-handle").first   # the temperature
    handle.focus()
    for _ in range(6): handle.press("ArrowRight")      # 0.80 -> 1.10
    wait_for("moving the temperature slider did not redraw the chart", lambda: chart.get_attribute("src") != chart0,
             15000)
    wait_for("moving the temperature slider did not change the entropy line", lambda: info.inner_text() != info0,
             15000)
    chart1 = chart.get_attribute("src")
    page.locator(".jp-OutputArea button", has_text="sample a token").first.click()
    wait_for("'sample a token' did not append a token to the prompt", lambda: prompt.input_value() != prompt0, 15000)
    wait_for("'sample a token' did not redraw the chart", lambda: chart.get_attribute("src") != chart1, 15000)
    print(f"temperature and sample controls redraw the view; prompt now ends {prompt.input_value()[-30:]!r}")
    shoot(page, page.locator(".jp-OutputArea .widget-vbox").first, screenshot)


def main():
    ap = argparse.ArgumentParser(description="Drive the explorers in JupyterLab with headless Chromium.")
    ap.add_argument("--screenshot", default="/tmp/minigpt-explorer.png", help="where to save the final screenshot")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for the kernel and for the widget")
    ap.add_argument("--chapter", default=str(ROOT / "nbs" / "03_dataset.ipynb"),
                    help="the chapter whose roadmap image must render")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"FAIL: no Chromium at {CHROMIUM}; install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright, Error as PlaywrightError

    t_start = time.time()
    root = tempfile.mkdtemp(prefix="minigpt-browser-")
    log = open(Path(root) / "jupyter.log", "w+")
    name = make_notebook(root)
    tok_name = make_notebook(root, TOKENIZER_CELLS, "tokenizer_explorer.ipynb")
    samp_name = make_notebook(root, SAMPLING_CELLS, "sampling_explorer.ipynb")
    shot = lambda suffix: str(Path(args.screenshot).with_name(Path(args.screenshot).stem + suffix + ".png"))
    chapter_shot, tok_shot, samp_shot = shot("-roadmap"), shot("-tokenizer"), shot("-sampling")
    port, token = free_port(), os.urandom(16).hex()
    proc, ok = None, False
    Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
    try:
        chapter, image = copy_chapter(args.chapter, root)
        proc = start_lab(root, port, token, log)
        print(f"JupyterLab up on 127.0.0.1:{port} after {time.time() - t_start:.1f} s")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                drive(page, f"http://127.0.0.1:{port}/lab/tree/{name}?token={token}", int(args.timeout * 1000),
                      args.screenshot)
                # each notebook in a workspace of its own, so that JupyterLab opens it alone and runs it
                lab = f"http://127.0.0.1:{port}/lab/workspaces/{{0}}/tree/{{0}}.ipynb?token={token}"
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                drive_tokenizer(page, lab.format(tok_name[:-6]), int(args.timeout * 1000), tok_shot)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                drive_sampling(page, lab.format(samp_name[:-6]), int(args.timeout * 1000), samp_shot)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                check_roadmap(page, f"http://127.0.0.1:{port}/lab/tree/{chapter}?token={token}", image,
                              int(args.timeout * 1000), chapter_shot)
            finally:
                browser.close()
        ok = True
    except (Failure, PlaywrightError) as e:
        print(f"FAIL: {e}", file=sys.stderr)
    finally:
        stop(proc)
        log.flush(); log.seek(0); server_log = log.read(); log.close()
        if not ok and server_log.strip():
            print("--- JupyterLab log (last lines) ---\n" + server_log[-3000:], file=sys.stderr)
        shutil.rmtree(root, ignore_errors=True)
    if not ok: sys.exit(1)
    print(f"PASS: the attention, tokenizer and sampling explorers render and respond, and {chapter}'s roadmap "
          f"renders, in JupyterLab ({time.time() - t_start:.1f} s); screenshots: {args.screenshot}, {tok_shot}, "
          f"{samp_shot}, {chapter_shot}")


if __name__ == "__main__":
    main()
