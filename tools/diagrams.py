"""Draw the book's diagrams, `nbs/images/*.svg`, with matplotlib.

    python tools/diagrams.py                 # (re)write every SVG under nbs/images/
    python tools/diagrams.py --out /tmp/d    # write them somewhere else
    python tools/diagrams.py --check         # exit 1 if nbs/images/ differs from what this script draws

The figures are code, so they stay consistent (one palette, one font, one arrow style) and anyone can fix a label by
editing this file. The first half is a small drawing kit (`Canvas`: boxes, arrows, labels, and a layout check that
refuses overlapping or clipped text); the second half has one function per figure. To add a chapter to the roadmap,
add a row to `CHAPTERS` (where its box sits) and its rows to `ARROWS` (what flows in and out of it).

The SVGs render anywhere, offline: glyphs are stored as paths (no font needed by the viewer), ids come from a fixed
salt and the date is left out, so the same matplotlib version writes byte-identical files on every run.
"""
import argparse
import io
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "nbs" / "images"

# ---------------------------------------------------------------------------------------------------------------------
# The roadmap: one row per chapter, and one row per arrow. Every roadmap_NN.svg is redrawn from these two tables.
#   CHAPTERS: key (the NN of roadmap_NN.svg; "04b" shows as 4b), the box's title ("\n" breaks the line), and where the
#             box sits: a column (0-4) and a row (0 at the top); a side chapter (dashed box) sits half a row off.
#   ARROWS:   from, to, what flows along the arrow (what the second chapter takes from the first), and its route:
#             "right" (same row), "wrap" (end of one row to the start of the next), "down" (straight down), "side"
#             (dashed, to a side chapter), "elbow" (right, then down), "under" (down, along below the rows, up).
#   GROUPS:   chapters framed together (the arrows that leave a group start at its frame).
# ---------------------------------------------------------------------------------------------------------------------
CHAPTERS = [
    # key    title                       col  row
    ("00",  "Text",                      0,   0),
    ("01",  "Tokenizer",                 1,   0),
    ("02",  "Embeddings",                2,   0),
    ("03",  "Sliding-window\ndataset",   3,   0),
    ("04",  "Attention",                 4,   0),
    ("04b", "Seeing\nattention",         4,  -1),
    ("05",  "Transformer\nblock",        0,   1),
    ("06",  "GPT model",                 1,   1),
    ("07",  "Training",                  2,   1),
    ("08",  "The training\nrun",         3,   1),
    ("09",  "Classification",            2,   2),
    ("09b", "LoRA",                      1,   2),
    ("10",  "Instruction\nfine-tuning",  3,   2),
    ("11",  "Command line",              4,   2),
]
ARROWS = [
    # from   to     what flows                    route
    ("00",  "01",  "text",                       "right"),
    ("01",  "02",  "token ids",                  "right"),
    ("02",  "03",  "embedding\nlayer",           "right"),
    ("03",  "04",  "embedded\nwindows",          "right"),
    ("04",  "04b", "attention\nweights",         "side"),
    ("04",  "05",  "multi-head attention",       "wrap"),
    ("05",  "06",  "transformer\nblocks",        "right"),
    ("06",  "07",  "logits",                     "right"),
    ("07",  "08",  "the\nTrainer",               "right"),
    ("07",  "09",  "pretrained\nmodel",          "down"),
    ("08",  "10",  "pretrained\nmodel",          "down"),
    ("09",  "09b", "a classifier", "side"),
    ("09b", "10",  "LoRA layers",                "under"),
    ("08",  "11",  "checkpoints",                "elbow"),
    ("10",  "11",  "tuned\nmodel",               "right"),
]
GROUPS = [("07", "08")]  # training and the training run together make the pretrained model
#   PARTS:    a chapter's later notebooks (each one module): their roadmap is their chapter's, with the chapter's box
#             showing the part's number and title.
PARTS = [
    # key    chapter  title
    ("01b", "01",    "Byte-pair\nencoding"),
    ("01c", "01",    "Seeing\nthe tokens"),
    ("05b", "05",    "A modern\nblock"),
    ("05c", "05",    "Other people's\nweights"),
    ("06b", "06",    "Generating\ntext"),
    ("08b", "08",    "Run\nconfigs"),
    ("08c", "08",    "The run\nfolder"),
    ("07b", "07",    "The\nTrainer"),
    ("10a", "10",    "Measuring\na chat"),
    ("10b", "10",    "The chat"),
    ("10c", "10",    "Fine-tuning\nas a run"),
]

# ---------------------------------------------------------------------------------------------------------------------
# Style: one palette and one font for every figure.
# ---------------------------------------------------------------------------------------------------------------------
INK, SOFT, FAINT, LINE = "#212529", "#6c757d", "#adb5bd", "#495057"
BLUE, BLUE_BG = "#2f6fd0", "#e3edfc"        # tensors and data
GREEN, GREEN_BG = "#2b8a3e", "#e3f4e6"      # layers with learned weights
ORANGE, ORANGE_BG = "#d9480f", "#ffead9"    # targets and the loss
GREY, GREY_BG = "#868e96", "#f4f5f6"        # operations without weights
HEADS = ["#4c6ef5", "#f08c00", "#2f9e44", "#ae3ec9"]  # one colour per attention head

STYLES = {  # name: (fill, edge, text colour)
    "data": (BLUE_BG, BLUE, INK),
    "layer": (GREEN_BG, GREEN, INK),
    "target": (ORANGE_BG, ORANGE, INK),
    "op": (GREY_BG, GREY, INK),
    "plain": ("white", GREY, INK),
    "group": ("none", FAINT, SOFT),
    "current": (BLUE, "#1d4f9c", "white"),
    "muted": ("#f1f3f5", "#ced4da", "#7b838a"),
}
SIZE, SMALL = 10.5, 9.5  # points: box text, labels

plt.rcParams.update({
    "svg.fonttype": "path",           # glyphs as paths: no font needed where the SVG is shown
    "svg.hashsalt": "minigpt-diagrams",  # fixed ids, so reruns write the same bytes
    "mathtext.fontset": "dejavusans",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "lines.solid_capstyle": "round",
})
# matplotlib's own DejaVu Sans, by file: the figures do not depend on the fonts installed on the machine
_TTF = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONTS = {"normal": _TTF / "DejaVuSans.ttf", "bold": _TTF / "DejaVuSans-Bold.ttf"}


def font(size=SIZE, weight="normal"):
    return FontProperties(fname=FONTS[weight], size=size)


class LayoutError(Exception):
    pass


@dataclass
class Box:
    "A drawn box: centre (x, y), width w, height h, in inches from the figure's bottom-left corner."
    x: float
    y: float
    w: float
    h: float

    @property
    def left(self): return (self.x - self.w / 2, self.y)
    @property
    def right(self): return (self.x + self.w / 2, self.y)
    @property
    def top(self): return (self.x, self.y + self.h / 2)
    @property
    def bottom(self): return (self.x, self.y - self.h / 2)


class Canvas:
    """A figure whose data units are inches (origin at the bottom left), with helpers for boxes, arrows and text.

    Every text and box is remembered, so `check()` can refuse text that is clipped, overflows its box, or overlaps
    another text, a box or an arrow."""

    def __init__(self, w, h):
        self.w, self.h = w, h
        self.fig = plt.figure(figsize=(w, h), dpi=100)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, w)
        self.ax.set_ylim(0, h)
        self.ax.axis("off")
        self.texts = []   # (Text, the Box it must stay inside or None, the arrow it may sit on or None)
        self.boxes = []   # (Box, patch, is_group)
        self.arrows = []  # list of points, in inches

    # --- text -------------------------------------------------------------------------------------------------------
    def text(self, x, y, s, *, size=SMALL, color=INK, weight="normal", ha="center", va="center", inside=None,
             on=None):
        "Write `s` at (x, y). `inside`: the Box it must fit in. `on`: the arrow it sits on (drawn on a white patch)."
        t = self.ax.text(x, y, s, fontproperties=font(size, weight), color=color, ha=ha, va=va, linespacing=1.25,
                         zorder=5, clip_on=False)
        if on is not None:
            t.set_bbox(dict(boxstyle="square,pad=0.12", fc="white", ec="none"))
        self.texts.append((t, inside, on))
        return t

    # --- boxes ------------------------------------------------------------------------------------------------------
    def box(self, x, y, w, h, text="", *, head=None, style="op", size=SIZE, dashed=False, lw=1.2, text_size=None,
            group=False):
        """A rounded box centred at (x, y). `head` is written in bold above `text`; both are centred.

        `group=True` marks a frame around other boxes: texts may lie inside it and its own label is placed by the
        caller."""
        fill, edge, color = STYLES[style]
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={min(0.08, h / 4)}",
                               fc=fill, ec=edge, lw=lw, ls=(0, (4, 2.5)) if dashed else "-",
                               zorder=1 if group else 2, clip_on=False)
        self.ax.add_patch(patch)
        b = Box(x, y, w, h)
        self.boxes.append((b, patch, group))
        parts = [(s, wt, sz) for s, wt, sz in ((head, "bold", size), (text, "normal", text_size or size - 0.5))
                 if s]
        heights = [(s.count("\n") + 1) * sz * 1.25 / 72 for s, _, sz in parts]
        top = y + sum(heights) / 2
        for (s, wt, sz), hgt in zip(parts, heights):
            self.text(x, top - hgt / 2, s, size=sz, weight=wt, color=color, inside=b)
            top -= hgt
        return b

    def circle(self, x, y, symbol="+", r=0.14, style="plain"):
        "A small circled operator, such as the (+) of a shortcut connection."
        fill, edge, color = STYLES[style]
        self.ax.add_patch(Circle((x, y), r, fc=fill, ec=edge, lw=1.2, zorder=2, clip_on=False))
        b = Box(x, y, 2 * r, 2 * r)
        self.boxes.append((b, None, False))
        self.text(x, y + 0.005, symbol, size=SIZE + 1.5, weight="bold", color=color, inside=Box(x, y, 3 * r, 3 * r))
        return b

    def grid(self, x0, y0, rows, cols, cell, colors, *, edge="white", lw=0.8, z=3):
        """A grid of `rows` x `cols` squares with its top-left corner at (x0, y0); colors(i, j) -> fill or None.

        Cells of one colour next to each other in a row are filled as one rectangle and the cell borders are drawn
        as one path, which keeps the SVG small."""
        for i in range(rows):
            j = 0
            while j < cols:
                c, k = colors(i, j), j
                while k + 1 < cols and colors(i, k + 1) == c: k += 1
                if c is not None:
                    self.ax.add_patch(Rectangle((x0 + j * cell, y0 - (i + 1) * cell), (k - j + 1) * cell, cell,
                                                fc=c, ec="none", zorder=z, clip_on=False))
                j = k + 1
        segs = ([[(x0 + j * cell, y0), (x0 + j * cell, y0 - rows * cell)] for j in range(cols + 1)]
                + [[(x0, y0 - i * cell), (x0 + cols * cell, y0 - i * cell)] for i in range(rows + 1)])
        lines = MplPath([p for seg in segs for p in seg], [MplPath.MOVETO, MplPath.LINETO] * len(segs))
        self.ax.add_patch(PathPatch(lines, fc="none", ec=edge, lw=lw, zorder=z + 0.01, clip_on=False))
        b = Box(x0 + cols * cell / 2, y0 - rows * cell / 2, cols * cell, rows * cell)
        self.boxes.append((b, None, False))
        return b

    # --- arrows -----------------------------------------------------------------------------------------------------
    def arrow(self, *points, color=LINE, lw=1.3, dashed=False, head=True, both=False, label=None, label_at=None,
              label_side="above", label_color=None, label_size=SMALL, gap=0.06):
        """An arrow through `points` (straight segments). `label` goes next to the middle of the longest segment
        (`label_side` above/below/left/right, or "on" to sit on the line), or at `label_at` if given."""
        pts = [tuple(p) for p in points]
        style = ("<|-|>" if both else "-|>") + ",head_length=0.55,head_width=0.3" if head or both else "-"
        a = FancyArrowPatch(path=MplPath(pts), arrowstyle=style,
                            mutation_scale=10, color=color, lw=lw, ls=(0, (3.5, 2.5)) if dashed else "-",
                            shrinkA=0, shrinkB=0, zorder=4, joinstyle="miter", capstyle="butt", clip_on=False)
        self.ax.add_patch(a)
        self.arrows.append(pts)
        if label:
            segs = list(zip(pts, pts[1:]))
            (x1, y1), (x2, y2) = max(segs, key=lambda s: abs(s[1][0] - s[0][0]) + abs(s[1][1] - s[0][1]))
            mx, my = label_at or ((x1 + x2) / 2, (y1 + y2) / 2)
            kw = dict(size=label_size, color=label_color or (INK if color == LINE else color))
            if label_side == "on": self.text(mx, my, label, on=len(self.arrows) - 1, **kw)
            elif label_side == "above": self.text(mx, my + gap, label, va="bottom", **kw)
            elif label_side == "below": self.text(mx, my - gap, label, va="top", **kw)
            elif label_side == "right": self.text(mx + gap + 0.04, my, label, ha="left", **kw)
            elif label_side == "left": self.text(mx - gap - 0.04, my, label, ha="right", **kw)
            else: raise ValueError(f"label_side must be above, below, left, right or on, not {label_side!r}")
        return pts

    # --- checks and output ------------------------------------------------------------------------------------------
    def check(self, name):
        "Raise LayoutError when a text is clipped, overflows its box, or overlaps another text, a box or an arrow."
        self.fig.canvas.draw()
        r = self.fig.canvas.get_renderer()
        to_px = self.ax.transData.transform
        def px_box(b, shrink=0.0):
            (x0, y0), (x1, y1) = to_px((b.x - b.w / 2, b.y - b.h / 2)), to_px((b.x + b.w / 2, b.y + b.h / 2))
            return (x0 + shrink, y0 + shrink, x1 - shrink, y1 - shrink)
        def inside(a, b): return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]
        def overlap(a, b): return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        texts = []
        for t, box, on in self.texts:
            e = t.get_window_extent(r)
            texts.append((t, (e.x0 + 0.5, e.y0 + 0.5, e.x1 - 0.5, e.y1 - 0.5), box, on))
        problems = []
        page = (1, 1, self.fig.bbox.width - 1, self.fig.bbox.height - 1)
        for t, e, box, on in texts:
            s = t.get_text().replace("\n", " ")
            if not inside(e, page): problems.append(f"{s!r} is cut off by the edge of the figure")
            if box is not None and not inside(e, px_box(box, 2)): problems.append(f"{s!r} overflows its box")
            for b, _, group in self.boxes:
                if group or b is box: continue
                if box is not None and inside(px_box(b), px_box(box)): continue  # a box drawn inside this text's box
                if overlap(e, px_box(b, -1)) and not (box is not None and inside(px_box(box), px_box(b))):
                    problems.append(f"{s!r} overlaps a box at ({b.x:.2f}, {b.y:.2f})")
            for k, pts in enumerate(self.arrows):
                if k == on: continue
                for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                    n = max(2, int(40 * (abs(x2 - x1) + abs(y2 - y1))))
                    if any(overlap(e, (*p - 1, *p + 1)) for p in to_px([(x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n)
                                                                       for i in range(n + 1)])):
                        problems.append(f"{s!r} is crossed by an arrow")
                        break
        for pts in self.arrows:
            inner = []
            for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                n = max(2, int(40 * (abs(x2 - x1) + abs(y2 - y1))))
                inner += [(x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n) for i in range(n + 1)]
            ends = to_px([pts[0], pts[-1]])
            inner = [p for p in to_px(inner) if min(abs(p - e).max() for e in ends) > 6]  # the ends touch boxes
            for b, _, group in self.boxes:
                bb = px_box(b, 2)
                if not group and any(bb[0] < x < bb[2] and bb[1] < y < bb[3] for x, y in inner):
                    problems.append(f"an arrow from {pts[0][0]:.2f}, {pts[0][1]:.2f} runs through the box at "
                                    f"({b.x:.2f}, {b.y:.2f})")
        for i, (t1, e1, _, _) in enumerate(texts):
            for t2, e2, _, _ in texts[i + 1:]:
                if overlap(e1, e2):
                    problems.append(f"{t1.get_text()!r} overlaps {t2.get_text()!r}".replace("\n", " "))
        if problems: raise LayoutError(f"{name}: " + "; ".join(dict.fromkeys(problems)))

    def save(self, path):
        "Check the layout, then write the SVG (compacted: see `compact_svg`)."
        self.check(Path(path).name)
        buf = io.StringIO()
        self.fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(self.fig)
        Path(path).write_text(compact_svg(buf.getvalue()), encoding="utf-8")


def compact_svg(svg):
    """The same picture in fewer bytes: no indentation, path data on one line, path coordinates and translations to
    1/100 of a unit (scale factors are left alone), and short ids for the glyphs."""
    def short(numbers): return re.sub(r"(\d\.\d\d)\d+", r"\1", " ".join(numbers.split()))
    svg = re.sub(r"\n[ \t]+", "\n", svg)
    svg = re.sub(r' d="([^"]*)"', lambda m: f' d="{short(m.group(1))}"', svg)
    svg = re.sub(r"translate\(([^)]*)\)", lambda m: f"translate({short(m.group(1))})", svg)
    for font_name, short_id in (("DejaVuSans-Bold-", "B"), ("DejaVuSans-Oblique-", "I"), ("DejaVuSans-", "R")):
        svg = re.sub(rf'(id="|href="#){font_name}', rf"\g<1>{short_id}", svg)  # the glyphs' ids, used once each
    return svg


# ---------------------------------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------------------------------
@dataclass
class Chapter:
    key: str
    title: str
    col: int
    row: int

    @property
    def number(self): return self.key.lstrip("0") or "0"

    @property
    def side(self): return not self.key[-1].isdigit()  # 04b, 09b: a side chapter, drawn dashed


def roadmap(current):
    """Where chapter `current` sits among the chapters: its box stands out, the others are muted, and each arrow says
    what one chapter hands to another. Chapters 9 and 10 both branch from the pretrained model of chapters 7 and 8."""
    chapters = {row[0]: Chapter(*row) for row in CHAPTERS}
    parts = {key: (chapter, title) for key, chapter, title in PARTS}
    if current in parts:   # a part: its chapter's box, under the part's number and title
        chapter, title = parts[current]
        c = chapters[chapter]
        chapters[chapter] = Chapter(chapter, title, c.col, c.row)
        heads = {chapter: current.lstrip("0")}
        current = chapter
    else: heads = {}
    if current not in chapters: raise ValueError(f"no chapter {current!r} in CHAPTERS or PARTS")
    bw, bh, gap, row_gap, band, margin, below = 1.22, 0.6, 0.86, 0.62, 1.05, 0.08, 0.34
    n_rows = max(c.row for c in chapters.values()) + 1
    width = 2 * margin + 5 * bw + 4 * gap
    height = 2 * margin + band + n_rows * bh + (n_rows - 1) * row_gap + below
    cv = Canvas(width, height)
    top = height - margin - band - bh / 2                   # the centre of row 0

    def x_of(c): return margin + bw / 2 + c.col * (bw + gap)
    def y_of(c): return top - c.row * (bh + row_gap) if c.row >= 0 else top + band
    def edge(*keys):  # the arrows that touch the current chapter are drawn dark, the rest muted
        return dict(color=LINE, label_color=INK) if current in keys else dict(color=FAINT, label_color=SOFT)
    for keys in GROUPS:
        xs, ys = [x_of(chapters[k]) for k in keys], [y_of(chapters[k]) for k in keys]
        cv.box((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs) + bw + 0.2,
               max(ys) - min(ys) + bh + 0.2, style="group", group=True, dashed=True, lw=1.0)
    boxes = {k: cv.box(x_of(c), y_of(c), bw, bh, c.title, head=heads.get(k, c.number), size=SIZE, dashed=c.side,
                       style="current" if k == current else "muted") for k, c in chapters.items()}
    for a, b, label, route in ARROWS:
        ba, bb, kw = boxes[a], boxes[b], edge(a, b)
        if route == "right":
            cv.arrow(ba.right, bb.left, label=label, **kw)
        elif route == "wrap":    # down, back along the gap between the rows, down again
            mid = (ba.bottom[1] + bb.top[1]) / 2
            cv.arrow(ba.bottom, (ba.x, mid), (bb.x, mid), bb.top, label=label, label_side="on", **kw)
        elif route == "down":    # from the bottom of the group's frame, if it has one
            y0 = ba.bottom[1] - (0.1 if any(a in g for g in GROUPS) else 0)
            cv.arrow((ba.x, y0), bb.top, label=label, label_side="right", **kw)
        elif route == "side":    # dashed, to a side chapter above or beside its parent
            pts = (ba.top, bb.bottom) if bb.y > ba.y else (ba.left, bb.right)
            cv.arrow(*pts, dashed=True, label=label, label_side="left" if bb.y > ba.y else "above", **kw)
        elif route == "elbow":   # right along the row, then down into the box
            cv.arrow(ba.right, (bb.x, ba.y), bb.top, label=label, label_side="above", **kw)
        elif route == "under":   # down, along below the row, up into the box
            y = ba.bottom[1] - below + 0.1
            cv.arrow(ba.bottom, (ba.x, y), (bb.x, y), bb.bottom, label=label, label_side="on", **kw)
        else: raise ValueError(f"unknown route {route!r} for the arrow {a} -> {b}")
    return cv


def sliding_window():
    "Chapter 3: windows of max_length token ids, `stride` apart; the targets are the inputs shifted by one."
    # GPT-2's tokens for "To be, or not to be, that" (the line chapter 3 starts with), and their ids
    tokens = ["To", " be", ",", " or", " not", " to", " be", ",", " that"]
    ids = [2514, 307, 11, 393, 407, 284, 307, 11, 326]
    max_length, stride = 4, 2
    starts = list(range(0, len(ids) - max_length, stride))
    cw, ch, left, margin = 0.62, 0.3, 1.45, 0.1
    cv = Canvas(left + len(ids) * cw + 0.2, 0.95 + len(starts) * (2 * ch + 0.38) + 0.35 + 2 * margin)
    def cx(i): return left + (i + 0.5) * cw
    note_x = cx(max_length + 1) - cw / 2 + 0.15  # right of the first window
    y = cv.h - margin - 0.15
    cv.text(left - 0.15, y, "text", ha="right", color=SOFT)
    for i, t in enumerate(tokens):
        cv.text(cx(i), y, t.replace(" ", "\u2423"), size=SIZE, color=SOFT)  # a visible space
    y -= 0.4
    cv.text(left - 0.15, y, "token ids", ha="right", size=SIZE)
    for i, v in enumerate(ids):
        cv.box(cx(i), y, cw - 0.06, ch + 0.04, str(v), style="plain", size=SIZE + 0.5)
    y -= 0.16
    for k, s in enumerate(starts):
        y -= 0.38 + ch / 2
        yi, yt = y, y - ch - 0.04
        cv.text(left - 0.15, yi, f"window {k + 1}:  inputs", ha="right")
        cv.text(left - 0.15, yt, "targets", ha="right")
        for i in range(s, s + max_length):
            cv.box(cx(i), yi, cw - 0.06, ch, str(ids[i]), style="data")
            cv.box(cx(i + 1), yt, cw - 0.06, ch, str(ids[i + 1]), style="target")
        if k == 0:
            cv.text(note_x, yi, f"inputs: max_length = {max_length} ids", ha="left")
            cv.text(note_x, yt, "targets: the same text, one token\nlater (shifted by one)", ha="left")
        else:  # how far this window starts after the previous one, drawn in the free cells on its left
            x0 = cx(starts[k - 1]) - cw / 2 + 0.03
            cv.arrow((x0, yi), (x0 + stride * cw, yi), lw=1.0, both=True, label=f"stride = {stride}",
                     label_side="on")
        y = yt - ch / 2
    cv.text(left, margin + 0.14, f"{len(ids)} tokens, max_length = {max_length}, stride = {stride}:   "
            f"\u230a({len(ids)} \u2212 {max_length} \u2212 1) / {stride}\u230b + 1 = {len(starts)} windows", ha="left",
            color=SOFT)
    return cv


def _shade(v, color=BLUE):
    "A colour between white (v=0) and `color` (v=1)."
    c = matplotlib.colors.to_rgb(color)
    return tuple(1 - v * (1 - k) for k in c)


def qkv_attention():
    """Chapter 4: one head of causal self-attention. x is projected to queries, keys and values; scaled dot products
    of queries and keys give scores; the causal mask hides the future; softmax turns each row into weights that sum
    to 1; the weights mix the values into context vectors."""
    cv = Canvas(9.2, 3.4)
    T, cell = 4, 0.19
    yq, yk, yv = 2.9, 2.0, 0.98
    x = cv.box(0.65, yk, 1.0, 0.62, "(T, d_in)", head="inputs x", style="data")
    proj = {}
    for n, head, y in [("q", "queries Q", yq), ("k", "keys K", yk), ("v", "values V", yv)]:
        w = cv.box(2.0, y, 0.62, 0.42, f"$W_{n}$", style="layer", size=SIZE + 1)
        bus = 1.43
        cv.arrow(x.right, (bus, yk), (bus, y), w.left) if y != yk else cv.arrow(x.right, w.left)
        proj[n] = cv.box(3.25, y, 1.1, 0.55, "(T, d_out)", head=head, style="data")
        cv.arrow(w.right, proj[n].left)
    cv.text(2.0, yq + 0.34, "learned weights", color=GREEN)
    # the three T x T panels: scores, masked scores, weights (made-up numbers, the same in all three)
    rng = [[0.55, 0.2, 0.8, 0.35], [0.7, 0.45, 0.15, 0.6], [0.25, 0.9, 0.5, 0.3], [0.4, 0.65, 0.75, 0.2]]
    panels = {}
    ys = (yq + yk) / 2 + 0.02
    for key, px, sub, colors in [
        ("scores", 5.0, r"$QK^{\top} / \sqrt{d_k}$", lambda i, j: _shade(rng[i][j])),
        ("masked", 6.75, "future = \u2212\u221e", lambda i, j: _shade(rng[i][j]) if j <= i else "#ced4da"),
        ("weights", 8.5, "rows sum to 1",
         lambda i, j: _shade(rng[i][j] / sum(rng[i][:i + 1]) * 0.9 + 0.1) if j <= i else "white")]:
        b = cv.box(px, ys, 1.12, 1.7, style="op")
        cv.text(px, ys + 0.66, key, size=SIZE, weight="bold", inside=b)
        cv.text(px, ys + 0.41, sub, size=SMALL, inside=b)
        cv.grid(px - T * cell / 2, ys + 0.24, T, T, cell, colors, edge="#dee2e6" if key == "weights" else "white")
        cv.text(px, ys - 0.69, "(T, T)", size=SIZE - 0.5, inside=b)
        panels[key] = b
    join = 4.08
    cv.arrow(proj["q"].right, (join, yq), (join, ys), panels["scores"].left)
    cv.arrow(proj["k"].right, (join, yk), (join, ys), head=False)
    cv.arrow(panels["scores"].right, panels["masked"].left, label="causal\nmask")
    cv.arrow(panels["masked"].right, panels["weights"].left, label="softmax\nper row")
    at = cv.circle(panels["weights"].x, yv, "@")
    cv.arrow(panels["weights"].bottom, at.top)
    cv.arrow(proj["v"].right, at.left, label="weights @ V: each row mixes the values", label_at=(5.85, yv))
    out = cv.box(panels["weights"].x - 1.75, 0.36, 1.55, 0.5, "(T, d_out)", head="context vectors", style="data")
    cv.arrow(at.bottom, (at.x, out.y), out.right)
    return cv


def head_split():
    """Chapter 4: how multi-head attention splits d_out into heads without copying: view, transpose, attention in
    every head at once, transpose back, view (merge). The pictures leave out the batch dimension B."""
    n_heads, head_dim, T, cell, gap = 3, 4, 3, 0.13, 0.1
    d_out = n_heads * head_dim
    cv = Canvas(7.85, 4.15)
    def matrix(xc, yc, gap=0.0):  # T x d_out, coloured by head; `gap` pulls the heads' columns apart
        w = d_out * cell + (n_heads - 1) * gap
        for h in range(n_heads):
            cv.grid(xc - w / 2 + h * (head_dim * cell + gap), yc + T * cell / 2, T, head_dim, cell,
                    lambda i, j, h=h: _shade(0.75, HEADS[h]))
        return Box(xc, yc, w, T * cell)
    def stack(xc, yc, light=False):  # n_heads pages of T x head_dim, the first head in front
        off, w, h = 0.13, head_dim * cell, T * cell
        x0, y0 = xc - (w + (n_heads - 1) * off) / 2, yc + (h + (n_heads - 1) * off) / 2
        for k in reversed(range(n_heads)):
            gx, gy, z = x0 + k * off, y0 - k * off, 3 + 0.1 * (n_heads - k)
            cv.ax.add_patch(Rectangle((gx - 0.025, gy - h - 0.025), w + 0.05, h + 0.05, fc="white", ec=FAINT,
                                      lw=0.8, zorder=z - 0.01, clip_on=False))
            cv.grid(gx, gy, T, head_dim, cell, lambda i, j, k=k: _shade(0.4 if light else 0.75, HEADS[k]), z=z)
        return Box(xc, yc, w + (n_heads - 1) * off + 0.05, h + (n_heads - 1) * off + 0.05)
    def caption(b, title, shape):
        cv.text(b.x, b.y + b.h / 2 + 0.1, title, size=SIZE, weight="bold", va="bottom")
        cv.text(b.x, b.y - b.h / 2 - 0.1, shape, size=SIZE, va="top")
    y1, y2 = 2.65, 0.78
    xa, xb, xc = 1.2, 3.9, 6.7
    a = matrix(xa, y1)
    caption(a, "queries (or keys, values)", "(B, T, d_out)")
    b = matrix(xb, y1, gap)
    caption(b, "split into heads", "(B, T, n_heads, head_dim)")
    c = stack(xc, y1)
    caption(c, "one matrix per head", "(B, n_heads, T, head_dim)")
    d = stack(xc, y2, light=True)
    caption(d, "context, per head", "(B, n_heads, T, head_dim)")
    e = matrix(xb, y2, gap)
    caption(e, "heads side by side", "(B, T, n_heads, head_dim)")
    f = matrix(xa, y2)
    caption(f, "heads merged", "(B, T, d_out)")
    cv.arrow(a.right, b.left, label=".view")
    cv.arrow(b.right, c.left, label=".transpose(1, 2)")
    cv.arrow((c.x, c.y - c.h / 2 - 0.4), (d.x, d.y + d.h / 2 + 0.36), label="attention in every\nhead at once",
             label_side="left")
    cv.arrow(d.left, e.right, label=".transpose(1, 2)")
    cv.arrow(e.left, f.right, label=".view")
    cv.text(0.12, cv.h - 0.2, f"d_out = n_heads \u00d7 head_dim = {n_heads} \u00d7 {head_dim} = {d_out}\n"
            f"one row per token (T = {T}), one colour per head; the batch dimension B is left out", ha="left",
            color=SOFT)
    return cv


def transformer_block():
    """Chapter 5: the pre-norm transformer block. Two sub-blocks, each `x + dropout(f(norm(x)))`; the shape
    (B, T, emb_dim) is the same in and out, so blocks stack."""
    cv = Canvas(5.5, 6.95)
    xc, w = 2.45, 2.5
    y = cv.h - 0.2
    cv.text(xc, y, "x   (B, T, emb_dim)", size=SIZE, weight="bold")
    def sub_block(split, name, make_f):
        cv.ax.plot([xc], [split], "o", color=LINE, ms=4, zorder=4, clip_on=False)
        ln = cv.box(xc, split - 0.4, w, 0.4, "LayerNorm", style="layer")
        f = make_f(ln.bottom[1] - 0.22)
        cv.arrow((xc, split), ln.top)
        cv.arrow(ln.bottom, f.top)
        drop = cv.box(xc, f.bottom[1] - 0.22 - 0.17, w, 0.34, "dropout", style="op")
        cv.arrow(f.bottom, drop.top)
        add = cv.circle(xc, drop.bottom[1] - 0.36, "+")
        cv.arrow(drop.bottom, add.top)
        sx = xc - w / 2 - 0.4
        cv.arrow((xc, split), (sx, split), (sx, add.y), add.left, label="shortcut", label_side="on")
        bx = xc + w / 2 + 0.2
        cv.ax.plot([bx, bx + 0.08, bx + 0.08, bx], [split, split, add.y, add.y], color=FAINT, lw=1, clip_on=False)
        cv.text(bx + 0.18, (split + add.y) / 2, name, ha="left", color=SOFT)
        return add
    def attention(y_top):
        return cv.box(xc, y_top - 0.26, w, 0.52, "masked multi-head\nattention", style="layer")
    def feed_forward(y_top):
        g = cv.box(xc, y_top - 0.55, w, 1.1, style="group", group=True)
        cv.text(xc, y_top - 0.17, "feed-forward", size=SIZE, weight="bold", inside=g)
        inner = [cv.box(xc - 0.82, y_top - 0.5, 0.68, 0.34, "Linear", style="layer", size=SIZE - 0.5),
                 cv.box(xc, y_top - 0.5, 0.6, 0.34, "GELU", style="op", size=SIZE - 0.5),
                 cv.box(xc + 0.82, y_top - 0.5, 0.68, 0.34, "Linear", style="layer", size=SIZE - 0.5)]
        for p, q in zip(inner, inner[1:]): cv.arrow(p.right, q.left)
        cv.text(xc, y_top - 0.87, "emb_dim \u2192 4\u00b7emb_dim \u2192 emb_dim", size=SMALL - 0.5, color=SOFT,
                inside=g)
        return g
    split1 = y - 0.42
    cv.arrow((xc, y - 0.13), (xc, split1), head=False)
    add1 = sub_block(split1, "attention\nsub-block", attention)
    split2 = add1.bottom[1] - 0.3
    cv.arrow(add1.bottom, (xc, split2), head=False)
    add2 = sub_block(split2, "feed-forward\nsub-block", feed_forward)
    cv.arrow(add2.bottom, (xc, 0.33))
    cv.text(xc, 0.2, "output   (B, T, emb_dim)", size=SIZE, weight="bold")
    return cv


def gpt_model():
    """Chapter 6: the GPT model from token ids to logits, with the shape of the tensor on every arrow."""
    cv = Canvas(5.5, 6.45)
    xc, w = 2.3, 2.6
    y = cv.h - 0.2
    tok = cv.box(xc - 1.05, y - 0.85, 1.9, 0.6, "vocab_size \u00d7 emb_dim", head="token embedding", style="layer",
                 text_size=SMALL)
    pos = cv.box(xc + 1.12, y - 0.85, 2.05, 0.6, "context_length \u00d7 emb_dim", head="positional embedding",
                 style="layer", text_size=SMALL)
    cv.text(tok.x, y, "token ids   (B, T)", size=SIZE, weight="bold")
    cv.text(pos.x, y, "positions 0 \u2026 T\u22121", size=SIZE)
    cv.arrow((tok.x, y - 0.13), tok.top)
    cv.arrow((pos.x, y - 0.13), pos.top)
    add = cv.circle(xc, tok.bottom[1] - 0.42, "+")
    cv.arrow(tok.bottom, (tok.x, add.y), add.left, label="(B, T, emb_dim)", label_side="left",
             label_at=(tok.x, (tok.bottom[1] + add.y) / 2 + 0.02))
    cv.arrow(pos.bottom, (pos.x, add.y), add.right, label="(T, emb_dim)", label_side="right",
             label_at=(pos.x, (pos.bottom[1] + add.y) / 2 + 0.02))
    def shape(y_from, y_to, s):
        cv.arrow((xc, y_from), (xc, y_to), label=s, label_side="right")
    drop = cv.box(xc, add.bottom[1] - 0.55, w, 0.36, "dropout", style="op")
    shape(add.bottom[1], drop.top[1], "(B, T, emb_dim)")
    by = drop.bottom[1] - 0.68  # n_layers transformer blocks, drawn as a stack
    for k in (2, 1):
        cv.ax.add_patch(FancyBboxPatch((xc - w / 2 + 0.08 * k, by - 0.26 + 0.08 * k), w, 0.52,
                                       boxstyle="round,pad=0,rounding_size=0.08", fc=GREEN_BG, ec=GREEN, lw=1.0,
                                       zorder=1.5, clip_on=False))
    blocks = cv.box(xc, by, w, 0.52, "n_layers of them, one after another", head="transformer block",
                    style="layer", text_size=SMALL - 0.5)
    cv.boxes.append((Box(xc + 0.08, by + 0.08, w + 0.16, 0.68), None, False))
    shape(drop.bottom[1], blocks.top[1] + 0.16, "(B, T, emb_dim)")
    norm = cv.box(xc, blocks.bottom[1] - 0.6, w, 0.38, "final LayerNorm", style="layer")
    shape(blocks.bottom[1], norm.top[1], "(B, T, emb_dim)")
    head = cv.box(xc, norm.bottom[1] - 0.72, w, 0.56, "emb_dim \u2192 vocab_size", head="linear output head",
                  style="layer", text_size=SMALL)
    shape(norm.bottom[1], head.top[1], "(B, T, emb_dim)")
    shape(head.bottom[1], 0.36, "(B, T, vocab_size)")
    cv.text(xc, 0.2, "logits: a score for every possible next token", size=SIZE, weight="bold")
    return cv


def training_step():
    """Chapter 7: one training step, repeated: forward, loss, backward, optimizer step, next batch."""
    cv = Canvas(8.0, 3.35)
    w, h = 1.85, 0.72
    xs = [1.1, 3.9, 6.7]
    yt, yb = 2.8, 0.55
    batch = cv.box(xs[0], yt, w, h, "inputs, targets\n(B, T) each", head="batch", style="data")
    fwd = cv.box(xs[1], yt, w, h, "logits = model(inputs)", head="forward", style="op")
    logits = cv.box(xs[2], yt, w, h, "(B, T, vocab_size)", head="logits", style="data")
    loss = cv.box(xs[2], yb, w, h, "one number", head="loss", style="target")
    back = cv.box(xs[1], yb, w, h, "loss.backward()", head="backward", style="op")
    step = cv.box(xs[0], yb, w, h, "AdamW updates\nevery weight", head="optimizer step", style="op")
    cv.arrow(batch.right, fwd.left)
    cv.arrow(fwd.right, logits.left)
    cv.arrow(logits.bottom, loss.top, label="cross-entropy\nwith the targets", label_side="right")
    cv.arrow(loss.left, back.right)
    cv.arrow(back.left, step.right, label="gradients")
    cv.arrow(step.top, batch.bottom, label="next batch", label_side="right")
    weights = cv.box(xs[1], (yt + yb) / 2, 1.5, 0.46, "model weights", style="layer")
    cv.arrow(weights.top, fwd.bottom, dashed=True, color=GREEN, label="used by", label_side="right")
    cv.arrow(back.top, weights.bottom, dashed=True, color=GREEN, label="fills .grad", label_side="right")
    cv.arrow((step.right[0] - 0.3, step.top[1]), (weights.left[0], weights.y), dashed=True, color=GREEN,
             label="updates", label_side="on")
    return cv


def _labelled_grid(cv, x0, y0, rows, cell, size=SMALL - 1):
    """A grid whose rows are lists of (text, fill) cells, top-left corner at (x0, y0); returns its Box."""
    cols = max(len(r) for r in rows)
    g = cv.grid(x0, y0, len(rows), cols, cell, lambda i, j: rows[i][j][1] if j < len(rows[i]) else None)
    for i, r in enumerate(rows):
        for j, (t, _) in enumerate(r):
            if t: cv.text(x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell, t, size=size, inside=g)
    return g


def classifier_head():
    """Chapter 9: `GPTClassifier` on a right-padded batch. The body makes one vector per position; the head reads
    each row's vector at its last real token (found from the attention mask), never a padding position."""
    cv = Canvas(9.95, 3.25)
    lens, T, cell = [6, 3, 4], 6, 0.27
    real, pad, last = _shade(0.45), "#e9ecef", _shade(0.9, ORANGE)
    ids = _labelled_grid(cv, 0.65, 2.6, [[("", real if j < n else pad) for j in range(T)] for n in lens], cell)
    cv.text(ids.x, 2.78, "token ids (B, T), right-padded", size=SMALL, weight="bold")
    mask = _labelled_grid(cv, 0.65, 1.25, [[("1" if j < n else "0", _shade(0.15) if j < n else pad) for j in range(T)]
                                          for n in lens], cell)
    cv.text(mask.x, 1.43, "attention_mask (B, T)", size=SMALL, weight="bold")
    body = cv.box(3.35, ids.y, 1.45, 0.8, "embeddings, blocks,\nfinal norm", head="GPT body", style="layer",
                  text_size=SMALL - 0.5)
    cv.arrow(ids.right, body.left)
    hx0 = 4.75
    hid = _labelled_grid(cv, hx0, 2.6, [[("", last if j == n - 1 else _shade(0.35, GREEN) if j < n else "#f1f3f5")
                                         for j in range(T)] for n in lens], cell)
    cv.text(hid.x, 2.78, "hidden states (B, T, emb_dim)", size=SMALL, weight="bold")
    cv.arrow(body.right, hid.left)
    idx = cv.box(3.35, mask.y, 1.45, 0.5, "(5, 2, 3)", head="last_real_index", style="op", text_size=SMALL)
    cv.arrow(mask.right, idx.left)
    cv.arrow(idx.right, (hid.x, idx.y), hid.bottom, label="the last real token\nof each row", label_side="right",
             label_at=(hid.x, (idx.y + hid.bottom[1]) / 2), color=ORANGE, label_color=ORANGE)
    head = cv.box(8.0, hid.y, 1.05, 0.62, "emb_dim \u2192 2", head="head", style="layer", text_size=SMALL)
    cv.arrow(hid.right, head.left, label="(B, emb_dim)")
    logits = _labelled_grid(cv, 9.15, hid.y + 1.5 * cell, [[("", _shade(0.5, ORANGE))] * 2] * 3, cell)
    cv.text(logits.x, 2.78, "logits (B, 2)", size=SMALL, weight="bold")
    cv.arrow(head.right, logits.left)
    cv.text(hx0 + 0.6, 0.3, "grey: padding, never read (and, under the causal mask, never seen by a real token)",
            size=SMALL - 0.5, color=SOFT)
    return cv


def lora():
    """Chapter 9b: a LoRA layer. The frozen weight W and, beside it, the trainable low-rank update B A scaled by
    alpha / r: y = W x + (alpha / r) B A x. A starts random and B at zero, so the layer starts as W alone."""
    cv = Canvas(8.3, 3.45)
    ytop, ybot = 2.45, 0.95
    x = cv.box(0.62, (ytop + ybot) / 2, 0.85, 0.62, "(\u2026, in)", head="x", style="data")
    w = cv.box(3.55, ytop, 1.75, 0.78, "out \u00d7 in, frozen", head="W", style="muted")
    a = cv.box(2.55, ybot, 1.05, 0.66, "r \u00d7 in", head="A", style="layer")
    b = cv.box(4.45, ybot, 1.05, 0.66, "out \u00d7 r", head="B", style="layer")
    plus = cv.circle(6.35, (ytop + ybot) / 2, "+")
    y = cv.box(7.6, plus.y, 0.95, 0.62, "(\u2026, out)", head="y", style="data")
    bus = 1.45
    cv.arrow(x.right, (bus, x.y), (bus, ytop), w.left)
    cv.arrow((bus, x.y), (bus, ybot), a.left)
    cv.arrow(a.right, b.left, label="(\u2026, r)")
    cv.arrow(w.right, (plus.x, ytop), plus.top, label="W x", label_side="above")
    cv.arrow(b.right, (plus.x, ybot), plus.bottom, label="$\\times\\ \\alpha / r$", label_side="above")
    cv.arrow(plus.right, y.left)
    cv.text(a.x, ybot - 0.5, "random at the start", color=GREEN)
    cv.text(b.x, ybot - 0.5, "zero at the start", color=GREEN)
    cv.text(3.5, 0.12, "trainable: r \u00b7 (in + out) numbers instead of out \u00b7 in; after training, "
            "W + (\u03b1 / r) B A is one matrix again", size=SMALL - 0.5, color=SOFT, va="bottom")
    cv.text(cv.w / 2, cv.h - 0.2, "y = W x + (\u03b1 / r) B A x", size=SIZE + 1, weight="bold")
    return cv


def prompt_mask():
    """Chapter 10: a padded batch of (prompt, response) pairs. Inputs are the sequence without its last token,
    targets the sequence shifted by one; the targets of prompt tokens and of padding are -100, which the loss
    ignores, so the model learns only to write the response and its end token."""
    cv = Canvas(8.6, 2.95)
    rows = [(4, 3), (3, 1), (5, 2)]                    # (prompt, response) tokens per row; the end token follows
    cell, T = 0.45, max(p + r for p, r in rows)
    P, R, E, PAD, IGN = _shade(0.35), _shade(0.4, GREEN), _shade(0.55, ORANGE), "#e9ecef", "#f8f9fa"
    def seq(p, r): return [("P", P)] * p + [("R", R)] * r + [("E", E)]
    inputs = [seq(p, r)[:-1] + [("pad", PAD)] * (T - p - r) for p, r in rows]
    targets = [[("\u2212100", IGN)] * (p - 1) + seq(p, r)[p:] + [("\u2212100", IGN)] * (T - p - r) for p, r in rows]
    gi = _labelled_grid(cv, 0.3, 2.35, inputs, cell)
    gt = _labelled_grid(cv, 5.1, 2.35, targets, cell)
    cv.text(gi.x, 2.55, "inputs (B, T)", size=SMALL, weight="bold")
    cv.text(gt.x, 2.55, "targets (B, T)", size=SMALL, weight="bold")
    cv.arrow(gi.right, gt.left, label="shift by one,\nmask the prompt\nand the padding")
    cv.text(0.3, 0.62, "each row is P prompt tokens, R response tokens and E, the end token; inputs: the row without "
            "its last token",
            size=SMALL - 0.5, ha="left", color=SOFT)
    cv.text(0.3, 0.3, "pad: any id (the end token, say); \u2212100: ignored by the loss, so only the response and its "
            "end token are learned",
            size=SMALL - 0.5, ha="left", color=SOFT)
    return cv


FIGURES = {**{f"roadmap_{c[0]}": (lambda k=c[0]: roadmap(k)) for c in CHAPTERS + PARTS},
           "sliding_window": sliding_window, "qkv_attention": qkv_attention, "head_split": head_split,
           "transformer_block": transformer_block, "gpt_model": gpt_model, "training_step": training_step,
           "classifier_head": classifier_head, "lora": lora, "prompt_mask": prompt_mask}


def draw_all(out):
    "Write every figure as `out/<name>.svg`; return the paths."
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in FIGURES.items():
        path = out / f"{name}.svg"
        make().save(path)
        paths.append(path)
    return paths


def check(images=IMAGES):
    """Draw every figure into a temporary folder and compare bytes with `images`. Returns (problems, skipped): the
    files that are missing or differ, and those drawn by another matplotlib version (their bytes cannot match)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name: p.read_bytes() for p in draw_all(tmp)}
    problems, skipped = [], []
    for name, data in fresh.items():
        old = images / name
        if not old.exists(): problems.append(f"{name}: missing")
        elif old.read_bytes() != data:
            made_by = re.search(rb"Matplotlib v([\w.]+)", old.read_bytes())
            if made_by and made_by.group(1).decode() != matplotlib.__version__:
                skipped.append(f"{name} (drawn with matplotlib {made_by.group(1).decode()})")
            else: problems.append(f"{name}: differs")
    return problems, skipped


def main():
    ap = argparse.ArgumentParser(description="Draw the book's diagrams into nbs/images/.")
    ap.add_argument("--out", type=Path, default=IMAGES, help="folder to write the SVGs to (default: nbs/images)")
    ap.add_argument("--check", action="store_true", help="compare nbs/images/ with a fresh drawing instead of writing")
    args = ap.parse_args()
    if args.check:
        problems, skipped = check()
        if problems:
            sys.exit("nbs/images/ is out of date: run `python tools/diagrams.py` and commit.\n  "
                     + "\n  ".join(problems))
        if skipped:
            print(f"not compared, this is matplotlib {matplotlib.__version__}:\n  " + "\n  ".join(skipped))
        print(f"nbs/images/: {len(FIGURES) - len(skipped)} of {len(FIGURES)} diagrams compared, all identical to "
              "what tools/diagrams.py draws")
        return
    for p in draw_all(args.out):
        print(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}  ({p.stat().st_size / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
