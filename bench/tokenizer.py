"""Benchmark minigpt's tokenizers against their peers, in one process, on the embedded Shakespeare corpus.

Run from the repo root: `python bench/tokenizer.py`. Prints each measurement, the ratio, the target and PASS/FAIL.

1. BPE training: the fast trainer (`train_bpe_fast`) against the readable one (`train_bpe_simple`), 100k characters,
   vocab 512 (target: >= 50x faster).
2. BPE training against rustbpe (Rust, parallel) on the training split (90% of the corpus) at vocab 4096, same
   split pattern (target: within 10x of its time), and bytes per token on the held-out 10% (target: within 1%).
3. Encoding throughput (MB/s) on the held-out text: `BPETokenizer.encode` (pure Python) and `to_tiktoken()` against
   tiktoken's GPT-2 (`gpt2_tokenizer()`), and GPT-2's merges in our class against the same.

Timings are medians of interleaved repeats (the machine may be shared; see the printed repeats).
"""
import statistics, sys, time

import rustbpe

from minigpt.corpus import load_text, train_val_split
from minigpt.bpe import (BPETokenizer, bytes_per_token, GPT2_SPLIT_PATTERN, gpt2_tokenizer, train_bpe_fast, train_bpe_simple)


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def interleaved(fns: dict, repeats: int):
    "Run each function `repeats` times, interleaved; return {name: (last result, median seconds, all times)}."
    times = {k: [] for k in fns}
    results = {}
    for _ in range(repeats):
        for k, f in fns.items():
            results[k], dt = timed(f)
            times[k].append(dt)
    return {k: (results[k], statistics.median(v), v) for k, v in times.items()}


def report(name, ratio, target, ok, unit="x"):
    print(f"  -> {name}: {ratio:.2f}{unit} (target {target}) {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    text = load_text("shakespeare")
    train, val = train_val_split(text, train_frac=0.9)
    print(f"corpus: {len(text):,} characters; train {len(train):,}, held out {len(val):,}")
    passed = []

    # 1. readable vs fast trainer
    small = train[:100_000]
    r = interleaved({"readable": lambda: train_bpe_simple(small, 512), "fast": lambda: train_bpe_fast(small, 512)}, 2)
    assert r["readable"][0] == r["fast"][0], "the two trainers disagree"
    print(f"\n[1] BPE training, 100,000 characters, vocab 512 (256 merges), same merges: True")
    for k in r: print(f"  {k:9s} median {r[k][1]:.3f}s  runs {[round(t, 3) for t in r[k][2]]}")
    ratio = r["readable"][1] / r["fast"][1]
    passed.append(report("fast trainer speed-up over the readable one", ratio, ">= 50x", ratio >= 50))

    # 2. vs rustbpe at vocab 4096 on the training split
    def ours(): return BPETokenizer().train(train, 4096)
    def rust():
        tok = rustbpe.Tokenizer()
        tok.train_from_iterator(iter([train]), 4096, pattern=GPT2_SPLIT_PATTERN)
        return tok
    r = interleaved({"minigpt": ours, "rustbpe": rust}, 3)
    print(f"\n[2] BPE training on {len(train):,} characters, vocab 4096, GPT-2 split pattern")
    for k in r: print(f"  {k:9s} median {r[k][1]:.3f}s  runs {[round(t, 3) for t in r[k][2]]}")
    ratio = r["minigpt"][1] / r["rustbpe"][1]
    passed.append(report("minigpt time / rustbpe time", ratio, "<= 10x", ratio <= 10))
    ours_tok, rust_tok = r["minigpt"][0], r["rustbpe"][0]
    nbytes = len(val.encode("utf-8"))
    bpt_ours = bytes_per_token(ours_tok.to_tiktoken(), val)
    bpt_rust = nbytes / len(rust_tok.encode(val))
    same = sorted(ours_tok._ranks.items(), key=lambda kv: kv[1]) == sorted(rust_tok.get_mergeable_ranks(), key=lambda kv: kv[1])
    print(f"  bytes/token on held-out text: minigpt {bpt_ours:.4f}, rustbpe {bpt_rust:.4f}; identical vocabularies: {same}")
    diff = abs(bpt_ours / bpt_rust - 1) * 100
    passed.append(report("bytes/token difference", diff, "<= 1%", diff <= 1, unit="%"))

    # 3. encoding throughput on the held-out text
    gpt2 = gpt2_tokenizer()
    ours_tt = ours_tok.to_tiktoken()
    gpt2_ours = BPETokenizer.from_gpt2()
    def py_encode(tok):
        def f():
            tok._cache.clear()            # a cold cache each time: no credit for having seen the text before
            return tok.encode(val)
        return f
    r = interleaved({"BPETokenizer.encode (4096, Python)": py_encode(ours_tok),
                     "BPETokenizer.from_gpt2().encode (Python)": py_encode(gpt2_ours),
                     "to_tiktoken().encode (4096)": lambda: ours_tt.encode(val),
                     "gpt2_tokenizer().encode (tiktoken)": lambda: gpt2.encode(val)}, 3)
    assert r["BPETokenizer.encode (4096, Python)"][0] == r["to_tiktoken().encode (4096)"][0]
    assert r["BPETokenizer.from_gpt2().encode (Python)"][0] == r["gpt2_tokenizer().encode (tiktoken)"][0]
    mbs = {k: nbytes / 1e6 / v[1] for k, v in r.items()}
    print(f"\n[3] encoding {nbytes / 1e6:.2f} MB of held-out text (ids identical pairwise: True)")
    for k in r: print(f"  {k:42s} {mbs[k]:7.2f} MB/s  runs {[round(t, 3) for t in r[k][2]]}")
    tt = mbs["gpt2_tokenizer().encode (tiktoken)"]
    ratio = mbs["to_tiktoken().encode (4096)"] / tt
    passed.append(report("to_tiktoken() throughput / tiktoken GPT-2", ratio, ">= 0.5x", ratio >= 0.5))
    ratio = mbs["BPETokenizer.from_gpt2().encode (Python)"] / tt
    print(f"  -> pure-Python encode / tiktoken, same GPT-2 vocabulary: {ratio:.3f}x (information, no target)")

    print(f"\n{sum(passed)}/{len(passed)} targets met")
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
