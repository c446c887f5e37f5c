"""Time to quality on CPU: char-level Shakespeare, equal wall-clock budget, minigpt vs the book's training loop.

    python bench/train.py                 # 5 minutes each (10 minutes in all), 2 threads
    python bench/train.py --minutes 1     # a quicker check
    python bench/train.py --presets shakespeare-char,shakespeare-bpe --minutes 7    # two minigpt recipes, side by side
    python bench/train.py --presets shakespeare-bpe-gpt2,shakespeare-bpe --minutes 7   # GPT-2's parts vs the default

With --presets, each named preset (or YAML file) is trained as `minigpt train` trains it (its own tokenizer, model
and schedule) for the same wall-clock budget, one after the other, and scored by its loss per character on the whole
validation split (`minigpt.trainer.loss_per_char`), which compares character and BPE models fairly. A BPE tokenizer
is trained before the clock starts (a few seconds).

Both runs train the same model size on the same training split with the same time budget, in this one process,
one after the other, and are then scored by the same function (`minigpt.train.calc_loss_loader`) on the same
validation batches (non-overlapping windows spread over the validation split):

- minigpt: `GPTModel` and `Trainer` with the `shakespeare-char` preset (AdamW with decay on matrices, lr 2e-3
  with warm-up and a cosine that ends when the time budget does, gradient clipping, windows every 32 characters).
- peer: `llms_from_scratch.ch04.GPTModel` of the same size trained by `llms_from_scratch.ch05.train_model_simple`
  with the book's usual settings: AdamW lr 4e-4, weight decay 0.1, constant rate, and its `GPTDatasetV1` windows
  with stride = max_length, shuffled, same batch size. Dropout is 0 in both models.

How the peer's loop is stopped on time: `train_model_simple` calls `calc_loss_batch` through its module's globals
once per training step, so we replace `llms_from_scratch.ch05.calc_loss_batch` with a wrapper that counts tokens
and raises `TimeUp` at the first training step after the deadline; the exception leaves the loop, and the model
keeps the weights of the last completed step. Its per-epoch sample printing is silenced (redirected stdout), and
its own periodic evaluation is set to 1 batch every 10**9 steps (so only once, at step 0).

Target: a clearly lower validation loss for minigpt (by more than 0.05 nats) at equal wall time. The CPU seconds
each run actually got are printed too: on a shared machine they show whether the two runs had the same share.
"""
import argparse
import contextlib
import io
import math
import time

import torch

from minigpt.run import build_trainer, prepare_data
from minigpt.config import resolve_config
from minigpt.corpus import load_text, train_val_split
from minigpt.data import fixed_batches
from minigpt.train import calc_loss_loader, seed_everything
from minigpt.trainer import loss_per_char


class TimeUp(Exception):
    "Raised inside the peer's training loop when the time budget is spent."


def run_minigpt(cfg, tok, train_ds, seconds):
    "The `minigpt train` recipe of `cfg` (its own data, model and trainer steps), with `seconds` of training, no files."
    trainer = build_trainer(cfg, tok, train_ds, None, max_steps=10**9, max_time=seconds, eval_interval=0, eval_iters=1,
                            sample_interval=0, progress=False, out_dir=None)
    trainer.fit()
    return trainer.model, trainer.step, trainer.tokens_seen, trainer.tokens_per_sec


def run_peer(cfg, tok, train_text, seconds):
    from llms_from_scratch import ch05
    from llms_from_scratch.ch02 import GPTDatasetV1
    from llms_from_scratch.ch04 import GPTModel as PeerGPT
    seed_everything(cfg["seed"])
    T, B = cfg["context_length"], cfg["batch_size"]
    peer_cfg = {"vocab_size": tok.n_vocab, "context_length": T, "emb_dim": cfg["emb_dim"], "n_heads": cfg["n_heads"],
                "n_layers": cfg["n_layers"], "drop_rate": cfg["drop_rate"], "qkv_bias": cfg["qkv_bias"]}
    model = PeerGPT(peer_cfg)
    ds = GPTDatasetV1(train_text, tok, max_length=T, stride=T)          # the book's windows: stride = max_length
    loader = torch.utils.data.DataLoader(ds, batch_size=B, shuffle=True, drop_last=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    original = ch05.calc_loss_batch
    stats = {"tokens": 0, "steps": 0, "train_time": 0.0}
    deadline = None

    def timed_calc_loss_batch(input_batch, target_batch, model, device):
        if model.training:                                   # a training step (evaluation runs in eval mode)
            if time.perf_counter() >= deadline: raise TimeUp()
            stats["tokens"] += input_batch.numel(); stats["steps"] += 1
        return original(input_batch, target_batch, model, device)

    ch05.calc_loss_batch = timed_calc_loss_batch
    start = time.perf_counter(); deadline = start + seconds
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            ch05.train_model_simple(model, loader, loader, optimizer, "cpu", num_epochs=10**6, eval_freq=10**9,
                                    eval_iter=1, start_context="ROMEO:", tokenizer=tok)
    except TimeUp:
        pass
    finally:
        ch05.calc_loss_batch = original
    elapsed = time.perf_counter() - start
    return model, stats["steps"], stats["tokens"], stats["tokens"] / elapsed


def compare_presets(names, seconds):
    "Train each preset (or YAML file) for `seconds` as `minigpt train` would, and print its loss per character."
    results = {}
    for name in names:
        cfg = resolve_config(config_file=name) if name.endswith((".yaml", ".yml")) else resolve_config(name)
        tok, train_ds, _ = prepare_data(cfg)
        _, val_text = train_val_split(load_text(cfg["data"]), cfg["train_frac"])
        cpu0 = time.process_time()
        model, steps, tokens, tps = run_minigpt(cfg, tok, train_ds, seconds)
        cpu = time.process_time() - cpu0
        results[name] = loss_per_char(model, tok, val_text)
        print(f"{name:>24}: {cfg['tokenizer']} ({tok.n_vocab} tokens), {model.num_parameters() / 1e6:.2f}M parameters, "
              f"context {cfg['context_length']}, batch {cfg['batch_size']}, lr {cfg['lr']:g}: {steps:6,} steps, "
              f"{tokens:11,} tokens, {tps:8,.0f} tokens/s, {cpu:6.0f} CPU s; "
              f"val loss {results[name]:.3f} per character",
              flush=True)
    first, last = results[names[0]], results[names[-1]]
    print(f"val loss per character {names[-1]} / {names[0]} = {last / first:.3f} "
          f"(difference {first - last:+.3f} nats); "
          f"target: {names[-1]} lower by at least 0.05 nats/char -> {'PASS' if first - last >= 0.05 else 'FAIL'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0, help="training budget per run (default 5)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--val-batches", type=int, default=50)
    ap.add_argument("--presets", help="comma-separated presets or YAML files: compare these minigpt recipes instead")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seconds = args.minutes * 60
    if args.presets:
        print(f"{args.minutes:g} min per run, {torch.get_num_threads()} threads")
        return compare_presets(args.presets.split(","), seconds)
    cfg = resolve_config("shakespeare-char")
    tok, train_ds, val_ds = prepare_data(cfg)                           # what `minigpt train` trains and scores on
    train_text = train_val_split(load_text(cfg["data"]), cfg["train_frac"])[0]
    T = cfg["context_length"]
    val_batches = fixed_batches(val_ds, args.val_batches, cfg["batch_size"])
    print(f"char-level Shakespeare: {len(train_ds.tokens):,} training tokens, vocabulary {tok.n_vocab}; model "
          f"{cfg['n_layers']} layers x {cfg['emb_dim']} dims x {cfg['n_heads']} heads, context {T}, "
          f"batch {cfg['batch_size']}; "
          f"{args.minutes:g} min per run, {torch.get_num_threads()} threads")

    results = {}
    for name, fn in (("minigpt", lambda: run_minigpt(cfg, tok, train_ds, seconds)),
                     ("llms_from_scratch", lambda: run_peer(cfg, tok, train_text, seconds))):
        cpu0 = time.process_time()
        model, steps, tokens, tps = fn()
        cpu = time.process_time() - cpu0                   # CPU seconds this run got (< threads x wall under load)
        model.eval()
        val = calc_loss_loader(val_batches, model, "cpu")
        results[name] = val
        print(f"{name:>18}: {steps:6,} steps, {tokens:11,} tokens, {tps:8,.0f} tokens/s, {cpu:6.0f} CPU s, "
              f"val loss {val:.3f} (perplexity {math.exp(val):.2f})", flush=True)
    ours, peer = results["minigpt"], results["llms_from_scratch"]
    verdict = "PASS" if ours < peer - 0.05 else "FAIL"
    print(f"val loss minigpt / peer = {ours / peer:.3f} (difference {peer - ours:+.3f} nats); "
          f"target: lower by more than 0.05 -> {verdict}")


if __name__ == "__main__":
    main()
