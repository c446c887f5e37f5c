"""Peak resident memory of loading a Hugging Face folder: the plain load (a randomly initialized `GPTModel`, then
`load_state_dict` copies the weights over it) against `GPTModel.from_pretrained` (parameters built on the meta device,
the weights memory-mapped, `load_state_dict(assign=True)`: chapter 5c and chapter 6).

    python bench/load_memory.py              # ~1.5 minutes, ~2 GB of memory; offline
    python bench/load_memory.py --reps 3     # each load 3 times (alternating), medians

1. Three folders with random weights are written in a temporary folder by transformers: GPT-2 small's shape (124M
   parameters: 12 layers, width 768, 12 heads, 50,257 tokens, 1,024 positions) as model.safetensors, the same weights
   as pytorch_model.bin (torch.save), and a Llama of about the same size (12 layers, width 768, 12 query heads sharing
   4 key/value heads, SwiGLU width 2,048, 32,000 tokens, an untied head) as model.safetensors.
2. Each load runs in a fresh subprocess (so that one load's peak cannot hide another's), which imports everything
   first, notes its resident memory (VmRSS), resets the kernel's high-water mark (`/proc/self/clear_refs`; where
   that is refused, `resource.getrusage(RUSAGE_SELF).ru_maxrss` is the mark), loads, then runs one forward pass on
   8 tokens, which touches every weight (a memory-mapped weight becomes resident only when read). The peak increase
   is the high-water mark minus the memory before loading; the ratio divides it by the weights' size (the model's
   distinct parameters in float32, the tied head once).
3. The two loads' logits on the same 2 x 64 tokens are compared (they must be bit-identical).
Target: loading (with the forward pass) raises peak resident memory by <= 1.3x the weights' size.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.3
GPT2_SHAPE = dict(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024)
LLAMA_SHAPE = dict(num_hidden_layers=12, hidden_size=768, num_attention_heads=12, num_key_value_heads=4,
                   intermediate_size=2048, vocab_size=32000, max_position_embeddings=1024, tie_word_embeddings=False)

PLAIN = """
from minigpt.hf import find_weights, map_weights, minigpt_config, model_family, read_config_json, read_weights
from minigpt.model import GPTModel
hf = read_config_json(folder); family = model_family(hf); cfg = minigpt_config(hf, family)
model = GPTModel(cfg)                                        # random initialization: 1x the weights
model.load_state_dict(map_weights(read_weights(find_weights(folder)), family, cfg))  # a copy of every weight over it
model.eval()
"""
LOADERS = {   # name: (folder, what it measures, the code that loads `folder` into `model`)
    "gpt2-plain": ("gpt2", "GPT-2 124M: plain load (init + copy)", PLAIN),
    "gpt2-ours": ("gpt2", "GPT-2 124M: from_pretrained (safetensors)", "model = GPTModel.from_pretrained(folder)"),
    "gpt2-bin": ("gpt2-bin", "GPT-2 124M: from_pretrained (pytorch_model.bin)",
                 "model = GPTModel.from_pretrained(folder)"),
    "llama-plain": ("llama", "Llama 125M: plain load (init + copy)", PLAIN),
    "llama-ours": ("llama", "Llama 125M: from_pretrained (safetensors)", "model = GPTModel.from_pretrained(folder)"),
}
BASELINE = {"gpt2-ours": "gpt2-plain", "gpt2-bin": "gpt2-plain", "llama-ours": "llama-plain"}

CHILD = r"""
import json, os, resource, sys, time
import torch
torch.set_num_threads(1)
from minigpt.model import GPTModel, GPTConfig
folder, out = sys.argv[1], sys.argv[2]

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"): return int(line.split()[1]) * 1024
    return None

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f: f.write("5")   # 5: reset the peak RSS to the current RSS
        return True
    except OSError: return False

gen = torch.Generator().manual_seed(0)
with torch.no_grad():                                     # warm up the kernels and the imports on a tiny model
    GPTModel(dict(vocab_size=64, context_length=8, emb_dim=8, n_heads=2, n_layers=1))(torch.zeros(1, 8, dtype=torch.long))
    GPTModel(dict(vocab_size=64, context_length=8, emb_dim=8, n_heads=2, n_layers=1, pos_emb="rope", norm="rms",
                  mlp="swiglu", n_kv_heads=1, bias=False))(torch.zeros(1, 8, dtype=torch.long))
before = status("VmRSS")
reset = reset_peak()
t0 = time.perf_counter()
LOAD
seconds = time.perf_counter() - t0
peak_load = status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
V = model.cfg.vocab_size
with torch.no_grad(): model(torch.randint(0, V, (1, 8), generator=gen))
peak = status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
weights = sum(p.numel() * p.element_size() for p in model.parameters())   # distinct tensors: the tied head once
with torch.no_grad(): logits = model(torch.randint(0, V, (2, 64), generator=torch.Generator().manual_seed(1)))
torch.save(logits, out + ".pt")
json.dump({"peak_load": peak_load - before, "peak": peak - before, "weights": weights, "reset": reset,
           "rss_after": status("VmRSS") - before, "seconds": seconds}, open(out, "w"))
"""


def make_folders(tmp):
    "The three folders: GPT-2 small (model.safetensors), its twin with pytorch_model.bin, and a Llama of 125M."
    import torch
    import transformers
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM
    transformers.logging.set_verbosity_error(); transformers.logging.disable_progress_bar()
    folders = {k: Path(tmp) / k for k in ("gpt2", "gpt2-bin", "llama")}
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(**GPT2_SHAPE))
    model.save_pretrained(folders["gpt2"])
    folders["gpt2-bin"].mkdir()
    (folders["gpt2-bin"] / "config.json").write_text((folders["gpt2"] / "config.json").read_text())
    torch.save(model.state_dict(), folders["gpt2-bin"] / "pytorch_model.bin")  # the tied lm_head shares wte's storage
    del model
    LlamaForCausalLM(LlamaConfig(**LLAMA_SHAPE)).save_pretrained(folders["llama"])
    return folders


def measure(name, folders, tmp):
    "One load of `name` in a fresh Python: its numbers (bytes) and the path of its logits."
    out = str(Path(tmp) / f"{name}-{os.getpid()}.json")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    folder, _, load = LOADERS[name]
    code = CHILD.replace("LOAD", load.strip())
    subprocess.run([sys.executable, "-c", code, str(folders[folder]), out], check=True, env=env)
    with open(out) as f: return json.load(f), out + ".pt"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1, help="loads of each kind, alternating (medians are reported)")
    ap.add_argument("--loaders", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    args = ap.parse_args()
    if not Path("/proc/self/status").exists(): sys.exit("bench/load_memory.py reads /proc/self/status: run it on Linux")
    import torch
    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}, {sys.platform}; one thread per load")
    with tempfile.TemporaryDirectory() as tmp:
        folders = make_folders(tmp)
        for k, f in folders.items():
            print(f"folder {k}: " + ", ".join(f"{p.name} {p.stat().st_size / 2**20:,.1f} MiB" for p in sorted(f.iterdir())
                                              if p.suffix in (".safetensors", ".bin")))
        runs = {k: [] for k in args.loaders}
        for _ in range(args.reps):
            for name in args.loaders: runs[name].append(measure(name, folders, tmp))
        if not runs[args.loaders[0]][0][0]["reset"]:
            print("note: /proc/self/clear_refs refused: peaks are ru_maxrss (which includes the imports' own peak)")
        print(f"\n{'loader':48s} {'time':>6s} {'peak: load':>11s} {'+ forward':>10s} {'weights':>9s} {'ratio':>6s}  "
              f"resident after")
        ratios, ok = {}, True
        for name in args.loaders:
            r = [m for m, _ in runs[name]]
            secs, load_, peak = (statistics.median(x[k] for x in r) for k in ("seconds", "peak_load", "peak"))
            ratios[name] = peak / r[0]["weights"]
            base = BASELINE.get(name)
            same = ""
            if base in runs:
                equal = all(torch.equal(torch.load(p), torch.load(runs[base][0][1])) for _, p in runs[name])
                same = ", logits identical to the plain load's" if equal else ", logits DIFFER from the plain load's"
                ok &= equal
            print(f"{LOADERS[name][1]:48s} {secs:5.1f}s {load_ / 2**20:7,.0f} MiB {peak / 2**20:6,.0f} MiB "
                  f"{r[0]['weights'] / 2**20:5,.0f} MiB {ratios[name]:5.2f}x  {r[0]['rss_after'] / 2**20:,.0f} MiB{same}")
        print()
        for name in args.loaders:
            if name not in BASELINE: continue
            passed = ratios[name] <= TARGET
            ok &= passed
            plain = f" (plain load: {ratios[BASELINE[name]]:.2f}x)" if BASELINE[name] in ratios else ""
            print(f"{LOADERS[name][1]}: peak increase {ratios[name]:.2f}x the weights{plain}, target <= {TARGET}x "
                  f"-> {'PASS' if passed else 'FAIL'}")
        print("\nOVERALL", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
