"""Instruction fine-tuning of the shipped model (chapter 10): does the tuned model read its input?

    python bench/instruct.py                         # every row below: about 45 minutes on an idle 2-core CPU
    python bench/instruct.py --only default,plays    # some rows (names as printed, comma-separated)
    python bench/instruct.py --quick                 # a tenth of the steps, 100 test examples: a smoke test

It prints side by side, on the same held-out examples (plays the shipped model never read, the validation side of the
pretraining split): the rule "the speaker before last", the shipped model untuned, the default recipe of `minigpt
finetune` (`FINETUNE_DEFAULTS`: full fine-tuning on `renamed_examples`, the speakers renamed at random), the same
recipe from scratch (random weights), and the levers tried on the way to the default, each changing one thing:

- plays-old:   the first edition's recipe: the plays' examples as they are, 300 steps of 8 pairs, lr 3e-4;
- plays:       the default's steps, batch and lr, but the real names (no renaming): does memory win?
- all-answers: renamed, but keeping the examples whose next speaker is not on stage (an answer no reading can find);
- lora:        LoRA rank 8 (alpha 16, attention and feed-forward) on the default data, lr 3e-3;
- half:        the default with half the steps.

Measures (`evaluate_instructions`): "who next", greedy exact-name accuracy on "Who speaks next?" (300 examples);
"on stage", the share of those answers that name a speaker of the input (an answer from memory names someone else);
"choice", the multiple choice on "Reply as" (the true reply against another reply of the same play, by mean
log-probability; chance 50%) with its 95% interval; the response loss; the share of 20 sampled replies that stop at
the end token. Seconds and tokens/s are the training loop's own (padding included, as the Trainer counts).
"""
import argparse
import copy
import random
import time

import torch

from minigpt.checkpoint import load_checkpoint
from minigpt.corpus import read_speeches, speech_split
from minigpt.instruct import (FINETUNE_DEFAULTS, end_token_id, evaluate_instructions, finetune, next_speaker_examples,
                              play_examples, rename_speakers, renamed_examples, reply_examples, speaker_before_last)
from minigpt.lora import add_lora, merge_lora
from minigpt.model import GPTModel
from minigpt.train import seed_everything

LORA_TARGETS = ("att.qkv", "att.out_proj", "ff")


def all_answers(seed=0):
    "Renamed 'Who speaks next?' examples, also those whose answer is not on stage, plus the default share of replies."
    rng = random.Random(seed)
    pool = sorted({s.speaker for s in read_speeches() if speech_split(s) == "train"})
    who = [rename_speakers(e, rng, pool) for e in next_speaker_examples("train")]
    rep = reply_examples("train")
    rng.shuffle(rep)
    out = who + rep[:len(who) // 3]
    rng.shuffle(out)
    return out


def recipes(base, steps):
    "name -> (model maker, training examples maker, overrides of FINETUNE_DEFAULTS)."
    d = FINETUNE_DEFAULTS
    lora = lambda: add_lora(copy.deepcopy(base), 8, 16, LORA_TARGETS, trainable=())
    return {
        "default": (lambda: copy.deepcopy(base), renamed_examples, {"max_steps": steps}),
        "scratch": (lambda: GPTModel(base.cfg), renamed_examples, {"max_steps": steps}),
        "plays-old": (lambda: copy.deepcopy(base), play_examples,
                      {"max_steps": max(1, steps * 300 // d["max_steps"]), "batch_size": 8, "lr": 3e-4, "min_lr": 3e-5,
                       "warmup_steps": max(1, steps * 30 // d["max_steps"])}),
        "plays": (lambda: copy.deepcopy(base), play_examples, {"max_steps": steps}),
        "all-answers": (lambda: copy.deepcopy(base), all_answers, {"max_steps": steps}),
        "lora": (lora, renamed_examples, {"max_steps": steps, "lr": 3e-3, "min_lr": 3e-4}),
        "half": (lambda: copy.deepcopy(base), renamed_examples,
                 {"max_steps": max(1, steps // 2),
                  "warmup_steps": max(1, d["warmup_steps"] * steps // d["max_steps"] // 2)}),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated row names (default: all)")
    ap.add_argument("--who", type=int, default=300, help="held-out 'Who speaks next?' examples (default 300)")
    ap.add_argument("--choices", type=int, default=300, help="held-out 'Reply as' examples (default 300)")
    ap.add_argument("--quick", action="store_true", help="a tenth of the steps and 100 test examples")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    steps = FINETUNE_DEFAULTS["max_steps"] // (10 if args.quick else 1)
    n_who, n_rep = (100, 100) if args.quick else (args.who, args.choices)
    ck = load_checkpoint("shakespeare", load_state=False)
    base, tok = ck["model"], ck["tokenizer"]
    end = end_token_id(tok)
    who_test = random.Random(1).sample(next_speaker_examples("val"), n_who)
    reply_test = random.Random(2).sample(reply_examples("val"), n_rep)
    table = recipes(base, steps)
    only = [n for n in args.only.split(",") if n] or list(table)
    unknown = set(only) - set(table) - {"untuned"}
    if unknown: ap.error(f"unknown row(s) {', '.join(sorted(unknown))}: choose from untuned, {', '.join(table)}")
    print(f"{torch.get_num_threads()} threads; {n_who} 'Who speaks next?' and {n_rep} 'Reply as' held-out examples; "
          f"default: {FINETUNE_DEFAULTS}\n")
    rule = sum(speaker_before_last(e) == e.output for e in who_test) / n_who
    rows = {}
    if not args.only or "untuned" in only:
        rows["untuned"] = evaluate_instructions(base, tok, who_test + reply_test, end, n_generate=20)
    for name in [n for n in only if n in table]:
        make, data, over = table[name]
        seed_everything(0)
        model, t0 = make(), time.perf_counter()
        t = finetune(model, tok, data(), **over)
        rows[name] = {**evaluate_instructions(merge_lora(model).eval(), tok, who_test + reply_test, end, n_generate=20),
                      "steps": t.step, "batch": over.get("batch_size", FINETUNE_DEFAULTS["batch_size"]),
                      "tokens/s": t.tokens_per_sec, "seconds": t.elapsed, "tokens": t.tokens_seen,
                      "all_s": time.perf_counter() - t0}
        print(f"{name}: done in {rows[name]['all_s']:.0f} s", flush=True)
    print(f"\n{'row':12s} {'who next':>8s} {'on stage':>8s} {'choice':>14s} {'resp.loss':>9s} {'stops':>6s} "
          f"{'steps':>9s} {'tokens':>10s} {'tokens/s':>8s} {'s':>6s}")
    print(f"{'rule':12s} {rule:>8.1%} {1.0:>8.1%}")
    for name, r in rows.items():
        print(f"{name:12s} {r['next_speaker_accuracy']:>8.1%} {r['in_input']:>8.1%} {r['choice_accuracy']:>7.1%} "
              f"± {r['choice_pm']:.1%} {r['response_loss']:>9.3f} {r['stop_rate']:>6.0%} "
              f"{r.get('steps', 0):>5,} x{r.get('batch', 0):<2d} {r.get('tokens', 0):>10,} "
              f"{r.get('tokens/s', float('nan')):>8,.0f} {r.get('seconds', float('nan')):>6.0f}")
    if "default" in rows:
        d = rows["default"]
        print(f"\ndefault vs the rule: who next {d['next_speaker_accuracy']:.1%} vs {rule:.1%} "
              f"(ratio {d['next_speaker_accuracy'] / rule:.2f}; goal >= 60%)")
        print(f"choice {d['choice_accuracy']:.1%} ± {d['choice_pm']:.1%} on {d['n_choice']} pairs "
              f"(chance 50%, goal >= 60%)")


if __name__ == "__main__":
    main()
