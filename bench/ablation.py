"""The ablation ladder: what each architectural idea buys on char-level Shakespeare, at an equal wall-clock budget.

    python bench/ablation.py                    # 7 rungs x 90 s of training, 2 threads: about 11-12 minutes in all
    python bench/ablation.py --rungs 1,2,7      # a subset
    python bench/ablation.py --seconds 3 --val-batches 5 --plot /tmp/abl.png --json /tmp/abl.json   # a smoke test
    python bench/ablation.py --rungs 7-13 --seeds 3  # the modern rungs: 21 runs of 90 s + 7 at equal steps, ~45 min

Seven models are trained one after the other in this process, each for the same number of seconds, on the training
windows of `minigpt train --preset shakespeare-char` (`minigpt.cli.prepare_data` of that preset: context 64, a
window every 32 characters), and scored by the same function (`minigpt.train.calc_loss_loader`, eval mode) on the
same validation batches (`minigpt.data.fixed_batches(val_ds, 50, 32)`: non-overlapping windows spread over the
validation split).

The ladder adds one idea per rung:

1. bigram: `minigpt.model.BigramModel`, a vocab x vocab table of next-token logits.
2. + one causal self-attention head: token + positional embedding (`GPTEmbedding`), one head of size emb_dim
   (`MultiHeadAttention` with num_heads=1 and its output projection removed), a linear head to the vocabulary.
3. + multi-head: 4 heads of emb_dim/4, concatenated and mixed by the output projection.
4. + feed-forward: a block is multi-head attention then `FeedForward` (Linear, GELU, Linear), stacked 4 times;
   no shortcuts, no norms.
5. + shortcuts: x + att(x), then x + ff(x) in every block.
6. + layer norm: pre-norm `LayerNorm` before attention and feed-forward, and a final norm before the head
   (the same computation as minigpt's `TransformerBlock` and `GPTModel`, without the tied head).
7. the full recipe: `GPTModel` of the `shakespeare-char` preset, trained exactly as `minigpt train` trains it
   (`minigpt.cli.build_trainer`: GPT-2 init with residual projections scaled down, the head tied to the token
   embedding, AdamW with weight decay 0.1 on the matrices, lr 3e-3 with warm-up and a cosine that ends with the
   budget, gradient clipping at 1.0).

8-13. the modern ideas of chapter 5b, each added on top of the rung before it (so rung 13 has them all), with
   `minigpt train`'s recipe of rung 7 and only the config keys named changed:
   8. + RoPE (`pos_emb: rope`); 9. + RMSNorm (`norm: rms`); 10. + SwiGLU at the feed-forward's parameter count
   (`mlp: swiglu`, `hidden_dim` = 2/3 of 4 x emb_dim, rounded up to a multiple of 8); 11. + QK-norm (`qk_norm: true`); 12. + grouped-query
   attention (`n_kv_heads: 2` of 4 heads: half the KV cache); 13. + Muon for the hidden matrices (`optimizer: muon`,
   chapter 7's float32 Newton-Schulz on CPU).

With `--seeds N` every rung is trained N times (seeds 123, 124, ...) and the table shows the mean and the spread
(max - min) of the validation loss, and whether a rung's gain over the rung before it beats the noise (the
difference of the means is more than twice its standard error). With `--equal-steps S` (default 1000; 0: skip)
each rung from 7 on is also trained for exactly S steps (seed 123, the cosine schedule ending at S): what an idea
buys per step, beside what it buys per second. The KV-cache column is the bytes a full context of keys and values
takes in float32 (2 x n_layers x n_kv_heads x head_dim x context_length x 4).

Rungs 2-6 are one small module, `Ladder`, whose flags (heads, feed_forward, shortcuts, layer_norm) are the only
difference between them. Rungs 1-6 share one plain recipe so that the ladder isolates the architecture: PyTorch's
default init, `minigpt.trainer.Trainer` with AdamW at a constant lr 1e-3 (--lr), no weight decay, no warm-up, no
clipping, batch 32, seed 123. Rung 7 then shows what the rest of the recipe adds on top of rung 6's architecture.

The last column of the table is the ladder of the lecture this series learns from (Andrej Karpathy, "Let's build
GPT: from scratch, in code, spelled out"), also on Tiny Shakespeare at the character level, but with other model
sizes, contexts and training budgets (its last rung is a 6-layer, 384-dim model trained on a GPU): read it as the
shape to expect, not as numbers to match.

Target: each architectural rung (2 to 6) is not worse than the rung before it by more than noise (--noise, 0.03
nats by default); rung 7 should beat rung 6. PASS/FAIL is printed per transition, as information: at an equal
wall-clock budget a deeper rung gets fewer steps, so a short budget can make a rung look worse than it is.
The CPU seconds each rung got are printed too: on a shared machine they show whether every rung had the same share.
"""
import argparse
import json
import platform
import time
from pathlib import Path

import torch
from torch import nn

from minigpt.attention import MultiHeadAttention
from minigpt.run import build_trainer, prepare_data
from minigpt.config import resolve_config
from minigpt.data import fixed_batches
from minigpt.embeddings import GPTEmbedding
from minigpt.model import BigramModel
from minigpt.modern import swiglu_hidden_dim
from minigpt.train import calc_loss_loader, seed_everything
from minigpt.trainer import Trainer
from minigpt.transformer import FeedForward, LayerNorm

SEED = 123

# rung -> (short label, what it adds, Ladder flags or None, the lecture's value or None)
RUNGS = {
    1: ("bigram", "a V x V table of next-token logits", None, None),
    2: ("1 head", "one causal self-attention head", dict(heads=1, n_layers=1), 2.5),
    3: ("4 heads", "multi-head attention + output projection", dict(heads=4, n_layers=1), 2.28),
    4: ("+ FFN x4", "feed-forward; 4 blocks stacked", dict(heads=4, n_layers=4, feed_forward=True), 2.24),
    5: ("+ shortcuts", "residual connections", dict(heads=4, n_layers=4, feed_forward=True, shortcuts=True), None),
    6: ("+ layer norm", "pre-norm + final norm",
        dict(heads=4, n_layers=4, feed_forward=True, shortcuts=True, layer_norm=True), 2.06),
    7: ("full recipe", "GPTModel + `minigpt train`'s recipe", None, 1.48),
    8: ("+ RoPE", "rotary positions in place of learned ones", {"pos_emb": "rope"}, None),
    9: ("+ RMSNorm", "RMS norms in place of layer norms", {"norm": "rms"}, None),
    10: ("+ SwiGLU", "gated feed-forward, equal parameters", {"mlp": "swiglu"}, None),
    11: ("+ QK-norm", "RMS norm on each head's queries and keys", {"qk_norm": True}, None),
    12: ("+ GQA", "2 key/value heads for 4 query heads", {"n_kv_heads": 2}, None),
    13: ("+ Muon", "Muon for the hidden matrices", {"optimizer": "muon"}, None),
}


def modern_config(cfg, rung):
    "Rung 7's config with the switches of rungs 8..`rung` on top (SwiGLU's hidden size keeps the parameter count)."
    out = dict(cfg)
    for r in range(8, rung + 1): out.update(RUNGS[r][2])
    if out.get("mlp") == "swiglu": out["hidden_dim"] = swiglu_hidden_dim(cfg["emb_dim"])
    return out


def kv_bytes(cfg):
    "Bytes of a full context's keys and values in float32."
    kv = cfg.get("n_kv_heads") or cfg["n_heads"]
    return 2 * cfg["n_layers"] * kv * (cfg["emb_dim"] // cfg["n_heads"]) * cfg["context_length"] * 4


class LadderBlock(nn.Module):
    "Attention, then (optionally) feed-forward, each with an optional shortcut and pre-norm: (B, T, d) -> (B, T, d)."
    def __init__(self, emb_dim, context_length, heads, feed_forward, shortcuts, layer_norm):
        super().__init__()
        self.shortcuts = shortcuts
        self.att = MultiHeadAttention(emb_dim, emb_dim, context_length, 0.0, heads)
        if heads == 1: self.att.out_proj = nn.Identity()   # one head: its values are the output, nothing to mix
        self.norm1 = LayerNorm(emb_dim) if layer_norm else nn.Identity()
        self.ff = FeedForward(emb_dim) if feed_forward else None
        self.norm2 = LayerNorm(emb_dim) if layer_norm and feed_forward else nn.Identity()

    def forward(self, x):
        a = self.att(self.norm1(x))                          # (B, T, d)
        x = x + a if self.shortcuts else a                   # (B, T, d)
        if self.ff is not None:
            f = self.ff(self.norm2(x))                       # (B, T, d)
            x = x + f if self.shortcuts else f               # (B, T, d)
        return x


class Ladder(nn.Module):
    "Rungs 2-6: embeddings -> `n_layers` `LadderBlock`s -> (final norm) -> linear head; ids (B, T) -> logits (B, T, V)."
    def __init__(self, vocab_size, emb_dim, context_length, heads=1, n_layers=1, feed_forward=False,
                 shortcuts=False, layer_norm=False):
        super().__init__()
        self.emb = GPTEmbedding(vocab_size, emb_dim, context_length, 0.0)
        self.blocks = nn.Sequential(*(LadderBlock(emb_dim, context_length, heads, feed_forward, shortcuts, layer_norm)
                                      for _ in range(n_layers)))
        self.final_norm = LayerNorm(emb_dim) if layer_norm else nn.Identity()
        self.head = nn.Linear(emb_dim, vocab_size, bias=False)

    def forward(self, idx):
        x = self.emb(idx)                                    # (B, T, d)
        x = self.final_norm(self.blocks(x))                  # (B, T, d)
        return self.head(x)                                  # (B, T, V)


def n_params(model):
    "Distinct parameters (a tied matrix counts once)."
    return sum(p.numel() for p in model.parameters())


def train_rung(rung, cfg, tok, train_ds, val_ds, seconds, lr, device, seed=SEED, steps=None):
    "A freshly seeded model for `rung`, trained for `seconds` (or exactly `steps` steps); returns the trainer."
    budget = dict(max_steps=steps, max_time=None) if steps else dict(max_steps=10**9, max_time=seconds)
    if rung >= 7:   # exactly `minigpt train`'s model and recipe, with a budget and no files
        return build_trainer({**modern_config(cfg, rung), "seed": seed}, tok, train_ds, val_ds, **budget,
                             eval_interval=0, eval_iters=1, sample_interval=0, progress=False, out_dir=None,
                             device=device)
    seed_everything(seed)
    flags = RUNGS[rung][2]
    model = (BigramModel(tok.n_vocab) if flags is None
             else Ladder(tok.n_vocab, cfg["emb_dim"], cfg["context_length"], **flags))
    return Trainer(model, train_ds, None, batch_size=cfg["batch_size"], **budget, lr=lr,
                   min_lr=lr, warmup_steps=0, weight_decay=0.0, grad_clip=0.0, eval_interval=0, eval_iters=1,
                   sample_interval=0, progress=False, out_dir=None, seed=seed, device=device)


def fmt_ref(v): return "—" if v is None else f"{v:g}"


def plot_ladder(results, path):
    "Validation loss per rung as bars, the lecture's values as markers."
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    xs = range(len(results))
    vals = [r["val_loss"] for r in results]
    ax.bar(xs, vals, color="#4c72b0", width=0.6, label="this run")
    for x, v in zip(xs, vals): ax.text(x, v, f"{v:.2f}", ha="center", va="bottom", fontsize=8)
    refs = [(x, r["lecture"]) for x, r in zip(xs, results) if r["lecture"] is not None]
    if refs: ax.plot(*zip(*refs), "D", color="#dd8452", markersize=6, label="lecture's ladder")
    ax.set_xticks(list(xs), [f"{r['rung']}. {r['label']}" for r in results], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("validation loss (nats)")
    ax.set_ylim(0, max(vals + [v for _, v in refs]) * 1.35)   # headroom for the legend
    ax.set_title(f"char-level Shakespeare, {results[0]['seconds']:g} s of training per rung", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", ncol=2, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def parse_rungs(s):
    try:
        rungs = set()
        for part in (x.strip() for x in s.split(",") if x.strip()):
            lo, _, hi = part.partition("-")
            rungs |= set(range(int(lo), int(hi or lo) + 1))
        rungs = sorted(rungs)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rungs takes numbers and ranges like 1,2,7 or 7-13, got {s!r}") from None
    bad = [r for r in rungs if r not in RUNGS]
    if bad or not rungs:
        raise argparse.ArgumentTypeError(f"--rungs must name rungs among 1..{max(RUNGS)}, e.g. 1,2,7; got {s!r}")
    return rungs


def summarize(runs):
    "Mean, spread (max - min) and standard error of the validation losses of one rung's seeds."
    v = [r["val_loss"] for r in runs]
    mean = sum(v) / len(v)
    sd = (sum((x - mean) ** 2 for x in v) / (len(v) - 1)) ** 0.5 if len(v) > 1 else float("nan")
    return mean, max(v) - min(v), sd / len(v) ** 0.5


def modern_table(results, equal, seconds):
    "The table of rungs 7+: mean +- spread over seeds at equal time, the gain and whether it beats the noise, steps."
    by = {}
    for r in results: by.setdefault(r["rung"], []).append(r)
    rungs = [k for k in sorted(by) if k >= 7]
    if not rungs: return []
    n = len(by[rungs[0]])
    print(f"\n| rung | what it adds | parameters | steps in {seconds:g} s | tokens/s | KV cache | val loss ({n} seeds, "
          f"mean ± spread) | gain | beats noise | val loss at {equal['steps'] if equal else '-'} steps |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    rows, prev = [], None
    for k in rungs:
        mean, spread, se = summarize(by[k])
        gain = None if prev is None else prev[0] - mean
        beats = None if prev is None or n < 2 else gain > 2 * (se ** 2 + prev[2] ** 2) ** 0.5
        first = by[k][0]
        steps = sum(r["steps"] for r in by[k]) / n
        tps = sum(r["tokens_per_sec"] for r in by[k]) / n
        eq = equal["loss"].get(k) if equal else None
        rows.append(dict(rung=k, mean=mean, spread=spread, se=se, gain=gain, beats_noise=beats, steps=steps,
                         tokens_per_sec=tps, kv_bytes=first["kv_bytes"], equal_steps_loss=eq))
        print(f"| {k}. {first['label']} | {first['adds']} | {first['params']:,} | {steps:,.0f} | {tps:,.0f} | "
              f"{first['kv_bytes'] / 1024:.0f} KiB | {mean:.3f} ± {spread:.3f} | "
              f"{'—' if gain is None else f'{gain:+.3f}'} | {'—' if beats is None else 'yes' if beats else 'no'} | "
              f"{'—' if eq is None else f'{eq:.3f}'} |")
        prev = (mean, spread, se)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=90.0, help="training budget per rung (default 90)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rungs", type=parse_rungs, default=list(RUNGS), help="a subset, e.g. 1,2,7 (default: all)")
    ap.add_argument("--lr", type=float, default=1e-3, help="the constant learning rate of rungs 1-6 (default 1e-3)")
    ap.add_argument("--noise", type=float, default=0.03, help="tolerance in nats for the PASS/FAIL per transition")
    ap.add_argument("--val-batches", type=int, default=50)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per rung (123, 124, ...; default 1)")
    ap.add_argument("--equal-steps", type=int, default=1000,
                    help="also train rungs 7+ for exactly this many steps, one seed (0: skip; default 1000)")
    ap.add_argument("--plot", type=Path, default=Path("nbs/images/ablation_ladder.png"))
    ap.add_argument("--json", type=Path, default=Path("bench/results/ablation.json"))
    args = ap.parse_args()
    if not args.seconds > 0: ap.error(f"--seconds must be > 0, got {args.seconds}")
    if args.threads < 1: ap.error(f"--threads must be >= 1, got {args.threads}")
    if args.val_batches < 1: ap.error(f"--val-batches must be >= 1, got {args.val_batches}")
    torch.set_num_threads(args.threads)

    cfg = resolve_config("shakespeare-char")
    tok, train_ds, val_ds = prepare_data(cfg)                  # what `minigpt train` trains and scores on
    val_batches = fixed_batches(val_ds, args.val_batches, cfg["batch_size"])
    print(f"char-level Shakespeare: {len(train_ds.tokens):,} training tokens, vocabulary {tok.n_vocab}; emb_dim "
          f"{cfg['emb_dim']}, context {cfg['context_length']}, batch {cfg['batch_size']}; {args.seconds:g} s per rung, "
          f"{torch.get_num_threads()} threads, rungs {','.join(map(str, args.rungs))}", flush=True)

    results = []
    t_all = time.perf_counter()
    for rung in args.rungs:
        for seed in range(SEED, SEED + args.seeds):
            label, adds, _, ref = RUNGS[rung]
            cpu0 = time.process_time()
            trainer = train_rung(rung, cfg, tok, train_ds, val_ds, args.seconds, args.lr, args.device, seed)
            trainer.fit()
            cpu = time.process_time() - cpu0                   # CPU seconds this rung got (threads x wall when idle)
            model = trainer.model.eval()
            val = calc_loss_loader(val_batches, model, trainer.device)
            r = dict(rung=rung, seed=seed, label=label, adds=adds, params=n_params(model), steps=trainer.step,
                     tokens=trainer.tokens_seen, tokens_per_sec=trainer.tokens_per_sec, seconds=args.seconds,
                     train_seconds=trainer.elapsed, cpu_seconds=cpu, val_loss=val, lecture=ref,
                     kv_bytes=kv_bytes(modern_config(cfg, rung)) if rung >= 7 else None)
            results.append(r)
            print(f"rung {rung} {label:>12} seed {seed}: {r['params']:9,} parameters, {r['steps']:6,} steps, "
                  f"{r['tokens_per_sec']:8,.0f} tokens/s, {cpu:6.0f} CPU s, val loss {val:.3f}", flush=True)
    equal = None
    if args.equal_steps and any(r >= 7 for r in args.rungs):
        equal = {"steps": args.equal_steps, "loss": {}}
        for rung in [r for r in args.rungs if r >= 7]:
            trainer = train_rung(rung, cfg, tok, train_ds, val_ds, args.seconds, args.lr, args.device,
                                 steps=args.equal_steps)
            trainer.fit()
            equal["loss"][rung] = calc_loss_loader(val_batches, trainer.model.eval(), trainer.device)
            print(f"rung {rung} at {args.equal_steps} steps ({trainer.elapsed:.0f} s): val loss "
                  f"{equal['loss'][rung]:.3f}", flush=True)
    modern = modern_table(results, equal, args.seconds)
    results = [r for r in results if r["seed"] == SEED]        # the ladder below: the first seed of each rung

    print("\n| rung | what it adds | parameters | steps | val loss | the lecture's ladder |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['rung']}. {r['label']} | {r['adds']} | {r['params']:,} | {r['steps']:,} | {r['val_loss']:.3f} "
              f"| {fmt_ref(r['lecture'])} |")
    print(f"\nValidation loss after {args.seconds:g} s of training per rung on {torch.get_num_threads()} CPU threads. "
          "The last column is the ladder published in Karpathy's lecture \"Let's build GPT\" on Tiny Shakespeare, "
          "measured with other sizes and budgets: compare its shape, not its values.\n")

    verdicts = []
    for prev, cur in zip(results, results[1:]):
        ok = cur["val_loss"] <= prev["val_loss"] + (args.noise if cur["rung"] <= 6 else 0.0)
        verdicts.append(dict(transition=f"{prev['rung']}->{cur['rung']}", delta=cur["val_loss"] - prev["val_loss"],
                             ok=ok))
        target = f"not worse by more than {args.noise:g}" if cur["rung"] <= 6 else "lower"
        print(f"rung {prev['rung']} -> {cur['rung']} ({cur['label']}): {cur['val_loss'] - prev['val_loss']:+.3f} nats; "
              f"target: {target} -> {'PASS' if ok else 'FAIL'}")

    wall = time.perf_counter() - t_all
    print(f"\n{wall:.0f} s in all")
    meta = dict(seconds=args.seconds, threads=torch.get_num_threads(), lr_rungs_1_6=args.lr, noise=args.noise,
                val_batches=len(val_batches), device=args.device, torch=torch.__version__,
                python=platform.python_version(),
                machine=platform.machine(), vocab_size=tok.n_vocab, wall_seconds=wall)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(dict(meta={**meta, "seeds": args.seeds}, rungs=results, transitions=verdicts,
                                         modern=modern, equal_steps=equal), indent=1))
    plot_ladder(results, args.plot)
    print(f"wrote {args.json} and {args.plot}")


if __name__ == "__main__":
    main()
