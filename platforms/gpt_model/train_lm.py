#!/usr/bin/python3
"""Char-level GPT on Debian's fortunes, with softmax or gain-cell (linear / nonlinear) attention.

Trains, fine-tunes, calibrates, evaluates and exports the language model of gcasim's
accuracy-in-the-loop work (issue 4). The hardware attention is the paper's numerics, head by
head; platforms/gpt_model/README.md documents the corpus, the split, the recipe, the export format and the
evaluation protocol that the C++/SystemC side reproduces.

  platforms/gpt_model/train_lm.py --attention softmax --steps 550 --save OUT/softmax.pt --export models/softmax
  platforms/gpt_model/train_lm.py --attention linear --init OUT/softmax.pt --steps 110 ...
  platforms/gpt_model/train_lm.py --attention nonlinear --init OUT/linear.pt --fit-scalers --steps 110 ...
  platforms/gpt_model/train_lm.py --eval-only --init models/nonlinear/model.json --tokens 1024
  platforms/gpt_model/train_lm.py --add-checksum DIR        (binary.sha256 for an export of an older train_lm.py)
  platforms/gpt_model/train_lm.py --smoke --attention linear ...     (tiny model, seconds)

Run with Debian's /usr/bin/python3 (python3-torch); needs the fortunes and fortunes-min packages.
"""
import argparse
import copy
import hashlib
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # the test script checks this too; say what to install
    sys.exit("train_lm.py: PyTorch is missing (Debian package python3-torch; run with /usr/bin/python3)")

FORMAT_NAME = "gcasim-charlm"
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Corpus: Debian's fortunes (package `fortunes`, plus `fortunes-min` which it depends on).
# The plain-text files directly under FORTUNE_DIR; the .dat index files and the .u8 symlinks
# (same content) are not read. Fixed list, so that another fortunes-* package installed on the
# machine cannot change the corpus.
FORTUNE_DIR = "/usr/share/games/fortunes"
FORTUNE_FILES = (
    "art", "ascii-art", "computers", "cookie", "debian", "definitions", "disclaimer", "drugs",
    "education", "ethnic", "food", "fortunes", "goedel", "humorists", "kids", "knghtbrd", "law",
    "linux", "linuxcookie", "literature", "love", "magic", "medicine", "men-women",
    "miscellaneous", "news", "paradoxum", "people", "perl", "pets", "platitudes", "politics",
    "pratchett", "riddles", "science", "songs-poems", "sports", "startrek", "tao", "translate-me",
    "wisdom", "work", "zippy",
)
VAL_EVERY = 10  # fortune i (0-based, over all files in the order above) is validation iff i % 10 == 9


def read_fortunes(directory=FORTUNE_DIR):
    """All fortunes, in file order then position. A line that is exactly '%' ends a fortune;
    a fortune is its lines, each ending in '\\n'; whitespace-only fortunes are dropped."""
    missing = [n for n in FORTUNE_FILES if not os.path.isfile(os.path.join(directory, n))]
    if missing:
        sys.exit(f"train_lm.py: fortunes corpus missing under {directory} ({', '.join(missing[:5])}...): "
                 "install the Debian packages fortunes and fortunes-min")
    fortunes = []
    for name in FORTUNE_FILES:
        with open(os.path.join(directory, name), "rb") as f:
            text = f.read().decode("utf-8")
        current = []
        for line in text.split("\n"):
            if line == "%":
                if "".join(current).strip():
                    fortunes.append("\n".join(current) + "\n")
                current = []
            else:
                current.append(line)
        if "".join(current).strip():
            fortunes.append("\n".join(current).rstrip("\n") + "\n")
    return fortunes


def split_corpus(fortunes):
    """(train_text, val_text): each fortune followed by a '%\\n' line, as in the files."""
    train = [f for i, f in enumerate(fortunes) if i % VAL_EVERY != VAL_EVERY - 1]
    val = [f for i, f in enumerate(fortunes) if i % VAL_EVERY == VAL_EVERY - 1]
    return "".join(f + "%\n" for f in train), "".join(f + "%\n" for f in val)


def package_versions():
    versions = {}
    for pkg in ("fortunes", "fortunes-min"):
        try:
            import subprocess
            out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                                 text=True, check=False)
            versions[pkg] = out.stdout.strip() or None
        except OSError:
            versions[pkg] = None
    return versions


class Corpus:
    def __init__(self, vocab=None):
        self.fortunes = read_fortunes()
        self.train_text, self.val_text = split_corpus(self.fortunes)
        # Vocabulary: the distinct characters of the training text, sorted by code point; the
        # unknown token comes last (index len(chars)).
        self.chars = sorted(set(self.train_text)) if vocab is None else list(vocab)
        self.unk = len(self.chars)
        self.vocab_size = len(self.chars) + 1
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.train = self.encode(self.train_text)
        self.val = self.encode(self.val_text)

    def encode(self, text):
        return torch.tensor([self.index.get(c, self.unk) for c in text], dtype=torch.long)

    def describe(self):
        val_sha = hashlib.sha256(self.val_text.encode("utf-8")).hexdigest()
        return {
            "source": "Debian packages fortunes + fortunes-min",
            "package_versions": package_versions(),
            "directory": FORTUNE_DIR,
            "files": list(FORTUNE_FILES),
            "fortune_separator": "a line that is exactly '%'",
            "split": f"fortune i (0-based, files in the order listed) is validation iff i % {VAL_EVERY} == "
                     f"{VAL_EVERY - 1}; each split is its fortunes, each followed by a line '%'",
            "fortunes": len(self.fortunes),
            "train_chars": len(self.train_text),
            "val_chars": len(self.val_text),
            "val_sha256_utf8": val_sha,
            "val_unknown_chars": int((self.val == self.unk).sum()),
        }


# ---------------------------------------------------------------------------------------------
# Hardware constants (the paper's numerics; platforms/gpt_model/README.md, attention variants).
CELL_C = [0.17393044, 0.15653739, 0.14088365, 0.12679529, 5.51975209, 4.96777688,
          4.4709992, -1.44776001, -1.30298401, 46.05483778]
V_IN = 0.9


def cubic_from_c(c, v_in):
    """a_i = sum_j c_ij v_in^j, with c ordered i outer (0..3), j inner (0..3-i)."""
    a, idx = [], 0
    for i in range(4):
        s = 0.0
        for j in range(4 - i):
            s += c[idx] * v_in ** j
            idx += 1
        a.append(s)
    return a


@dataclass
class Hardware:
    q_levels: int = 16
    kv_levels: int = 8
    out_levels: int = 32
    q_min: float = 0.0
    q_max: float = 1.0
    kv_min: float = 0.0
    kv_max: float = 0.9
    out_min: float = -1.0
    out_max: float = 1.0
    offset: float = 0.45           # V; y = V_stored - offset
    linear_coefficient: float = 19.3
    decay_per_step: float = 1.6e-4  # delta = exp(-decay_per_step * (t - s))
    s_sat: float = 80.0            # phi = clamp(S / s_sat, 0, 1)
    readout_scale: float = 40.0    # A_n / readout_scale, clamped to [-1, 1], Q32
    subtile: int = 64              # keys per sub-tile (array columns)

    def cubic(self):
        return cubic_from_c(CELL_C, V_IN)


SCALER_INIT = {"q": (1.0, 0.0), "k": (1.0, 0.45), "v": (1.0, 0.45), "out": (1.0, 0.0)}
VARIANTS = ("softmax", "linear", "nonlinear")


@dataclass
class Config:
    n_layer: int = 4
    d_model: int = 256
    n_head: int = 4
    head_dim: int = 64
    context: int = 256
    window: int = 128
    mlp_ratio: int = 4
    vocab_size: int = 0
    attention: str = "softmax"


# ---------------------------------------------------------------------------------------------
# Quantizer with a straight-through gradient (the authors' formula, grid anchored at 0):
# step = float32((max - min) / (L - 1)); x_q = step * rint(x / step), float32, round half to even.
class _QuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, step):
        return torch.round(x / step) * step

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def quantize(x, levels, lo, hi):
    step = torch.tensor((hi - lo) / (levels - 1), dtype=x.dtype)
    return _QuantSTE.apply(x, step)


_GEOMETRY = {}


def geometry(T, window, decay):
    """visible[t,s] = t-window < s <= t; delta^i masked to the visible pairs (i = 1..3)."""
    key = (T, window, decay)
    if key not in _GEOMETRY:
        t = torch.arange(T).view(T, 1)
        s = torch.arange(T).view(1, T)
        age = (t - s)
        visible = (age >= 0) & (age < window)
        delta = torch.exp(-decay * age.clamp(min=0).double()).float()
        powers = [torch.where(visible, delta ** i, torch.zeros(())) for i in (1, 2, 3)]
        _GEOMETRY[key] = (visible, powers)
    return _GEOMETRY[key]


def hardware_attention(q, k, v, sc, cfg, hw, nonlinear, record=None):
    """One gain-cell attention per head (platforms/gpt_model/README.md, attention variants).

    q, k, v: (B, H, T, d) projections; sc: dict name -> (a, b), each a (H,) tensor. Positions are
    0..T-1 from an empty KV cache. Returns (B, H, T, d) after the output scaler."""
    B, H, T, D = q.shape

    def scale(x, name):
        a, b = sc[name]
        z = a.view(1, H, 1, 1) * x + b.view(1, H, 1, 1)
        if record is not None:
            record[name] = z.detach()
        return z

    qs = quantize(torch.clamp(scale(q, "q"), hw.q_min, hw.q_max), hw.q_levels, hw.q_min, hw.q_max)
    ks = quantize(torch.clamp(scale(k, "k"), hw.kv_min, hw.kv_max), hw.kv_levels, hw.kv_min, hw.kv_max)
    vs = quantize(torch.clamp(scale(v, "v"), hw.kv_min, hw.kv_max), hw.kv_levels, hw.kv_min, hw.kv_max)
    yk = ks - hw.offset
    yv = vs - hw.offset
    visible, dpow = geometry(T, cfg.window, hw.decay_per_step)

    # First MAC: S[t,s] = sum_d q[t,d] P(delta(t,s) yk[s,d]); P(dy) expanded in powers of delta,
    # so that each term is one matmul.
    if nonlinear:
        a = hw.cubic()
        S = a[0] * qs.sum(-1, keepdim=True)
        for i in (1, 2, 3):
            S = S + a[i] * dpow[i - 1] * torch.matmul(qs, (yk ** i).transpose(-1, -2))
    else:
        S = hw.linear_coefficient * dpow[0] * torch.matmul(qs, yk.transpose(-1, -2))
    S = S.masked_fill(~visible, 0.0)
    phi = torch.clamp(S / hw.s_sat, 0.0, 1.0)  # HardSigmoid; gradient of the clamp (authors' choice)
    phi = phi.masked_fill(~visible, 0.0)

    # Second MAC per sub-tile. Key s sits in ring slot s mod R (R = subtile * n_sub), sub-tile
    # slot // subtile, i.e. key block b = s // subtile belongs to sub-tile b mod n_sub.
    sub = hw.subtile
    n_sub = -(-cfg.window // sub)
    nb = -(-T // sub)
    pad = nb * sub - T

    def blocks_phi(x):  # (B,H,T,T) -> (B,H,nb,T,sub)
        if pad:
            x = F.pad(x, (0, pad))
        return x.view(B, H, T, nb, sub).transpose(2, 3)

    def blocks_v(x):  # (B,H,T,D) -> (B,H,nb,sub,D)
        if pad:
            x = F.pad(x, (0, 0, 0, pad))
        return x.view(B, H, nb, sub, D)

    if nonlinear:
        a = hw.cubic()
        Ab = a[0] * blocks_phi(phi).sum(-1, keepdim=True)
        for i in (1, 2, 3):
            Ab = Ab + a[i] * torch.matmul(blocks_phi(phi * dpow[i - 1]), blocks_v(yv ** i))
    else:
        Ab = hw.linear_coefficient * torch.matmul(blocks_phi(phi * dpow[0]), blocks_v(yv))
    out = None
    for n in range(n_sub):
        An = Ab[:, :, n::n_sub].sum(2)
        o = quantize(torch.clamp(An / hw.readout_scale, hw.out_min, hw.out_max),
                     hw.out_levels, hw.out_min, hw.out_max)
        out = o if out is None else out + o
    if record is not None:
        record["phi_zero_fraction"] = float(((phi == 0) & visible).sum()) / float(visible.sum() * B * H)
    return scale(out, "out")


class Attention(nn.Module):
    def __init__(self, cfg, hw):
        super().__init__()
        self.cfg, self.hw = cfg, hw
        inner = cfg.n_head * cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * inner)
        self.proj = nn.Linear(inner, cfg.d_model)
        self.scalers = nn.ParameterDict()
        if cfg.attention != "softmax":
            for name, (a, b) in SCALER_INIT.items():
                self.scalers[name + "_a"] = nn.Parameter(torch.full((cfg.n_head,), a))
                self.scalers[name + "_b"] = nn.Parameter(torch.full((cfg.n_head,), b))
        self.record = None

    def forward(self, x):
        B, T, _ = x.shape
        H, D = self.cfg.n_head, self.cfg.head_dim
        q, k, v = self.qkv(x).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4)
        if self.cfg.attention == "softmax":
            # Plain causal softmax over the whole context (the paper's GPT-2 baseline), no window.
            att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(D)
            causal = torch.ones(T, T, dtype=torch.bool).tril()
            att = att.masked_fill(~causal, float("-inf")).softmax(-1)
            y = torch.matmul(att, v)
        else:
            sc = {n: (self.scalers[n + "_a"], self.scalers[n + "_b"]) for n in SCALER_INIT}
            if self.record is not None:
                self.record["raw_q"], self.record["raw_k"], self.record["raw_v"] = q.detach(), k.detach(), v.detach()
            y = hardware_attention(q, k, v, sc, self.cfg, self.hw, self.cfg.attention == "nonlinear",
                                   record=self.record)
        return self.proj(y.transpose(1, 2).reshape(B, T, H * D))


class Block(nn.Module):
    def __init__(self, cfg, hw):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg, hw)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.fc = nn.Linear(cfg.d_model, cfg.mlp_ratio * cfg.d_model)
        self.fc_proj = nn.Linear(cfg.mlp_ratio * cfg.d_model, cfg.d_model)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc_proj(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, cfg, hw):
        super().__init__()
        self.cfg, self.hw = cfg, hw
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg, hw) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        for name, p in self.named_parameters():
            if name.endswith(".weight") and p.dim() == 2:
                std = 0.02 / math.sqrt(2 * cfg.n_layer) if name.endswith(("attn.proj.weight", "fc_proj.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith(".bias") and "ln" not in name:
                nn.init.zeros_(p)

    def forward(self, idx, upto=None):
        T = idx.shape[1]
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(T))
        for l, block in enumerate(self.blocks):
            x = block(x)
            if upto is not None and l == upto:
                return None
        return self.head(self.ln_f(x))


# ---------------------------------------------------------------------------------------------
# Tensor list of the export, in file order: (export name, state_dict name).
def tensor_list(cfg):
    names = [("tok_emb", "tok_emb.weight"), ("pos_emb", "pos_emb.weight")]
    for l in range(cfg.n_layer):
        p = f"blocks.{l}."
        e = f"layers.{l}."
        names += [(e + "ln1.weight", p + "ln1.weight"), (e + "ln1.bias", p + "ln1.bias"),
                  (e + "attn.qkv.weight", p + "attn.qkv.weight"), (e + "attn.qkv.bias", p + "attn.qkv.bias"),
                  (e + "attn.proj.weight", p + "attn.proj.weight"), (e + "attn.proj.bias", p + "attn.proj.bias"),
                  (e + "ln2.weight", p + "ln2.weight"), (e + "ln2.bias", p + "ln2.bias"),
                  (e + "mlp.fc.weight", p + "fc.weight"), (e + "mlp.fc.bias", p + "fc.bias"),
                  (e + "mlp.proj.weight", p + "fc_proj.weight"), (e + "mlp.proj.bias", p + "fc_proj.bias")]
    names += [("ln_f.weight", "ln_f.weight"), ("ln_f.bias", "ln_f.bias"), ("head.weight", "head.weight")]
    return names


def scalers_of(model):
    """[[{q: [a, b], k, v, out} per head] per layer], or None for softmax."""
    if model.cfg.attention == "softmax":
        return None
    layers = []
    for block in model.blocks:
        s = block.attn.scalers
        layers.append([{n: [float(s[n + "_a"][h]), float(s[n + "_b"][h])] for n in SCALER_INIT}
                       for h in range(model.cfg.n_head)])
    return layers


def hardware_json(hw):
    d = asdict(hw)
    d.update({
        "cell_c": CELL_C, "cell_c_order": "i outer 0..3, j inner 0..3-i: term c * y^i * V_in^j",
        "v_in": V_IN, "cubic_a": hw.cubic(),
        "cell_model": {"nonlinear": "P(y) = a0 + a1 y + a2 y^2 + a3 y^3", "linear": "P(y) = linear_coefficient * y",
                       "y": "V_stored - offset", "leakage": "voltage form: read current P(delta * y), "
                       "delta = exp(-decay_per_step * (t - s)), same delta for the K and the V read"},
        "scaler": "z = a * x + b per head (q, k, v before clamp; out after the sub-tile sum)",
        "quantizer": "step = float32((max - min) / (levels - 1)); x_q = step * rint(x / step) in float32, "
                     "round half to even (exact +-1 at 32 levels rounds to +-32/31)",
        "phi": "clamp(S / s_sat, 0, 1), not quantized",
        "window": "key s visible to query t iff t - window < s <= t",
        "subtiles": "ceil(window / subtile); key s in ring slot s mod (subtile * n_subtiles), "
                    "sub-tile slot // subtile",
        "readout": "out = sum_n Q(clamp(A_n / readout_scale, -1, 1)) (digital adders), then the out scaler",
    })
    return d


def export_model(model, corpus, directory, dtype, meta):
    os.makedirs(directory, exist_ok=True)
    cfg = model.cfg
    sd = model.state_dict()
    np_dtype = {"float16": "<f2", "float32": "<f4"}[dtype]
    entries, chunks, offset = [], [], 0
    for export_name, sd_name in tensor_list(cfg):
        arr = sd[sd_name].detach().numpy().astype(np_dtype)
        if not np.isfinite(arr).all():
            sys.exit(f"train_lm.py: {export_name} does not fit {dtype}")
        entries.append({"name": export_name, "shape": list(arr.shape), "offset": offset, "bytes": arr.nbytes})
        chunks.append(arr.tobytes())
        offset += arr.nbytes
    with open(os.path.join(directory, "model.bin"), "wb") as f:
        for c in chunks:
            f.write(c)
    sha256 = hashlib.sha256(b"".join(chunks)).hexdigest()
    header = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "config": {"layers": cfg.n_layer, "d_model": cfg.d_model, "heads": cfg.n_head,
                   "head_dim": cfg.head_dim, "context": cfg.context,
                   "window": cfg.window if cfg.attention != "softmax" else None,
                   "mlp_hidden": cfg.mlp_ratio * cfg.d_model, "vocab_size": cfg.vocab_size,
                   "attention": cfg.attention, "layernorm_eps": 1e-5, "activation": "gelu_erf",
                   "positional": "learned", "tied_head": False},
        "vocab": corpus.chars, "unk_index": corpus.unk,
        "hardware": hardware_json(model.hw) if cfg.attention != "softmax" else None,
        "scalers": scalers_of(model),
        "binary": {"file": "model.bin", "dtype": dtype, "byte_order": "little",
                   "total_bytes": offset, "sha256": sha256, "layout": "row-major (C order); Linear weights "
                   "are [out_features, in_features], y = x W^T + b"},
        "tensors": entries,
        "corpus": corpus.describe(),
        "training": meta,
    }
    with open(os.path.join(directory, "model.json"), "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    return header


def read_binary(directory, binary):
    """model.bin, checked against the export's size and (when recorded) SHA-256."""
    with open(os.path.join(directory, binary["file"]), "rb") as f:
        raw = f.read(binary["total_bytes"] + 1)
    if len(raw) != binary["total_bytes"]:
        sys.exit(f"train_lm.py: {directory}/{binary['file']} holds {len(raw)} bytes or more, "
                 f"binary.total_bytes is {binary['total_bytes']}")
    if "sha256" in binary and hashlib.sha256(raw).hexdigest() != binary["sha256"]:
        sys.exit(f"train_lm.py: {directory}/{binary['file']} does not match binary.sha256 (corrupt or foreign)")
    return raw


def add_checksum(directory, corpus):
    """Record binary.sha256 in an export written before train_lm.py recorded it, only if its weights
    reproduce the export's own reference loss (N = 256), i.e. are the weights it was measured on."""
    path = os.path.join(directory, "model.json")
    with open(path) as f:
        header = json.load(f)
    binary = header["binary"]
    if "sha256" in binary:
        sys.exit(f"train_lm.py: {path} already records binary.sha256")
    want = header.get("reference_eval", {}).get("losses", {}).get("256")
    if want is None:
        sys.exit(f"train_lm.py: {path} has no reference_eval.losses['256'] to check the weights against")
    model, _, _ = load_model(directory)
    got = float(position_losses(model, corpus.val, 256).double().mean())
    if not abs(got - want) <= 1e-6 * want:  # NaN too
        sys.exit(f"train_lm.py: the weights of {directory} give loss {got:.8f} on the first 256 val chars, "
                 f"the export's reference is {want:.8f}: not the weights it was measured on; no checksum written")
    digest = hashlib.sha256(read_binary(directory, binary)).hexdigest()
    header["binary"] = {k: v for k, v in binary.items() if k != "layout"} | {"sha256": digest,
                                                                            "layout": binary["layout"]}
    with open(path, "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    log(f"{path}: binary.sha256 = {digest} (reference loss reproduced: {got:.8f})")


def load_model(path, corpus_vocab=None):
    """From a .pt checkpoint of this script or an export (model.json or its directory).
    Returns (model, chars, meta)."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.json")
    if path.endswith(".json"):
        with open(path) as f:
            h = json.load(f)
        if h.get("format") != FORMAT_NAME:
            sys.exit(f"train_lm.py: {path} is not a {FORMAT_NAME} export")
        c = h["config"]
        cfg = Config(n_layer=c["layers"], d_model=c["d_model"], n_head=c["heads"], head_dim=c["head_dim"],
                     context=c["context"], window=c["window"] or Config.window, mlp_ratio=c["mlp_hidden"] // c["d_model"],
                     vocab_size=c["vocab_size"], attention=c["attention"])
        hw = Hardware()
        if h["hardware"]:
            for k in asdict(hw):
                setattr(hw, k, h["hardware"][k])
        model = GPT(cfg, hw)
        sd = model.state_dict()
        raw = read_binary(os.path.dirname(path), h["binary"])
        np_dtype = {"float16": "<f2", "float32": "<f4"}[h["binary"]["dtype"]]
        by_name = dict(tensor_list(cfg))
        for e in h["tensors"]:
            arr = np.frombuffer(raw, dtype=np_dtype, count=int(np.prod(e["shape"])), offset=e["offset"])
            sd[by_name[e["name"]]] = torch.from_numpy(arr.astype(np.float32).reshape(e["shape"]))
        if h["scalers"]:
            for l, heads in enumerate(h["scalers"]):
                for hd, s in enumerate(heads):
                    for n in SCALER_INIT:
                        sd[f"blocks.{l}.attn.scalers.{n}_a"][hd] = s[n][0]
                        sd[f"blocks.{l}.attn.scalers.{n}_b"][hd] = s[n][1]
        model.load_state_dict(sd)
        return model, h["vocab"], h.get("training", {})
    ck = torch.load(path, map_location="cpu")
    cfg = Config(**ck["config"])
    hw = Hardware(**ck["hardware"])
    model = GPT(cfg, hw)
    model.load_state_dict(ck["state_dict"])
    return model, ck["vocab"], ck.get("meta", {})


def convert(model, attention, window=None):
    """A copy of model with another attention variant; scalers copied when both have them,
    else initialised to the paper's initial values."""
    cfg = copy.deepcopy(model.cfg)
    cfg.attention = attention
    if window is not None:
        cfg.window = window
    new = GPT(cfg, model.hw)
    missing, unexpected = new.load_state_dict(model.state_dict(), strict=False)
    if unexpected or any("scalers" not in m for m in missing):
        raise RuntimeError(f"convert: unexpected {unexpected}, missing {missing}")
    return new


# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def position_losses(model, data, tokens, batch=16):
    """Cross-entropy (nats) of each of the first `tokens` predictions of the stream `data`:
    non-overlapping chunks of `context` inputs data[c : c+context] (c = 0, context, 2 context, ...),
    each from an empty KV cache (positions 0..context-1), targets data[c+1 : c+context+1].
    Causality makes the loss at a position independent of the characters after it, so the first
    N predictions of this array are exactly the evaluation of the first N characters."""
    model.eval()
    T = model.cfg.context
    tokens = min(tokens, len(data) - 1)
    starts = list(range(0, tokens, T))
    losses = torch.empty(tokens)
    for i in range(0, len(starts), batch):
        group = starts[i:i + batch]
        full = [c for c in group if c + T + 1 <= len(data)]
        for c in group:  # at most one short chunk (the end of the stream)
            if c not in full:
                x, y = data[c:len(data) - 1].unsqueeze(0), data[c + 1:].unsqueeze(0)
                l = F.cross_entropy(model(x)[0], y[0], reduction="none")
                n = min(len(l), tokens - c)
                losses[c:c + n] = l[:n]
        if full:
            x = torch.stack([data[c:c + T] for c in full])
            y = torch.stack([data[c + 1:c + T + 1] for c in full])
            l = F.cross_entropy(model(x).reshape(-1, model.cfg.vocab_size), y.reshape(-1),
                                reduction="none").view(len(full), T)
            for j, c in enumerate(full):
                n = min(T, tokens - c)
                losses[c:c + n] = l[j, :n]
    return losses


def evaluate(model, data, tokens):
    return float(position_losses(model, data, tokens).double().mean())


def get_batch(data, batch, T, gen):
    ix = torch.randint(len(data) - T - 1, (batch,), generator=gen)
    x = torch.stack([data[i:i + T] for i in ix])
    y = torch.stack([data[i + 1:i + T + 1] for i in ix])
    return x, y


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def fit_scalers(student, teacher, corpus, args, gen):
    """Layer by layer, fit each head's q, k, v and output scalers of the nonlinear student so
    that the per-head mean and standard deviation of the scaled values equal the linear
    teacher's (statistics over batch, positions and the head's dimensions, on calibration
    batches of training text). Layers below l are already fitted when layer l is; within a layer
    q, k, v are fitted first (their raw values do not depend on the scalers), then the output
    scaler on the attention output computed with the new q, k, v scalers. Closed form per head:
    a = sd_teacher / sd_raw, b = mean_teacher - a * mean_raw."""
    batches = [get_batch(corpus.train, args.batch, student.cfg.context, gen) for _ in range(args.fit_batches)]
    teacher.eval()
    student.eval()

    def collect(model, layer):
        attn = model.blocks[layer].attn
        recs = []
        for x, _ in batches:
            attn.record = {}
            model(x, upto=layer)
            recs.append(attn.record)
            attn.record = None
        return {k: torch.cat([r[k] for r in recs]) for k in recs[0] if k != "phi_zero_fraction"}, \
            float(np.mean([r["phi_zero_fraction"] for r in recs]))

    def stats(z):  # (B, H, T, d) -> per head
        return z.transpose(0, 1).reshape(z.shape[1], -1).double().mean(1), \
            z.transpose(0, 1).reshape(z.shape[1], -1).double().std(1)

    for l in range(student.cfg.n_layer):
        t_rec, t_zero = collect(teacher, l)
        s = student.blocks[l].attn.scalers
        s_rec, s_zero0 = collect(student, l)
        for name in ("q", "k", "v"):
            mt, st = stats(t_rec[name])
            mr, sr = stats(s_rec["raw_" + name])
            a = st / sr.clamp(min=1e-12)
            s[name + "_a"].copy_(a.float())
            s[name + "_b"].copy_((mt - a * mr).float())
        # raw attention output with the new q, k, v scalers: record "out" with out scaler (1, 0)
        keep_a, keep_b = s["out_a"].clone(), s["out_b"].clone()
        s["out_a"].fill_(1.0)
        s["out_b"].fill_(0.0)
        s_rec, s_zero = collect(student, l)
        mt, st = stats(t_rec["out"])
        mr, sr = stats(s_rec["out"])
        ok = sr > 1e-12
        a = torch.where(ok, st / sr.clamp(min=1e-12), keep_a.double())
        b = torch.where(ok, mt - a * mr, keep_b.double())
        s["out_a"].copy_(a.float())
        s["out_b"].copy_(b.float())
        log(f"fit layer {l}: phi==0 in window {t_zero:.3f} (linear) {s_zero0:.3f} -> {s_zero:.3f} (nonlinear); "
            + "; ".join(f"{n} a={[round(float(x), 3) for x in s[n + '_a']]} b={[round(float(x), 3) for x in s[n + '_b']]}"
                        for n in SCALER_INIT))


def make_optimizer(model, args):
    """Weight decay on matrices and embeddings only; the per-head scalers get their own learning
    rate (--scaler-lr, on the same schedule): at the weights' rate a scaler could move by only
    about lr per step, ~0.05 over a 110-step fine-tune."""
    decay, no_decay, scalers = [], [], []
    for name, p in model.named_parameters():
        if ".scalers." in name:
            scalers.append(p)
        else:
            (decay if p.dim() >= 2 else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": args.weight_decay, "lr_scale": 1.0},
              {"params": no_decay, "weight_decay": 0.0, "lr_scale": 1.0}]
    if scalers:
        groups.append({"params": scalers, "weight_decay": 0.0, "lr_scale": args.scaler_lr / args.lr})
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.99), eps=1e-8)


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1.0 + math.cos(math.pi * min(1.0, progress)))


def train(model, corpus, args, gen, history):
    opt = make_optimizer(model, args)
    T = model.cfg.context
    t0 = time.time()
    tokens = 0
    for step in range(args.steps):
        lr = lr_at(step, args)
        for g in opt.param_groups:
            g["lr"] = lr * g["lr_scale"]
        model.train()
        x, y = get_batch(corpus.train, args.batch, T, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, model.cfg.vocab_size), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        tokens += x.numel()
        history["train"].append([step + 1, float(loss)])
        if (step + 1) % args.log_interval == 0 or step == 0 or step + 1 == args.steps:
            dt = time.time() - t0
            log(f"step {step + 1}/{args.steps} lr {lr:.2e} train {float(loss):.4f} "
                f"{tokens / dt:.0f} tok/s elapsed {dt:.0f}s")
        if args.eval_interval and ((step + 1) % args.eval_interval == 0) and step + 1 != args.steps:
            v = evaluate(model, corpus.val, args.eval_tokens)
            history["val"].append([step + 1, v])
            log(f"step {step + 1}: val {v:.4f} (first {args.eval_tokens} val chars)")
    return time.time() - t0


def smoke_config(cfg):
    cfg.n_layer, cfg.d_model, cfg.n_head, cfg.head_dim = 1, 32, 2, 16
    cfg.context, cfg.window = 32, 16
    return cfg


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--attention", choices=VARIANTS, help="variant to train (default: that of --init, else softmax)")
    p.add_argument("--init", help="start from this checkpoint (.pt) or export (model.json or its directory)")
    p.add_argument("--fit-scalers", action="store_true",
                   help="before training, fit the scalers layer by layer to the statistics of the --init model "
                        "(a hardware variant, normally linear)")
    p.add_argument("--fit-batches", type=int, default=4, help="calibration batches for --fit-scalers")
    p.add_argument("--steps", type=int, default=None, help="training steps (default 550 from scratch, 110 from --init)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default 2e-3 from scratch, 1e-3 from --init)")
    p.add_argument("--min-lr", type=float, default=None, help="end of the cosine decay (default lr/10)")
    p.add_argument("--scaler-lr", type=float, default=None,
                   help="peak learning rate of the per-head scalers (default 1e-2; same schedule as --lr)")
    p.add_argument("--warmup", type=int, default=None, help="linear warm-up steps (default 50 from scratch, 10 from --init)")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument("--log-interval", type=int, default=10)
    p.add_argument("--eval-interval", type=int, default=None, help="steps between periodic val evaluations (0: none)")
    p.add_argument("--eval-tokens", type=int, default=16384, help="val characters for the periodic evaluation")
    p.add_argument("--final-eval-tokens", type=int, default=None, help="val characters for the final evaluation (default: all)")
    p.add_argument("--save", help="write a .pt checkpoint (config, weights, vocab, history)")
    p.add_argument("--export", metavar="DIR", help="write DIR/model.json + DIR/model.bin")
    p.add_argument("--export-dtype", choices=("float16", "float32"), default="float16")
    p.add_argument("--summary", help="write a JSON summary of the run (losses, times)")
    p.add_argument("--eval-only", action="store_true", help="evaluate --init on the first --tokens val characters")
    p.add_argument("--tokens", type=int, default=None, help="with --eval-only: characters to evaluate (default: all)")
    p.add_argument("--window", type=int, default=None, help="attention window of the hardware variants (default 128)")
    p.add_argument("--write-val", metavar="FILE", help="write the validation text (UTF-8) and exit")
    p.add_argument("--add-checksum", metavar="DIR", help="record binary.sha256 in an older export DIR, after "
                   "checking that its weights reproduce its reference loss, and exit")
    p.add_argument("--smoke", action="store_true", help="tiny model (1 layer, d 32, 2 heads x 16, context 32, "
                   "window 16, sub-tile 8), few steps, for ctest")
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(args.seed)

    corpus = Corpus()
    if args.write_val:
        with open(args.write_val, "w", encoding="utf-8", newline="") as f:
            f.write(corpus.val_text)
        log(f"wrote {len(corpus.val_text)} validation characters to {args.write_val}")
        return 0
    if args.add_checksum:
        add_checksum(args.add_checksum, corpus)
        return 0

    source = None
    if args.init:
        source, vocab, src_meta = load_model(args.init)
        if vocab != corpus.chars:
            sys.exit("train_lm.py: the vocabulary of --init differs from this corpus's (different fortunes package?)")
    attention = args.attention or (source.cfg.attention if source else "softmax")

    if args.eval_only:
        if source is None:
            sys.exit("train_lm.py: --eval-only needs --init")
        model = source if attention == source.cfg.attention else convert(source, attention, args.window)
        n = args.tokens or len(corpus.val) - 1
        t0 = time.time()
        loss = evaluate(model, corpus.val, n)
        dt = time.time() - t0
        log(f"eval {attention}: {min(n, len(corpus.val) - 1)} val chars, loss {loss:.6f} nats/char "
            f"({loss / math.log(2):.4f} bits/char, perplexity {math.exp(loss):.4f}), {dt:.1f}s")
        if args.summary:
            with open(args.summary, "w") as f:
                json.dump({"attention": attention, "tokens": n, "val_loss": loss, "seconds": dt}, f, indent=1)
        return 0

    from_scratch = source is None
    if args.steps is None:
        args.steps = (40 if args.smoke else 550) if from_scratch else (20 if args.smoke else 110)
    if args.lr is None:
        args.lr = (3e-3 if args.smoke else 2e-3) if from_scratch else 1e-3
    if args.min_lr is None:
        args.min_lr = args.lr / 10
    if args.scaler_lr is None:
        args.scaler_lr = 1e-2
    if args.warmup is None:
        args.warmup = (5 if args.smoke else 50) if from_scratch else (2 if args.smoke else 10)
    if args.eval_interval is None:
        args.eval_interval = 0 if args.smoke else (100 if from_scratch else 55)
    if args.smoke:
        args.batch = min(args.batch, 8)
        args.eval_tokens = min(args.eval_tokens, 1024)
        if args.final_eval_tokens is None:
            args.final_eval_tokens = 2048
        args.fit_batches = min(args.fit_batches, 2)
    final_tokens = args.final_eval_tokens or len(corpus.val) - 1

    if from_scratch:
        cfg = Config(vocab_size=corpus.vocab_size, attention=attention)
        hw = Hardware()
        if args.smoke:
            smoke_config(cfg)
            hw.subtile = 8
        if args.window:
            cfg.window = args.window
        model = GPT(cfg, hw)
    else:
        if args.fit_scalers and source.cfg.attention == "softmax":
            sys.exit("train_lm.py: --fit-scalers needs a hardware-variant --init (the linear model)")
        model = convert(source, attention, args.window)

    history = {"train": [], "val": []}
    meta = {"attention": attention, "command": " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:]),
            "init": os.path.basename(os.path.normpath(args.init)) if args.init else None,
            "chain": (src_meta.get("chain", []) if source is not None else []) + [attention],
            "seed": args.seed, "steps": args.steps, "batch": args.batch, "lr": args.lr, "min_lr": args.min_lr,
            "scaler_lr": args.scaler_lr if attention != "softmax" else None,
            "warmup": args.warmup, "weight_decay": args.weight_decay, "optimizer": "AdamW(0.9, 0.99), cosine",
            "threads": args.threads, "torch": torch.__version__, "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(), "smoke": args.smoke}
    log(f"corpus: {len(corpus.fortunes)} fortunes, train {len(corpus.train_text)} chars, val "
        f"{len(corpus.val_text)} chars, vocab {corpus.vocab_size} (incl. unknown)")
    log(f"model: {attention}, {sum(p.numel() for p in model.parameters())} parameters, {asdict(model.cfg)}")

    if not from_scratch:
        v = evaluate(model, corpus.val, args.eval_tokens)
        meta["val_at_start"] = v
        log(f"val at start ({attention} from {source.cfg.attention}): {v:.4f} (first {args.eval_tokens} val chars)")
    if args.fit_scalers:
        t0 = time.time()
        fit_scalers(model, source, corpus, args, gen)
        meta["fit_seconds"] = time.time() - t0
        v = evaluate(model, corpus.val, args.eval_tokens)
        meta["val_after_fit"] = v
        log(f"val after fitting the scalers: {v:.4f} (first {args.eval_tokens} val chars), "
            f"{meta['fit_seconds']:.0f}s")

    train_seconds = train(model, corpus, args, gen, history)
    meta["train_seconds"] = train_seconds
    meta["val_at_end"] = evaluate(model, corpus.val, args.eval_tokens)
    meta["eval_tokens"] = args.eval_tokens
    t0 = time.time()
    final = evaluate(model, corpus.val, final_tokens)
    meta["final_eval_seconds"] = time.time() - t0
    meta["val_loss"] = final
    meta["val_tokens"] = min(final_tokens, len(corpus.val) - 1)
    meta["history"] = history
    log(f"final val {final:.4f} nats/char on {meta['val_tokens']} val chars "
        f"(training {train_seconds:.0f}s, eval {meta['final_eval_seconds']:.0f}s)")

    if args.save:
        os.makedirs(os.path.dirname(os.path.abspath(args.save)), exist_ok=True)
        torch.save({"config": asdict(model.cfg), "hardware": asdict(model.hw), "state_dict": model.state_dict(),
                    "vocab": corpus.chars, "meta": meta}, args.save)
        log(f"saved {args.save}")
    if args.export:
        export_meta = {k: v for k, v in meta.items() if k != "history"}
        export_meta["train_loss_last10"] = float(np.mean([l for _, l in history["train"][-10:]]))
        export_meta["val_history"] = history["val"]
        export_model(model, corpus, args.export, args.export_dtype, export_meta)
        # Reference numbers of the exported (rounded) weights, for the C++ parity checks.
        exported, _, _ = load_model(args.export)
        t0 = time.time()
        pl = position_losses(exported, corpus.val, final_tokens)
        ref = {"protocol": "platforms/gpt_model/README.md: non-overlapping chunks of `context` characters from an "
                           "empty KV cache, loss on every position; loss of the first N predictions",
               "losses": {str(n): float(pl[:n].double().mean()) for n in (256, 1024, 4096) if n <= len(pl)},
               "first_chunk_position_losses": [round(float(x), 6) for x in pl[:model.cfg.context]]}
        ref["losses"][str(len(pl))] = float(pl.double().mean())
        with open(os.path.join(args.export, "model.json")) as f:
            header = json.load(f)
        header["reference_eval"] = ref
        header["training"]["val_loss_exported"] = ref["losses"][str(len(pl))]
        with open(os.path.join(args.export, "model.json"), "w") as f:
            json.dump(header, f, indent=1)
            f.write("\n")
        meta["val_loss_exported"] = ref["losses"][str(len(pl))]
        log(f"exported {args.export} ({header['binary']['total_bytes']} bytes {args.export_dtype}); "
            f"val of the exported weights {meta['val_loss_exported']:.4f} on {len(pl)} chars "
            f"({time.time() - t0:.0f}s)")
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(meta, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
