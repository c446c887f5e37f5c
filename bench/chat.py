"""The chat of chapter 10b: does a fine-tune keep the base model's voice, and do its replies listen to their message?

    python bench/chat.py                              # every row at the default's budget: about 80 min on 2 idle cores
    python bench/chat.py --steps 400 --batch 8        # every row at a quarter of the tokens: about 30 min
    python bench/chat.py --only renamed,default       # some rows (names as printed, comma-separated)

Each row fine-tunes the shipped model with `minigpt finetune`'s pipeline (`chat.finetune`) and changes one thing
against the default recipe (`FINETUNE_DEFAULTS`: `chat_examples` with 15% replay of the plays' text):

- untuned:  the shipped model itself, writing the next speech of a scene (chapter 10a's bar);
- renamed:  the previous default: renamed 'Who speaks next?' + 'Reply as' (`renamed_examples`), no replay;
- replay:   the previous default's data with 15% replay;
- echo:     the default's data (`chat_examples`: replies that take up their message) without replay;
- default:  the default recipe;
- lora:     the default with LoRA rank 8 in place of full fine-tuning (LoRA's learning rates);
- low-lr:   the default at lr 3e-4 (min 3e-5);
- half:     the default with half the steps.

Each tuned row is measured twice, sampling plainly (guidance 1) and with the chat's guidance (`CHAT_GUIDANCE`), on
the bench's own eight messages (none in a chapter) and on 24 real held-out speeches of the validation plays, each
message its own conversation with seed 123, as `minigpt chat --seed 123` replies: fluency of the replies under the
shipped model (nats/char; real held-out speeches beside it), unknown words (share of reply words not in the corpus),
listening (nats/char more likely after its own message than after the others, under the model that replied, and how
many replies are likeliest after their own message). 'who' is greedy 'Who speaks next?' on 150 held-out examples,
with the rule "the speaker before last" beside it.
"""
import argparse
import copy
import random
import time

import torch

from minigpt.chat import (CHAT_GUIDANCE, FINETUNE_DEFAULTS, LORA_LR, chat_examples, chat_replies, finetune,
                          next_speaker_examples, renamed_examples, speaker_before_last, who_speaks_next)
from minigpt.chat_measures import corpus_vocabulary, fluency, listening, real_speech_pairs, speech_context, unknown_share
from minigpt.checkpoint import load_checkpoint
from minigpt.corpus import speech_pairs
from minigpt.generation import generate_reply
from minigpt.instruct import ALPACA, end_token_id
from minigpt.lora import merge_lora
from minigpt.train import seed_everything

MESSAGES = [   # the bench's own eight, written for it
    "The horses are ready at the gate.",
    "Who killed my father?",
    "Come, let us drink wine and be merry.",
    "Thy brother is a traitor and a villain.",
    "Hast thou seen the ghost upon the walls?",
    "The soldiers are hungry and cold.",
    "Wilt thou marry me, sweet lord?",
    "I have lost my purse and all my money.",
]


def real_messages(n=24, max_chars=200, seed=3):
    "`n` real speeches of the validation plays (20 to `max_chars` characters, each answered in its scene), seeded."
    pool = [a.text for a, _ in speech_pairs("val") if 20 <= len(a.text) <= max_chars]
    return random.Random(seed).sample(pool, n)


def rows(steps, batch):
    "name -> overrides of the default recipe (None: the untuned model)."
    scale = {"max_steps": steps, "batch_size": batch, "warmup_steps": max(1, steps // 10)}
    return {"untuned": None,
            "renamed": {**scale, "data": renamed_examples, "replay": 0.0},
            "replay": {**scale, "data": renamed_examples},
            "echo": {**scale, "replay": 0.0},
            "default": scale,
            "lora": {**scale, "lora_rank": 8, **LORA_LR},
            "low-lr": {**scale, "lr": 3e-4, "min_lr": 3e-5},
            "half": {**scale, "max_steps": steps // 2, "warmup_steps": max(1, steps // 20)}}


def replies(model, tok, end, messages, guidance, untuned=False):
    "One conversation per message, seed 123 each; the untuned model writes the next speech of a scene."
    if untuned:
        scene = lambda m: speech_context("HORATIO", m, "HAMLET")
        return [generate_reply(model, tok, scene(m), tok.encode("\n")[0], 60, seed=123)[0] for m in messages]
    loaded = {"model": model, "tokenizer": tok, "template": ALPACA, "end_id": end}
    return [next(chat_replies(loaded, [m], guidance=guidance))[0] for m in messages]


def measure(model, base, tok, end, sets, vocab, real_pairs, guidance, untuned=False):
    out = {}
    for key, msgs in sets.items():
        reps = replies(model, tok, end, msgs, guidance, untuned)
        kw = {"context": lambda m: speech_context("HORATIO", m, "HAMLET")} if untuned else {}
        out[key] = {**fluency(base, tok, msgs, reps, real_pairs=real_pairs), "texts": reps,
                    "unknown": unknown_share(reps, vocab), **listening(model, tok, msgs, reps, **kw)}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated row names (default: all)")
    ap.add_argument("--steps", type=int, default=FINETUNE_DEFAULTS["max_steps"])
    ap.add_argument("--batch", type=int, default=FINETUNE_DEFAULTS["batch_size"])
    ap.add_argument("--show", type=int, default=8, help="print the replies to this many of the bench's messages")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    table = rows(args.steps, args.batch)
    only = [n for n in args.only.split(",") if n] or list(table)
    if set(only) - set(table): ap.error(f"unknown row(s): choose from {', '.join(table)}")
    ck = load_checkpoint("shakespeare", load_state=False)
    base, tok = ck["model"].eval(), ck["tokenizer"]
    end = end_token_id(tok)
    sets = {"own": MESSAGES, "real": real_messages()}
    vocab, real_pairs = corpus_vocabulary(), real_speech_pairs()
    who_test = random.Random(1).sample(next_speaker_examples("val"), 150)
    rule = sum(speaker_before_last(e) == e.output for e in who_test) / len(who_test)
    print(f"{torch.get_num_threads()} threads; {args.steps} steps of {args.batch}; guidance {CHAT_GUIDANCE:g}; "
          f"the default: {FINETUNE_DEFAULTS}\n", flush=True)
    results = {}
    for name in only:
        over = table[name]
        if over is None:
            results[name] = {"g1": measure(base, base, tok, end, sets, vocab, real_pairs, 1.0, untuned=True)}
            continue
        over = dict(over)
        data = over.pop("data", chat_examples)
        seed_everything(0)
        model = copy.deepcopy(base)
        t = finetune(model, tok, data("train"), **over)
        model = merge_lora(model).eval()
        said = who_speaks_next(model, tok, who_test, end)
        results[name] = {"train_s": t.elapsed, "steps": t.step,
                         "who": sum(s == e.output for s, e in zip(said, who_test)) / len(who_test),
                         **{f"g{g:g}": measure(model, base, tok, end, sets, vocab, real_pairs, g)
                            for g in (1.0, CHAT_GUIDANCE)}}
        print(f"{name}: trained in {t.elapsed:.0f} s", flush=True)
    print(f"\n{'row':9s} {'guid':>4s} | {'own: fluency':>12s} {'unknown':>7s} {'listening':>9s} {'match':>5s} | "
          f"{'real: fluency':>13s} {'unknown':>7s} {'listening':>9s} {'match':>5s} | {'who':>6s} {'train s':>7s}")
    first = next(iter(results.values()))["g1"]
    print(f"{'real held-out speeches':22s} {first['own']['real']:>6.2f}")
    for name, r in results.items():
        for g in [k for k in r if k.startswith("g")]:
            o, x = r[g]["own"], r[g]["real"]
            print(f"{name:9s} {g[1:]:>4s} | {o['replies']:>12.2f} {o['unknown']:>7.1%} {o['delta']:>+9.3f} "
                  f"{o['matched']:>2d}/{o['n']:<2d} | {x['replies']:>13.2f} {x['unknown']:>7.1%} {x['delta']:>+9.3f} "
                  f"{x['matched']:>2d}/{x['n']:<2d} | {r.get('who', float('nan')):>6.1%} {r.get('train_s', 0):>7.0f}")
    print(f"{'rule':9s}      | {'':>12s} {'':>7s} {'':>9s} {'':>5s} | {'':>13s} {'':>7s} {'':>9s} {'':>5s} | {rule:>6.1%}")
    print("\ntargets (default, guidance on): fluency <= real speeches, unknown <= 8%, listening >= +0.05 with >= 6/8 "
          "matched, who >= 60%")
    for name, r in results.items():
        g = f"g{CHAT_GUIDANCE:g}" if f"g{CHAT_GUIDANCE:g}" in r else "g1"
        print(f"\n{name} (guidance {g[1:]}):")
        for m, rep in list(zip(MESSAGES, r[g]["own"]["texts"]))[:args.show]:
            print(f"  {m[:40]:40s} -> {rep.strip()[:100]!r}")


if __name__ == "__main__":
    main()
