"""Benchmark the model that ships with minigpt (`load_checkpoint("shakespeare")`): quality and generation speed.

Run from the repository root:  python bench/release.py  [--threads 2] [--rounds 3] [--tokens 200]

1. Quality: the loss per character (nats and bits) on the whole validation split, `train_val_split(load_text(
   "shakespeare"), 0.9)[1]`, which the model never trained on, next to the bigram baseline (2.47) and the target
   (1.40 nats per character), and next to the value recorded in the checkpoint when it was packaged.
2. Speed: tokens/s of sampling `--tokens` new tokens after the prompt "ROMEO:", with and without the KV cache
   (median of `--rounds` interleaved runs; the same seed, so both write the same text, which is checked).
3. Three samples at temperature 0.8 (seeds 1, 2, 3).
"""
import argparse
import math
import statistics
import time

import torch

from minigpt.corpus import load_text, train_val_split
from minigpt.generation import generate
from minigpt.checkpoint import load_checkpoint
from minigpt.trainer import loss_per_char

BIGRAM, TARGET = 2.47, 1.40


def timed_generate(model, ids, n, use_cache, seed):
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    out = generate(model, ids, n, temperature=0.8, generator=g, use_cache=use_cache)
    return out, n / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tokens", type=int, default=200)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ck = load_checkpoint("shakespeare", load_state=False)
    model, tok, info = ck["model"].eval(), ck["tokenizer"], ck["info"]
    print(f"shipped model: {model.num_parameters():,} parameters, {tok.n_vocab} BPE tokens, context "
          f"{model.cfg.context_length}; trained {info.get('steps', '?')} steps in "
          f"{info.get('train_seconds', 0) / 60:.0f} min "
          f"from commit {str(info.get('commit', '?'))[:12]}; {a.threads} threads")

    _, val_text = train_val_split(load_text("shakespeare"), 0.9)
    t0 = time.perf_counter()
    loss = loss_per_char(model, tok, val_text)
    print(f"\n1. validation split ({len(val_text):,} characters, {time.perf_counter() - t0:.0f} s to score)")
    print(f"   loss per character: {loss:.4f} nats = {loss / math.log(2):.3f} bits "
          f"(recorded at packaging: {info.get('val_loss_per_char', float('nan')):.4f})")
    print(f"   bigram baseline {BIGRAM:.2f}: ratio {loss / BIGRAM:.3f}; target <= {TARGET:.2f}: "
          f"{'PASS' if loss <= TARGET else 'FAIL'}")

    ids = torch.tensor([tok.encode("ROMEO:")])                      # (1, T)
    speeds = {True: [], False: []}
    with torch.no_grad():
        for r in range(a.rounds):
            outs = {}
            for use_cache in ((True, False) if r % 2 == 0 else (False, True)):
                outs[use_cache], s = timed_generate(model, ids, a.tokens, use_cache, seed=r)
                speeds[use_cache].append(s)
            assert torch.equal(outs[True], outs[False]), "the cache changed the sampled text"
    with_cache, without = statistics.median(speeds[True]), statistics.median(speeds[False])
    print(f"\n2. generation of {a.tokens} tokens after 'ROMEO:' (median of {a.rounds} rounds, same text both ways)")
    print(f"   with KV cache {with_cache:,.0f} tokens/s, without {without:,.0f} tokens/s: {with_cache / without:.1f}x")

    print("\n3. samples at temperature 0.8")
    for seed in (1, 2, 3):
        out, _ = timed_generate(model, torch.tensor([tok.encode("\n")]), 80, True, seed)
        print(f"--- seed {seed} ---\n{tok.decode(out[0].tolist()).strip()}\n")


if __name__ == "__main__":
    main()
