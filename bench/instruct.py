"""Instruction fine-tuning of the shipped model (chapter 10): pretrained against from scratch, LoRA against full.

    python bench/instruct.py                      # 2 threads, 300 steps per recipe, about 10 minutes on a 2-core CPU
    python bench/instruct.py --steps 100 --test 100

The data are chapter 10's: "Reply as SPEAKER" and "Who speaks next?" examples from the plays (`play_examples`), the
training examples from the training split of the corpus, the test examples from the validation split (scenes the
shipped model never read). Every recipe trains for the same number of steps on the same batches of 8 pairs, with a
warm-up over the first 10% and a cosine to lr / 10, the prompt masked out of the loss:

- full: every weight of the shipped model (lr 3e-4);
- LoRA: rank 8, alpha 16, on the attention and feed-forward layers, everything else frozen (lr 3e-3);
- scratch: the same GPTConfig with random weights, every weight trains (lr 1e-3).

Each is measured on the same held-out examples with `evaluate_instructions`: the response loss (mean cross-entropy
per response token, end token included), the multiple-choice accuracy on "Reply as" (the true reply against a reply
by another speaker of the same play, by mean log-probability; chance 50%), the next-speaker accuracy (greedy, exact
name) and the share of sampled replies that stop at the end token within 160 tokens. Tokens/s counts the token
positions of the training steps, padding included, as the Trainer does.
"""
import argparse
import copy

import torch

from minigpt.classify import add_lora, count_parameters, merge_lora
from minigpt.instruct import InstructionDataset, end_token_id, evaluate_instructions, instruction_trainer, play_examples
from minigpt.model import GPTModel
from minigpt.train import load_checkpoint, seed_everything

LORA_TARGETS = ("att.qkv", "att.out_proj", "ff")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=300, help="optimizer steps per recipe (default 300)")
    ap.add_argument("--test", type=int, default=300, help="held-out examples (default 300)")
    ap.add_argument("--model", default="shakespeare", help="checkpoint folder or shipped model name (default shakespeare)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = load_checkpoint(args.model, load_state=False)
    base, tok = ck["model"], ck["tokenizer"]
    end = end_token_id(tok)
    train_ds = InstructionDataset(play_examples("train"), tok, base.cfg.context_length, end)
    test_set = play_examples("val")[:args.test]
    recipes = {"full": (lambda: copy.deepcopy(base), 3e-4),
               "LoRA r8": (lambda: add_lora(copy.deepcopy(base), 8, 16, LORA_TARGETS, trainable=()), 3e-3),
               "scratch": (lambda: GPTModel(base.cfg), 1e-3)}
    print(f"{args.model}: {len(train_ds):,} training pairs, {args.test} test examples, {args.steps} steps of 8, "
          f"{torch.get_num_threads()} threads")
    res = {"not tuned": evaluate_instructions(base, tok, test_set, end)}
    for name, (make, lr) in recipes.items():
        seed_everything(0)
        model = make()
        t = instruction_trainer(model, train_ds, pad_id=end, batch_size=8, max_steps=args.steps, lr=lr, min_lr=lr / 10,
                                warmup_steps=max(1, args.steps // 10), eval_interval=0, eval_iters=1, progress=False, seed=0)
        t.fit()
        res[name] = {**evaluate_instructions(merge_lora(model).eval(), tok, test_set, end),
                     "trainable": count_parameters(make())[0], "tokens/s": t.tokens_per_sec, "seconds": t.elapsed}
    print(f"\n{'recipe':10s} {'trainable':>10s} {'resp. loss':>10s} {'choice':>7s} {'who next':>8s} {'stops':>6s} {'tokens/s':>9s} {'s':>5s}")
    for name, r in res.items():
        print(f"{name:10s} {r.get('trainable', 0):>10,} {r['response_loss']:>10.3f} {r['choice_accuracy']:>7.1%} "
              f"{r['next_speaker_accuracy']:>8.1%} {r['stop_rate']:>6.0%} {r.get('tokens/s', float('nan')):>9,.0f} {r.get('seconds', 0):>5.0f}")
    full, lora, scratch = res["full"], res["LoRA r8"], res["scratch"]
    print(f"\npretrained vs scratch: response loss {full['response_loss']:.3f} vs {scratch['response_loss']:.3f} "
          f"(ratio {full['response_loss'] / scratch['response_loss']:.3f}); choice {full['choice_accuracy']:.1%} vs {scratch['choice_accuracy']:.1%}")
    print(f"LoRA vs full: response loss ratio {lora['response_loss'] / full['response_loss']:.3f}; choice {lora['choice_accuracy']:.1%} "
          f"vs {full['choice_accuracy']:.1%}; tokens/s ratio {lora['tokens/s'] / full['tokens/s']:.2f}x; "
          f"trainable {lora['trainable'] / full['trainable']:.1%}")
    print(f"stop at the end token: not tuned {res['not tuned']['stop_rate']:.0%}, full {full['stop_rate']:.0%}, "
          f"LoRA {lora['stop_rate']:.0%}, scratch {scratch['stop_rate']:.0%}")


if __name__ == "__main__":
    main()
