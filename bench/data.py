"""Benchmark minigpt.data against the peer `llms_from_scratch.ch02.create_dataloader_v1`.

Run from the repository root: `python bench/data.py` (about a minute on 2 cores).

1. Build: the first 200,000 GPT-2 tokens of the embedded Shakespeare corpus, max_length=256, stride=1
   (199,744 windows). Each build runs in a fresh subprocess, ours and the peer's interleaved. Both get the same
   Python list of token ids: the peer's tokenizer is replaced by one whose `encode` returns that list, so
   tokenization is excluded from both timings (ours still pays for turning the list into a tensor).
   Time: wall clock of the `create_dataloader...` call. Memory: the extra peak resident set size the build needs:
   after imports and after loading the ids, the kernel's peak-RSS counter is reset to the current RSS (Linux:
   write "5" to /proc/self/clear_refs), and after the build the peak (VmHWM in /proc/self/status) minus that
   baseline is reported. Targets: >= 20x faster and >= 20x less peak memory.
2. Epoch: the whole corpus (about 1.5M tokens), max_length=256, stride=128, batch_size=8, shuffle=True: wall
   clock of one full pass over the DataLoader, both built in this process from the same ids, runs interleaved,
   median of 5. Target: ours at least as fast (ratio >= 1).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

MAX_LENGTH, N_BUILD = 256, 200_000


class _Pretokenized:
    "Stands in for the peer's tiktoken encoding: returns ids computed once, so no tokenization (and no download)."

    def __init__(self, ids):
        self.ids = ids

    def encode(self, text, allowed_special=None):
        return self.ids


def _peer_module(ids):
    from llms_from_scratch import ch02

    ch02.tiktoken.get_encoding = lambda name: _Pretokenized(ids)  # the peer calls tiktoken.get_encoding("gpt2")
    return ch02


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])


def _reset_peak_kib():
    "Reset the peak RSS to the current RSS (Linux: write 5 to /proc/self/clear_refs) and return it, in KiB."
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _status_kib("VmHWM")
    except OSError:  # not Linux: fall back to the process's peak so far
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib():
    "Peak RSS since the last reset, in KiB."
    try:
        return _status_kib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_build(which: str, ids_path: str):
    "Build one data loader over the ids in `ids_path`; print time and peak-memory increase as JSON."
    import gc

    import torch  # noqa: F401  (imports happen before the baseline)
    from minigpt.data import create_dataloader

    ids = np.load(ids_path).tolist()  # the same Python list of ints for both
    peer = _peer_module(ids)
    gc.collect()
    base = _reset_peak_kib()
    t0 = time.perf_counter()
    if which == "ours":
        loader = create_dataloader(ids, batch_size=8, max_length=MAX_LENGTH, stride=1, shuffle=False)
    else:
        loader = peer.create_dataloader_v1("(pretokenized)", batch_size=8, max_length=MAX_LENGTH, stride=1,
                                           shuffle=False)
    seconds = time.perf_counter() - t0
    peak = _peak_kib()
    print(json.dumps({"seconds": seconds, "peak_kib": peak - base, "windows": len(loader.dataset)}))


def run_child(which, ids_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--child", which, ids_path], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    import torch
    from minigpt.corpus import load_text
    from minigpt.data import create_dataloader
    from minigpt.bpe import gpt2_tokenizer

    torch.set_num_threads(1)
    ids = gpt2_tokenizer().encode(load_text("shakespeare"), allowed_special={"<|endoftext|>"})
    print(f"corpus: {len(ids):,} GPT-2 tokens; torch {torch.__version__}, {os.cpu_count()} CPUs")
    tmp = tempfile.mkdtemp()
    ids_path = os.path.join(tmp, "ids200k.npy")
    np.save(ids_path, np.array(ids[:N_BUILD], dtype=np.int64))

    # 1. Build, stride=1, each in its own process
    runs = {"ours": [], "peer": []}
    for _ in range(3):
        for which in ("ours", "peer"):
            runs[which].append(run_child(which, ids_path))
    assert runs["ours"][0]["windows"] == runs["peer"][0]["windows"], "both must build the same number of windows"
    print(f"\n1. build the dataset: {N_BUILD:,} tokens, max_length={MAX_LENGTH}, stride=1 "
          f"({runs['ours'][0]['windows']:,} windows), 3 fresh processes each")
    t = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    m = {k: statistics.median(r["peak_kib"] for r in v) / 1024 for k, v in runs.items()}
    for k in runs:
        print(f"   {k:4s}: {t[k] * 1e3:9.1f} ms   peak memory +{m[k]:8.2f} MiB   "
              "(runs: " + ", ".join(f"{r['seconds'] * 1e3:.0f} ms" for r in runs[k]) + ")")
    t_ratio = t["peer"] / t["ours"]
    m_ratio = m["peer"] / max(m["ours"], 4 / 1024)  # floor at one 4 KiB page, the counter's resolution
    print(f"   time ratio   (peer / ours): {t_ratio:7.1f}x  target >= 20x  {verdict(t_ratio >= 20)}")
    print(f"   memory ratio (peer / ours): {m_ratio:7.1f}x  target >= 20x  {verdict(m_ratio >= 20)}")

    # 2. One epoch over the whole corpus, stride=128, batch_size=8
    ours = create_dataloader(ids, batch_size=8, max_length=MAX_LENGTH, stride=128, seed=123)
    peer = _peer_module(ids).create_dataloader_v1("(pretokenized)", batch_size=8, max_length=MAX_LENGTH,
                                                  stride=128)
    assert len(ours) == len(peer), (len(ours), len(peer))

    def epoch(loader):
        t0 = time.perf_counter()
        n = 0
        for x, y in loader:
            n += x.shape[0]
        return time.perf_counter() - t0, n

    times = {"ours": [], "peer": []}
    for _ in range(5):
        for name, loader in (("ours", ours), ("peer", peer)):
            s, n = epoch(loader)
            times[name].append(s)
    print(f"\n2. one epoch: {len(ids):,} tokens, max_length={MAX_LENGTH}, stride=128, batch_size=8, shuffle=True "
          f"({len(ours):,} batches), median of 5 interleaved runs")
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in times:
        print(f"   {k:4s}: {med[k] * 1e3:8.1f} ms  ({med[k] / len(ours) * 1e6:.1f} us/batch)")
    e_ratio = med["peer"] / med["ours"]
    print(f"   epoch speed ratio (peer time / ours): {e_ratio:5.2f}x  target >= 1x  {verdict(e_ratio >= 1)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_build(sys.argv[2], sys.argv[3])
    else:
        main()
