"""Fine-tuning the shipped model for classification (chapters 9 and 9b): what pretraining buys, and LoRA against full
fine-tuning.

    python bench/finetune.py                      # 2 threads, 3 seeds, about 5 minutes on a 2-core CPU
    python bench/finetune.py --seeds 0 --sizes 100,1000

The task is chapter 9's: is a speech verse or prose? Labels come from the edition's layout (`load_verse_prose`),
the text the model reads is the speech with its line breaks replaced by spaces, cut to its last 64 tokens. Training
examples come from the training split of the corpus (balanced, drawn per seed); the test set is every prose speech
of the validation plays and as many verse speeches, which the base model never saw (50% is chance).

1. Pretrained against from scratch at two label counts (default 100 and 1,000), same architecture, same steps
   (three passes over the data, at least 60 and at most 250 steps, batches of 16):
   - pretrained: the shipped model; the head, the last block and the final norm train, on hidden states of the
     frozen first blocks computed once (`hidden_states`);
   - scratch: the same `GPTConfig` with random weights; everything trains.
2. LoRA (rank 8, alpha 16, on the attention projections, head trainable) against full fine-tuning, both on 500
   labels for 150 steps: test accuracy, trainable parameters, training tokens/s (token positions per second of
   training steps, padding included, as the Trainer counts them; the runs alternate, LoRA, full, LoRA, full, ...,
   and the median over seeds is printed) and the size of the file that holds what fine-tuning changed (`save_lora`,
   against every weight of the classifier in safetensors, the tied output matrix stored once).
"""
import argparse
import copy
import math
import statistics
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

from minigpt.classify import (PROSE, ClassificationDataset, GPTClassifier, accuracy, balanced_sample, fine_tune,
                              hidden_states, load_verse_prose, set_trainable)
from minigpt.corpus import atomic_write
from minigpt.lora import add_lora, save_lora
from minigpt.model import GPTModel, count_parameters
from minigpt.checkpoint import load_checkpoint
from minigpt.train import seed_everything

MAX_TOKENS, BATCH = 64, 16
LR = {"pretrained": 1e-3, "scratch": 1e-3, "full": 3e-4, "lora": 3e-3}   # as in chapters 9 and 9b
CMP_LABELS, CMP_STEPS = 500, 150


def steps_for(n):
    "Three passes over n examples, at least 60 and at most 250 steps (chapter 9's budget)."
    return min(250, max(60, 3 * math.ceil(n / BATCH)))


def mean(xs): return sum(xs) / len(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    ap.add_argument("--sizes", default="100,1000", help="two label counts for pretrained vs scratch (default 100,1000)")
    ap.add_argument("--model", default="shakespeare", help="checkpoint folder or shipped model name (default shakespeare)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    t_start = time.perf_counter()

    ck = load_checkpoint(args.model, load_state=False)
    base, tok = ck["model"].eval(), ck["tokenizer"]
    cfg, n_blocks = base.cfg, base.cfg.n_layers
    train_pool, test_pool = load_verse_prose("train"), load_verse_prose("val")
    test_set = balanced_sample(test_pool, 2 * sum(e.label == PROSE for e in test_pool), seed=0)
    test_ds = ClassificationDataset(test_set, tok, 2, MAX_TOKENS)
    pre = GPTClassifier(base, 2)
    test_feats = hidden_states(pre, test_ds, n_blocks - 1)
    print(f"model {args.model!r} (step {ck['step']:,}, {base.num_parameters():,} parameters); {len(train_pool):,} labeled "
          f"training speeches, test set {len(test_set)} (balanced, chance 50%); {args.threads} threads; seeds {seeds}\n")

    # 1. pretrained vs scratch
    acc = {(arm, n): [] for arm in ("pretrained", "scratch") for n in sizes}
    for seed in seeds:
        big = balanced_sample(train_pool, max(sizes), seed=seed)
        big_ds = ClassificationDataset(big, tok, 2, MAX_TOKENS)
        big_feats = hidden_states(pre, big_ds, n_blocks - 1)
        where = {e: i for i, e in enumerate(big)}
        for n in sizes:
            idx = [where[e] for e in balanced_sample(train_pool, n, seed=seed)]
            seed_everything(seed)
            clf = GPTClassifier(copy.deepcopy(base), 2); set_trainable(clf, "last_block")
            fine_tune(clf, [big_feats[i] for i in idx], start=n_blocks - 1, max_steps=steps_for(n), seed=seed, lr=LR["pretrained"])
            acc["pretrained", n].append(accuracy(clf, test_feats, start=n_blocks - 1))
            seed_everything(seed)
            clf = GPTClassifier(GPTModel(cfg), 2)
            fine_tune(clf, [big_ds[i] for i in idx], max_steps=steps_for(n), seed=seed, lr=LR["scratch"])
            acc["scratch", n].append(accuracy(clf, test_ds))
    print("1. Test accuracy, pretrained (head + last block trained) vs from scratch (all trained); mean [min, max] over seeds")
    print(f"{'labels':>8} {'steps':>6} {'pretrained':>22} {'from scratch':>22} {'gain (points)':>14}")
    for n in sizes:
        p, s = acc["pretrained", n], acc["scratch", n]
        print(f"{n:8,} {steps_for(n):6} {mean(p):9.1%} [{min(p):.1%}, {max(p):.1%}] {mean(s):9.1%} [{min(s):.1%}, {max(s):.1%}] "
              f"{100 * (mean(p) - mean(s)):+14.1f}")

    # 2. LoRA vs full fine-tuning
    train_ds = ClassificationDataset(balanced_sample(train_pool, CMP_LABELS, seed=0), tok, 2, MAX_TOKENS)
    res = {"LoRA": {"acc": [], "tps": []}, "full": {"acc": [], "tps": []}}
    folder = Path(tempfile.mkdtemp())
    for seed in seeds:
        for name in ("LoRA", "full"):
            seed_everything(seed)
            clf = GPTClassifier(copy.deepcopy(base), 2); set_trainable(clf, "all")
            if name == "LoRA": add_lora(clf, rank=8, alpha=16)
            t = fine_tune(clf, train_ds, max_steps=CMP_STEPS, seed=seed, lr=LR["lora" if name == "LoRA" else "full"])
            res[name]["acc"].append(accuracy(clf, test_ds)); res[name]["tps"].append(t.tokens_per_sec)
            res[name]["trainable"], res[name]["total"] = count_parameters(clf)
            if name == "LoRA": res[name]["bytes"] = save_lora(clf, folder / "lora.safetensors").stat().st_size
            else:
                sd = {k: v.contiguous() for k, v in clf.state_dict().items() if k != "gpt.out_head.weight"}   # tied: stored once
                res[name]["bytes"] = atomic_write(folder / "full.safetensors", lambda p: save_file(sd, p)).stat().st_size
    print(f"\n2. LoRA (rank 8, alpha 16, attention projections) vs full fine-tuning: {CMP_LABELS} labels, {CMP_STEPS} steps")
    print(f"{'':6} {'test accuracy':>30} {'trainable':>11} {'share':>7} {'tokens/s':>9} {'checkpoint':>12}")
    for name, r in res.items():
        print(f"{name:6} {mean(r['acc']):8.1%} [{min(r['acc']):.1%}, {max(r['acc']):.1%}] {r['trainable']:11,} "
              f"{r['trainable'] / r['total']:7.2%} {statistics.median(r['tps']):9,.0f} {r['bytes'] / 1024:8,.0f} KiB")
    lo, fu = res["LoRA"], res["full"]
    print(f"LoRA / full: accuracy {100 * (mean(lo['acc']) - mean(fu['acc'])):+.1f} points, trainable parameters "
          f"{lo['trainable'] / fu['trainable']:.3f}x, tokens/s {statistics.median(lo['tps']) / statistics.median(fu['tps']):.2f}x, "
          f"checkpoint {lo['bytes'] / fu['bytes']:.3f}x")
    print(f"\ntotal time {(time.perf_counter() - t_start) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
