"""Train the model that ships with minigpt, and package it as `minigpt/pretrained/shakespeare/`.

    python tools/train_release_model.py                       # train (about 80 minutes on 2 CPU cores), then package
    python tools/train_release_model.py --package-only        # package an existing run of the preset
    python tools/train_release_model.py --out_dir runs/x      # where the training run goes (default runs/release)
    python tools/train_release_model.py --resume              # go on with a stopped run (minigpt train --resume), then package

Step 1 is exactly `minigpt train --preset shakespeare-release --out_dir OUT`: a fixed number of steps, so the model
does not depend on the speed of the machine (only the recorded wall time does). The commit the run was trained from is
written to OUT/commit.txt when training ends (minigpt train only starts in a new or empty folder).

Step 2 loads the run's final checkpoint (`which="last"`, not the run's best: the recipe is a fixed number of steps),
measures the loss per character on the whole validation split (the last 10% of the corpus, never trained on) in float32
and again after rounding the weights to bfloat16, and writes the rounded weights, the tokenizer and a manifest whose
`info` records the preset, the commit, the steps, the wall time, both losses and the run's evaluations (`curve`:
step, training and validation loss per token, from the run's log.jsonl). It refuses to package a model whose
rounding costs more than 0.005 nats per character.
"""
import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRESET = "shakespeare-release"
NAME = "shakespeare"


def git_commit():
    "The commit of the working tree, with '+dirty' if tracked files differ from it."
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def train(out_dir, resume=False):
    if not resume and out_dir.exists() and any(out_dir.iterdir()):
        sys.exit(f"{out_dir} is not empty: go on with --resume, package it with --package-only, or give another --out_dir")
    commit = git_commit()                                          # the code the run starts (or goes on) from
    cmd = [sys.executable, "-c", "import sys; from minigpt.cli import main; sys.exit(main())",
           "train", "--preset", PRESET, "--out_dir", str(out_dir)]         # = minigpt train --preset ... --out_dir ...
    if resume: cmd.append("--resume")
    print("$", " ".join(cmd), flush=True)
    if subprocess.run(cmd).returncode != 0: sys.exit("training failed or stopped; nothing was packaged")
    tmp = out_dir / "commit.txt.tmp"
    tmp.write_text(commit + "\n")
    tmp.replace(out_dir / "commit.txt")                            # atomic: a run folder never holds half a file


def package(out_dir, dest):
    from minigpt.config import resolve_config
    from minigpt.corpus import load_text, train_val_split
    from minigpt.checkpoint import load_checkpoint, save_checkpoint
    from minigpt.trainer import loss_per_char

    ck = load_checkpoint(out_dir, load_state=True, which="last")   # the recipe is its fixed steps: the last checkpoint
    model, tok, trainer = ck["model"].eval(), ck["tokenizer"], ck["trainer"]
    cfg = yaml.safe_load((out_dir / "config.yaml").read_text())
    if cfg != resolve_config(PRESET, overrides={"out_dir": cfg["out_dir"], "data_sha256": cfg.get("data_sha256")}):
        sys.exit(f"{out_dir} was not trained with the current {PRESET} preset; retrain")
    if ck["step"] != cfg["max_steps"]:
        sys.exit(f"{out_dir} stopped at step {ck['step']} of {cfg['max_steps']}: resume it first")
    _, val_text = train_val_split(load_text(cfg["data"]), cfg["train_frac"])
    fp32 = loss_per_char(model, tok, val_text)
    rounded = model.to(torch.bfloat16).to(torch.float32)           # what loading the bf16 file gives back
    bf16 = loss_per_char(rounded, tok, val_text)
    n_tokens = len(tok.encode(val_text)) - 1
    print(f"validation loss per character: {fp32:.4f} (float32), {bf16:.4f} (bfloat16 weights)")
    if bf16 - fp32 > 0.005: sys.exit("rounding to bfloat16 costs too much; ship float32 instead")
    log = [json.loads(line) for line in (out_dir / "log.jsonl").read_text().splitlines() if line.strip()]
    curve = [{k: round(v, 4) if isinstance(v := e.get(k), float) else v for k in ("step", "train_loss", "val_loss")}
             for e in log if e.get("val_loss") is not None]           # the run's evaluations, per token
    commit_file = out_dir / "commit.txt"
    info = {"preset": PRESET, "commit": commit_file.read_text().strip() if commit_file.exists() else "unknown",
            "steps": ck["step"], "tokens_seen": trainer["tokens_seen"], "train_seconds": round(trainer["elapsed"]),
            "torch": torch.__version__,
            "val_chars": len(val_text), "val_tokens": n_tokens,
            "val_loss_per_token": round(bf16 * len(tok.decode(tok.encode(val_text)[1:])) / n_tokens, 4),
            "val_loss_per_char": round(bf16, 4), "val_bits_per_char": round(bf16 / math.log(2), 4),
            "val_loss_per_char_fp32": round(fp32, 4), "weights": "bfloat16", "curve": curve,
            "rebuild": "python tools/train_release_model.py"}
    save_checkpoint(dest, rounded.to(torch.bfloat16), step=ck["step"], config=model.cfg, tokenizer=tok,
                    train_config=ck["train_config"], info=info, with_state=False)
    size = sum(f.stat().st_size for f in dest.iterdir())
    print(f"wrote {dest} ({size / 1e6:.1f} MB): {info}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out_dir", default=str(ROOT / "runs" / "release"), help="the training run's folder")
    p.add_argument("--package-only", action="store_true", help="package an existing, finished run")
    p.add_argument("--resume", action="store_true", help="go on with a stopped run of the preset, then package it")
    p.add_argument("--dest", default=str(ROOT / "minigpt" / "pretrained" / NAME), help="where the shipped model goes")
    a = p.parse_args()
    out_dir = Path(a.out_dir).expanduser().resolve()
    if not a.package_only: train(out_dir, resume=a.resume)
    package(out_dir, Path(a.dest))


if __name__ == "__main__":
    main()
