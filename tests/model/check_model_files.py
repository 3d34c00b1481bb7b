#!/usr/bin/python3
"""gpt_model on corrupt or foreign model files (issue 11, class 4), seconds.

Each case is a copy of models/nonlinear with one defect: random or flipped bytes in model.bin,
NaN or Inf weights, a truncated or longer binary, another model's binary, /dev/zero as the binary,
a missing checksum, and model.json fields of the wrong type, missing, out of range or disagreeing
with the binary's size. Every one must end with exit 2 and one stderr line naming what is wrong,
and no outputs; the untouched copy must run. A consistent model whose heads would need more memory
than the machine has is refused before any is built. Where a defect would otherwise be caught by the
checksum, the copy's binary.sha256 is recomputed so that the check behind it is the one tested.

  check_model_files.py --binary build/bin/gpt_model --workdir DIR
"""
import argparse
import copy
import hashlib
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import address_space_cap, check, finish_checks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "models", "nonlinear")


def original():
    with open(os.path.join(SOURCE, "model.json")) as f:
        header = json.load(f)
    with open(os.path.join(SOURCE, "model.bin"), "rb") as f:
        return header, f.read()


def write_model(directory, header, binary, rehash=False):
    """A model directory; rehash: binary.sha256 recomputed from `binary` (bytes, or None: no file)."""
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    if rehash:
        header["binary"]["sha256"] = hashlib.sha256(binary).hexdigest()
    with open(os.path.join(directory, "model.json"), "w") as f:
        json.dump(header, f, separators=(",", ":"))
    if binary is not None:
        with open(os.path.join(directory, "model.bin"), "wb") as f:
            f.write(binary)


def run(binary, model, work):
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    try:
        r = subprocess.run([binary, "--model", model, "--tokens", "8", "--out", out], capture_output=True, text=True,
                           timeout=60, preexec_fn=address_space_cap(binary, 2 << 30))  # the model needs a tenth
    except subprocess.TimeoutExpired:
        r = subprocess.CompletedProcess([], None, "", "(timed out after 60 s)")
    return r, os.path.exists(os.path.join(out, "summary.json"))


def expect_error(binary, work, name, needles, header, data, rehash=False):
    model = os.path.join(work, name)
    write_model(model, header, data, rehash)
    r, wrote = run(binary, model, work)
    lines = r.stderr.strip().splitlines()
    ok = r.returncode == 2 and len(lines) == 1 and all(n in lines[0] for n in needles) and not wrote
    check(ok, f"{name}: exit 2, one line naming {needles}" +
          ("" if ok else f" (rc {r.returncode}, stderr {r.stderr.strip()[:300]!r}, stdout {r.stdout[:160]!r})"))


def half_offset(header, tensor, index):
    entry = next(t for t in header["tensors"] if t["name"] == tensor)
    return entry["offset"] + 2 * index


def with_half(data, offset, bits):
    return data[:offset] + struct.pack("<H", bits) + data[offset + 2:]


def binary_cases(binary, work, header, data):
    rng = random.Random(11)
    noise = bytes(rng.getrandbits(8) for _ in range(len(data)))
    expect_error(binary, work, "random_bytes", ["model.bin", "SHA-256", "binary.sha256"], copy.deepcopy(header), noise)
    expect_error(binary, work, "random_bytes_rehashed", ["model.bin", "tok_emb", "weights must be finite"],
                 copy.deepcopy(header), noise, rehash=True)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    expect_error(binary, work, "one_flipped_bit", ["SHA-256", "binary.sha256"], copy.deepcopy(header), bytes(flipped))
    nan_at = half_offset(header, "layers.2.mlp.fc.weight", 1234)
    expect_error(binary, work, "nan_weight", ["SHA-256"], copy.deepcopy(header), with_half(data, nan_at, 0x7e00))
    expect_error(binary, work, "nan_weight_rehashed", ["layers.2.mlp.fc.weight", "value 1234", "NaN", "finite"],
                 copy.deepcopy(header), with_half(data, nan_at, 0x7e00), rehash=True)
    expect_error(binary, work, "inf_weight_rehashed", ["ln_f.bias", "infinite", "finite"], copy.deepcopy(header),
                 with_half(data, half_offset(header, "ln_f.bias", 7), 0xfc00), rehash=True)
    expect_error(binary, work, "extra_bytes", ["longer than binary.total_bytes = 6565888"], copy.deepcopy(header),
                 data + b"\0\0")
    expect_error(binary, work, "extra_bytes_rehashed", ["longer than binary.total_bytes"], copy.deepcopy(header),
                 data + b"\0\0", rehash=True)
    expect_error(binary, work, "truncated", ["6565788 bytes", "binary.total_bytes = 6565888", "truncated"],
                 copy.deepcopy(header), data[:-100])
    expect_error(binary, work, "empty_binary", ["0 bytes", "truncated"], copy.deepcopy(header), b"")
    expect_error(binary, work, "missing_binary", ["model.bin", "cannot read", "No such file"], copy.deepcopy(header),
                 None)
    with open(os.path.join(ROOT, "models", "linear", "model.bin"), "rb") as f:
        linear = f.read()  # same shapes and size: only the checksum tells it apart
    expect_error(binary, work, "other_models_binary", ["SHA-256", "not this model's binary"], copy.deepcopy(header),
                 linear)
    # /dev/zero as model.bin: read up to the stated size, not without end.
    model = os.path.join(work, "dev_zero")
    write_model(model, copy.deepcopy(header), None)
    os.symlink("/dev/zero", os.path.join(model, "model.bin"))
    r, wrote = run(binary, model, work)
    check(r.returncode == 2 and "longer than binary.total_bytes" in r.stderr and not wrote,
          f"dev_zero: model.bin -> /dev/zero ends with exit 2 (rc {r.returncode}: {r.stderr.strip()[:160]})")


def edited(header, path, value):
    """A copy of header with the key at `path` (list of keys/indices) set to value, or deleted (value is DELETE)."""
    h = copy.deepcopy(header)
    node = h
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return h


DELETE = object()


def header_cases(binary, work, header, data):
    cases = [
        # (name, path, value, words of the one stderr line)
        ("no_checksum", ["binary", "sha256"], DELETE, ["binary.sha256", "missing", "--add-checksum"]),
        ("bad_checksum_text", ["binary", "sha256"], "xyz", ["binary.sha256", "'xyz'", "64 lowercase hex"]),
        ("checksum_number", ["binary", "sha256"], 12, ["binary.sha256", "expected a string"]),
        ("dtype_float64", ["binary", "dtype"], "float64", ["binary.dtype", "float64", "float16, float32"]),
        ("dtype_number", ["binary", "dtype"], 16, ["binary.dtype", "expected a string, got 16"]),
        ("dtype_float32_on_half_data", ["binary", "dtype"], "float32", ["tensors[0].bytes", "disagrees", "4-byte"]),
        ("big_endian", ["binary", "byte_order"], "big", ["binary.byte_order", "big", "little"]),
        ("binary_elsewhere", ["binary", "file"], "../linear/model.bin", ["binary.file", "../linear/model.bin"]),
        ("total_bytes_text", ["binary", "total_bytes"], "6565888", ["binary.total_bytes", "integers"]),
        ("total_bytes_huge", ["binary", "total_bytes"], 10 ** 15, ["binary.total_bytes", "1073741824"]),
        ("layers_text", ["config", "layers"], "4", ["config.layers", "\"4\"", "integers"]),
        ("layers_fraction", ["config", "layers"], 4.5, ["config.layers", "4.5", "integers"]),
        ("layers_negative", ["config", "layers"], -1, ["config.layers", "-1", "integers 1 .."]),
        ("layers_zero", ["config", "layers"], 0, ["config.layers", "integers 1 .."]),
        ("layers_bool", ["config", "layers"], True, ["config.layers", "true"]),
        ("heads_missing", ["config", "heads"], DELETE, ["config.heads", "missing"]),
        ("d_model_huge", ["config", "d_model"], 10 ** 12, ["config.d_model", "1000000000000", "1073741824"]),
        ("d_model_large", ["config", "d_model"], 2 ** 29, ["tok_emb", "shape", "536870912"]),
        ("context_disagrees", ["config", "context"], 300, ["pos_emb", "[256,256]", "[300,256]"]),
        ("layers_more", ["config", "layers"], 5, ["no tensor 'layers.4.ln1.weight'"]),
        ("layers_fewer", ["config", "layers"], 3, ["'layers.3.attn.proj.bias' is not a tensor of this config"]),
        ("eps_text", ["config", "layernorm_eps"], "1e-5", ["config.layernorm_eps", "finite number"]),
        ("eps_beyond_float", ["config", "layernorm_eps"], 1e300, ["config.layernorm_eps", "finite number"]),
        ("eps_negative", ["config", "layernorm_eps"], -1e-5, ["config.layernorm_eps", "> 0"]),
        ("attention_number", ["config", "attention"], 3, ["config.attention", "expected a string"]),
        ("q_levels_fraction", ["hardware", "q_levels"], 16.5, ["hardware.q_levels", "16.5"]),
        ("s_sat_text", ["hardware", "s_sat"], "80", ["hardware.s_sat", "finite number"]),
        ("cubic_text", ["hardware", "cubic_a", 2], "x", ["hardware.cubic_a[2]", "finite number"]),
        ("scaler_beyond_float", ["scalers", 1, 2, "v", 0], 1e39, ["scalers[1][2].v", "finite number"]),
        ("scaler_text", ["scalers", 0, 0, "q", 1], "0.5", ["scalers[0][0].q", "finite number"]),
        ("vocab_number", ["vocab", 3], 10, ["vocab", "entry 10", "not one character"]),
        ("unk_index_text", ["unk_index"], "112", ["unk_index", "\"112\""]),
        ("corpus_missing", ["corpus"], DELETE, ["corpus", "missing"]),
        ("corpus_files_text", ["corpus", "files"], "art", ["corpus.files", "list of file names"]),
        ("corpus_val_chars_text", ["corpus", "val_chars"], "262675", ["corpus.val_chars", "integers"]),
        ("reference_loss_text", ["reference_eval", "losses", "1024"], "2.06", ["reference_eval.losses.1024"]),
        ("reference_losses_list", ["reference_eval", "losses"], [2.06], ["reference_eval.losses", "expected"]),
        ("tensors_not_list", ["tensors"], {"a": 1}, ["tensors", "expected a list"]),
        ("tensor_shape_wrong", ["tensors", 0, "shape"], [113, 257], ["tensors[0].bytes", "disagrees", "[113,257]"]),
        ("tensor_shape_text", ["tensors", 0, "shape"], ["113", 256], ["tensors[0].shape", "\"113\""]),
        ("tensor_offset_wrong", ["tensors", 1, "offset"], 57858, ["tensors[1].offset", "57858", "from byte 57856"]),
        ("tensor_name_missing", ["tensors", 4, "name"], DELETE, ["tensors[4].name", "missing"]),
        ("tensor_listed_twice", ["tensors", 3, "name"], "layers.0.ln1.weight", ["layers.0.ln1.weight", "twice"]),
    ]
    for name, path, value, needles in cases:
        expect_error(binary, work, name, needles, edited(header, path, value), data)
    # A tensor more than the format has (a foreign export), its bytes and checksum in order.
    h = copy.deepcopy(header)
    h["tensors"].append({"name": "extra", "shape": [4], "offset": len(data), "bytes": 8})
    h["binary"]["total_bytes"] = len(data) + 8
    expect_error(binary, work, "extra_tensor", ["'extra' is not a tensor of this config"], h,
                 data + bytes(8), rehash=True)
    # Bytes beyond the tensors with total_bytes and the checksum updated: total_bytes disagrees.
    h = copy.deepcopy(header)
    h["binary"]["total_bytes"] = len(data) + 2
    expect_error(binary, work, "total_bytes_beyond_tensors", ["binary.total_bytes", "6565890", "6565888"], h,
                 data + b"\0\0", rehash=True)


def consistent_model(header, layers, heads, window):
    """A model.json + zero weights that pass every file check: d_model 1, context 2, MLP width 1,
    `layers` x `heads` heads of the committed head_dim with `window`."""
    h = copy.deepcopy(header)
    c = h["config"]
    c.update(layers=layers, d_model=1, heads=heads, context=2, mlp_hidden=1, window=window)
    inner, V = heads * c["head_dim"], c["vocab_size"]
    shapes = [("tok_emb", [V, 1]), ("pos_emb", [2, 1])]
    for l in range(layers):
        shapes += [(f"layers.{l}.{n}", s) for n, s in (
            ("ln1.weight", [1]), ("ln1.bias", [1]), ("attn.qkv.weight", [3 * inner, 1]), ("attn.qkv.bias", [3 * inner]),
            ("attn.proj.weight", [1, inner]), ("attn.proj.bias", [1]), ("ln2.weight", [1]), ("ln2.bias", [1]),
            ("mlp.fc.weight", [1, 1]), ("mlp.fc.bias", [1]), ("mlp.proj.weight", [1, 1]), ("mlp.proj.bias", [1]))]
    shapes += [("ln_f.weight", [1]), ("ln_f.bias", [1]), ("head.weight", [V, 1])]
    h["tensors"], offset = [], 0
    for name, shape in shapes:
        size = 2 * math.prod(shape)
        h["tensors"].append({"name": name, "shape": shape, "offset": offset, "bytes": size})
        offset += size
    h["binary"]["total_bytes"] = offset
    scaler = h["scalers"][0][0]
    h["scalers"] = [[scaler] * heads for _ in range(layers)]
    return h, bytes(offset)


def header_file_cases(binary, work, header, data):
    """model.json itself: a FIFO fed without end and one over 16 MiB are refused before parsing."""
    model = os.path.join(work, "json_fifo")
    write_model(model, copy.deepcopy(header), data)
    os.remove(os.path.join(model, "model.json"))
    os.mkfifo(os.path.join(model, "model.json"))
    writer = subprocess.Popen(["sh", "-c", f"yes '[' > {model}/model.json"], stderr=subprocess.DEVNULL)
    r, wrote = run(binary, model, work)
    writer.kill()
    writer.wait()
    check(r.returncode == 2 and "not a regular file" in r.stderr and not wrote,
          f"json_fifo: model.json a FIFO of endless '[': exit 2 (rc {r.returncode}: {r.stderr.strip()[:160]})")
    big = copy.deepcopy(header)
    big["padding"] = "x" * (16 << 20)
    expect_error(binary, work, "json_over_16_mib", ["model.json", "16777216 bytes"], big, data)


def hardware_cases(binary, work, header):
    small, data = consistent_model(header, 1, 2, 128)
    model = os.path.join(work, "consistent_small")
    write_model(model, small, data, rehash=True)
    r, wrote = run(binary, model, work)
    check(r.returncode == 0 and wrote, f"a small consistent model of zero weights runs (rc {r.returncode}: "
                                       f"{r.stderr.strip()[:200]})")
    # 4096 heads (the most the key heads allows) of window 65536: 5 MB of files, about 200 GiB of hardware.
    huge, data = consistent_model(header, 1, 4096, 65536)
    expect_error(binary, work, "heads_beyond_memory", ["memory", "model.layers x heads", "window"], huge, data,
                 rehash=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--workdir", required=True)
    a = p.parse_args()
    work = os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    header, data = original()
    check(header["binary"].get("sha256") == hashlib.sha256(data).hexdigest(),
          "models/nonlinear/model.json records the SHA-256 of its model.bin")
    write_model(os.path.join(work, "intact"), copy.deepcopy(header), data)
    r, wrote = run(a.binary, os.path.join(work, "intact"), work)
    check(r.returncode == 0 and wrote, f"the intact copy runs (rc {r.returncode}: {r.stderr.strip()[:200]})")
    binary_cases(a.binary, work, header, data)
    header_cases(a.binary, work, header, data)
    header_file_cases(a.binary, work, header, data)
    hardware_cases(a.binary, work, header)
    finish_checks("check_model_files")


if __name__ == "__main__":
    main()
