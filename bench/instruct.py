"""Instruction fine-tuning of the shipped model (chapter 10): does the tuned model read its input?

    python bench/instruct.py                         # every row below: about 45 minutes on an idle 2-core CPU
    python bench/instruct.py --only default,plays    # some rows (names as printed, comma-separated)
    python bench/instruct.py --quick                 # a tenth of the steps, 100 test examples: a smoke test

It prints side by side, on the same held-out examples (plays the shipped model never read, the validation side of the
pretraining split): the rule "the speaker before last", the shipped model untuned, the default recipe of `minigpt
finetune` (`FINETUNE_DEFAULTS`: `chat_examples`, renamed speakers plus replies that take up their message, with 15%
replay of the plays' text), the first renamed recipe it grew from (`renamed_examples`, no replay) and the same from
scratch (random weights), and the levers tried on the way to the renamed recipe, each changing one thing against it
(every row but the default without replay; `bench/chat.py` measures the chat's voice and listening):

- renamed:     `renamed_examples` (who-next renamed + 'Reply as'), the default's steps, batch and lr, no replay;
- plays-old:   the first edition's recipe: the plays' examples as they are, 300 steps of 8 pairs, lr 3e-4;
- plays:       the default's steps, batch and lr, but the real names (no renaming): does memory win?
- all-answers: renamed, but keeping the examples whose next speaker is not on stage (an answer no reading can find);
- syllables:   the first renamed recipe: new names made of 40 fixed syllables, or drawn from the training plays'
               speakers (half each), instead of glued from pieces of real names;
- one-word:    names glued from one to four pieces of real names into one word, whatever the shape of the old name
               (the second renamed recipe), instead of a name shaped like the old one (words, case, length);
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
from minigpt.chat import (chat_examples, evaluate_instructions, finetune, FINETUNE_DEFAULTS, input_speakers, invented_name, name_pieces, next_speaker_examples, play_examples, rename_speakers, renamed_examples, reply_examples, speaker_before_last)
from minigpt.instruct import end_token_id
from minigpt.lora import add_lora, merge_lora
from minigpt.model import GPTModel
from minigpt.train import seed_everything

LORA_TARGETS = ("att.qkv", "att.out_proj", "ff")


SYLLABLES = ("AN", "BEL", "COR", "DA", "EN", "FAL", "GOR", "HAL", "IS", "JOR", "KEL", "LO", "MAR", "NEL", "OR", "PER",
             "QUIN", "RO", "SAL", "TOR", "UL", "VAN", "WIL", "XAN", "YOR", "ZED", "BA", "CI", "DU", "FE", "GA", "HO",
             "LI", "MU", "NO", "PA", "RI", "SU", "TI", "VO")
TITLES = ("SIR ", "LORD ", "LADY ", "KING ", "FIRST ", "SECOND ")


def _renamed(new_name, keep_all=False, seed=0):
    "Renamed 'Who speaks next?' examples (those whose answer is on stage, or all) plus the default share of replies."
    rng = random.Random(seed)
    who = [rename_speakers(e, rng, new_name) for e in next_speaker_examples("train")
           if keep_all or e.output in input_speakers(e)]
    rep = reply_examples("train")
    rng.shuffle(rep)
    out = who + rep[:len(who) // 3]
    rng.shuffle(out)
    return out


def _cast():
    return sorted({s.speaker for s in read_speeches() if speech_split(s) == "train"})


def all_answers(seed=0):
    "The default's names, but keeping the examples whose answer is not on stage."
    pieces = name_pieces(_cast(), seed)
    return _renamed(lambda rng, old: invented_name(rng, pieces, old), keep_all=True, seed=seed)


def one_word(seed=0):
    "The second renamed recipe: one to four pieces of real names glued into one word, sometimes after a title."
    pieces = name_pieces(_cast(), seed)
    def new_name(rng, old):
        name = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        return (rng.choice(TITLES) if rng.random() < 0.2 else "") + name
    return _renamed(new_name, seed=seed)


def syllables(seed=0):
    "The first renamed recipe: half the names of fixed syllables, half the training plays' own speakers."
    cast = _cast()
    def new_name(rng, old):
        if rng.random() < 0.5: return rng.choice(cast)
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
        return (rng.choice(TITLES[:5]) if rng.random() < 0.2 else "") + name
    return _renamed(new_name, seed=seed)


def recipes(base, steps):
    "name -> (model maker, training examples maker, overrides of FINETUNE_DEFAULTS)."
    d = FINETUNE_DEFAULTS
    lora = lambda: add_lora(copy.deepcopy(base), 8, 16, LORA_TARGETS, trainable=())
    rows = {
        "default": (lambda: copy.deepcopy(base), chat_examples, {"max_steps": steps}),
        "renamed": (lambda: copy.deepcopy(base), renamed_examples, {"max_steps": steps}),
        "scratch": (lambda: GPTModel(base.cfg), renamed_examples, {"max_steps": steps}),
        "plays-old": (lambda: copy.deepcopy(base), play_examples,
                      {"max_steps": max(1, steps * 300 // d["max_steps"]), "batch_size": 8, "lr": 3e-4, "min_lr": 3e-5,
                       "warmup_steps": max(1, steps * 30 // d["max_steps"])}),
        "plays": (lambda: copy.deepcopy(base), play_examples, {"max_steps": steps}),
        "all-answers": (lambda: copy.deepcopy(base), all_answers, {"max_steps": steps}),
        "syllables": (lambda: copy.deepcopy(base), syllables, {"max_steps": steps}),
        "one-word": (lambda: copy.deepcopy(base), one_word, {"max_steps": steps}),
        "lora": (lora, renamed_examples, {"max_steps": steps, "lr": 3e-3, "min_lr": 3e-4}),
        "half": (lambda: copy.deepcopy(base), renamed_examples,
                 {"max_steps": max(1, steps // 2),
                  "warmup_steps": max(1, d["warmup_steps"] * steps // d["max_steps"] // 2)}),
    }
    return {k: (m, d, {**o, "replay": 0.0} if k != "default" else o) for k, (m, d, o) in rows.items()}


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
