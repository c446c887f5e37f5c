"""Forward + backward time of minigpt's attention layers against torch.nn.MultiheadAttention on the CPU.

Run from the repository root: `python bench/attention.py [--reps N] [--seq-lens 256 512 1024]`.
GPT-2 small's width (d = 768, 12 heads), batch 8, causal, dropout 0 in training mode (so autograd runs).
All four implementations run in ONE process; repetitions are interleaved (A B C D, A B C D, ...) so that load
from other processes hits them alike, and the medians are compared.
Target: the SDPA path is the fastest of ours and within 1.1x of torch.nn.MultiheadAttention (or faster).
"""
import argparse, statistics, time

import torch
import torch.nn as nn

from minigpt.attention import MultiHeadAttention, MultiHeadAttentionWrapper

TARGET = 1.10


class TorchMHA(nn.Module):
    "torch.nn.MultiheadAttention as a causal self-attention layer (batch_first), the peer."
    def __init__(self, d, context_length, num_heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, num_heads, dropout=0.0, bias=True, batch_first=True)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length, dtype=torch.bool), 1))

    def forward(self, x):
        T = x.shape[1]  # is_causal is only a hint in nn.MultiheadAttention: it needs the matching mask too
        return self.attn(x, x, x, attn_mask=self.mask[:T, :T], is_causal=True, need_weights=False)[0]


def make_models(d, context_length, num_heads):
    torch.manual_seed(123)
    plain = MultiHeadAttention(d, d, context_length, 0.0, num_heads); plain.use_sdpa = False
    sdpa = MultiHeadAttention(d, d, context_length, 0.0, num_heads)
    return {"wrapper": MultiHeadAttentionWrapper(d, d, context_length, 0.0, num_heads),
            "mha plain": plain, "mha sdpa": sdpa, "torch.nn.MHA": TorchMHA(d, context_length, num_heads)}


def step(model, x):
    "One forward + backward pass."
    model.zero_grad(set_to_none=True)
    model(x).sum().backward()


def check_same_function(models, d, num_heads):
    "Sanity check: with the same weights, our SDPA layer and torch's compute the same outputs."
    ours, peer = models["mha sdpa"], models["torch.nn.MHA"].attn
    with torch.no_grad():
        peer.in_proj_weight.copy_(ours.qkv.weight); peer.in_proj_bias.zero_()
        peer.out_proj.weight.copy_(ours.out_proj.weight); peer.out_proj.bias.copy_(ours.out_proj.bias)
        x = torch.randn(2, 64, d)
        diff = (ours(x) - models["torch.nn.MHA"](x)).abs().max().item()
    assert diff < 1e-4, f"our MultiHeadAttention and torch.nn.MultiheadAttention disagree by {diff}"


def bench(T, reps, d=768, num_heads=12, batch=8, warmup=1):
    models = make_models(d, T, num_heads)
    for m in models.values(): m.train()
    check_same_function(models, d, num_heads)
    x = torch.randn(batch, T, d)
    for _ in range(warmup):
        for m in models.values(): step(m, x)
    times = {k: [] for k in models}
    for _ in range(reps):
        for name, m in models.items():
            t0 = time.perf_counter(); step(m, x); times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seq-lens", type=int, nargs="+", default=[256, 512, 1024])
    ap.add_argument("--reps", type=int, default=7, help="interleaved repetitions per length (medians are reported)")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU; d=768, 12 heads, batch 8, fwd+bwd")
    ok = True
    for T in args.seq_lens:
        med = bench(T, args.reps if T < 1024 else max(3, args.reps // 2))
        print(f"\nT={T}")
        for name, t in med.items(): print(f"  {name:13s} {t * 1000:9.1f} ms   {t / med['mha sdpa']:5.2f}x of mha sdpa")
        fastest_ours = min(("wrapper", "mha plain", "mha sdpa"), key=med.get) == "mha sdpa"
        ratio = med["mha sdpa"] / med["torch.nn.MHA"]
        passed = fastest_ours and ratio <= TARGET
        ok &= passed
        print(f"  sdpa / torch.nn.MultiheadAttention = {ratio:.2f} (target <= {TARGET}); "
              f"sdpa fastest of ours: {fastest_ours} -> {'PASS' if passed else 'FAIL'}")
    print("\nOVERALL", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
