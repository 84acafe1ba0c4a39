# parity.py: the PyTorch side of the differential test — `gen` draws the cases and writes their inputs, `check` runs them in PyTorch and compares with our results.
#
#   parity.py gen DIR     writes DIR/cases.json and DIR/inputs.bin (raw little-endian tensors, listed in the JSON)
#   parity.py check DIR   reads those and DIR/results.json + DIR/results.bin (written by the C# runner), runs every case in PyTorch
#                         from the same bytes, and prints `N cases, N agree, N differ` with every difference.
#
# Agreement: both raise, or neither; then the same outputs (count, kind, dtype, shape) with values equal for integer and bool
# tensors and within the dtype's tolerance for floating ones (TOL; NaN where NaN), and the same gradients of sum(w * out) with
# respect to every floating input, w_i = ((7 i + 3 k) mod 11 - 5) / 4 for output k (exact in every float dtype).
import json
import os
import re
import sys
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

from draw import B, FLOAT, OURS, Draw, Dt, Enum, Gen, Ints, Ts
from ops import OPS

SEED = 1413
# Tolerances (rtol, atol) per dtype. Both sides run the same libtorch kernels, so most values agree bit for bit (counted
# separately); the tolerance only absorbs a different but equally valid summation order: a few ulps of float32 (eps 1.2e-7)
# or float64 (eps 2.2e-16) relative, scaled by 100 for reductions of up to ~100 terms.
TOL = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-13, 1e-14)}
SCALARS = [3, -2, 0, 0.5, -1.5, True, False]  # the scalar block: every tensor dtype with each of these
NP = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "bool": np.bool_, "int32": np.int32, "uint8": np.uint8,
      "int16": np.int16, "int8": np.int8}
warnings.filterwarnings("ignore")


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


# ---- raw tensors ----
def write_tensors(path, tensors):
    manifest, off = {}, 0
    with open(path, "wb") as f:
        for name, t in tensors.items():
            b = t.detach().contiguous().numpy().astype(NP[str(t.dtype)[6:]]().dtype.newbyteorder("<")).tobytes()
            manifest[name] = {"dtype": str(t.dtype)[6:], "shape": list(t.shape), "offset": off, "nbytes": len(b)}
            f.write(b)
            off += len(b)
    return manifest


def read_tensors(path, manifest):
    data = open(path, "rb").read()
    out = {}
    for name, m in manifest.items():
        a = np.frombuffer(data, dtype=np.dtype(NP[m["dtype"]]).newbyteorder("<"), count=int(np.prod(m["shape"], dtype=np.int64)),
                          offset=m["offset"])
        out[name] = torch.from_numpy(a.astype(NP[m["dtype"]]).copy()).reshape(m["shape"])
    return out


# ---- cases ----
def encode(v, tensors, prefix):
    if isinstance(v, torch.Tensor):
        name = f"{prefix}_{len(tensors)}"
        tensors[name] = v
        return {"t": name}
    if isinstance(v, Ts):
        return {"ts": [None if t is None else encode(t, tensors, prefix)["t"] for t in v]}
    if isinstance(v, Ints):
        return {"ints": [int(i) for i in v]}
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": v}
    if isinstance(v, float):
        return {"f": v if np.isfinite(v) else str(v)}
    if isinstance(v, Dt):
        return {"dtype": OURS[v.dtype]}
    if isinstance(v, Gen):
        return {"gen": v.seed}
    if isinstance(v, Enum):
        return {"enum": v.ours, "torch": v.torch}
    if isinstance(v, str):
        return {"s": v}
    if v is None:
        return None
    raise TypeError(f"cannot encode {v!r}")


def generate(folder):
    cases, tensors = [], {}
    for k, o in enumerate(OPS):
        variants = [(dt, s) for dt in o.dtypes for s in SCALARS] if o.block == "scalar" else \
                   [(dt, j) for dt in o.dtypes for j in range(o.draws)]
        for dt, extra in variants:
            cid = len(cases)
            seed = zlib.crc32(f"{SEED}|{o.ours}|{o.gen.__name__}|{dt}|{extra!r}".encode())
            d = Draw(seed)
            args, kwargs = o.gen(d, dt, extra) if o.block == "scalar" else o.gen(d, dt)
            before = set(tensors)
            eargs = [encode(a, tensors, f"c{cid}") for a in args]
            ekw = {key: encode(v, tensors, f"c{cid}") for key, v in kwargs.items()}
            grad = [nm for nm in tensors if nm not in before and tensors[nm].dtype in FLOAT and id(tensors[nm]) not in d.consts] \
                if o.grad else []
            perm = [nm for nm in tensors if nm not in before and tensors[nm].dim() >= 2 and d.r.random() < 0.2]
            for nm in perm:  # stored with its dims reversed; both sides pass stored.permute(reversed): the same values, not contiguous
                tensors[nm] = tensors[nm].permute(*reversed(range(tensors[nm].dim()))).contiguous()
            cases.append({"id": cid, "op": o.ours, "table": k, "block": o.block, "dtype": OURS[dt],
                          "scalar": None if o.block != "scalar" else repr(extra), "args": eargs, "kwargs": ekw, "grad": grad, "perm": perm})
    manifest = write_tensors(os.path.join(folder, "inputs.bin"), tensors)
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump({"seed": SEED, "ops": sorted({o.ours for o in OPS}), "cases": cases, "tensors": manifest}, f)
    print(f"{len(cases)} cases over {len(OPS)} table lines ({len({o.ours for o in OPS})} public members), seed {SEED}")


# ---- PyTorch side ----
def resolve(ref, args):
    if callable(ref):
        return ref, args
    ns, name = ref.split(".", 1)
    if ns == "x":
        return getattr(args[0], name), args[1:]
    return getattr({"torch": torch, "F": F, "linalg": torch.linalg}[ns], name), args


def decode(v, make):
    if v is None:
        return None
    if "t" in v:
        return make(v["t"])
    if "ts" in v:
        return [None if n is None else make(n) for n in v["ts"]]
    if "ints" in v:
        return list(v["ints"])
    if "b" in v:
        return v["b"]
    if "i" in v:
        return v["i"]
    if "f" in v:
        return float(v["f"])
    if "dtype" in v:
        return {n: t for t, n in OURS.items()}[v["dtype"]]
    if "gen" in v:
        return torch.Generator().manual_seed(v["gen"])
    if "enum" in v:
        return v["torch"]
    return v["s"]


def flatten(out):
    """Outputs as a list of tensors / dtype names / None: tuples and lists (of tensors) flattened, Python numbers as 0-d tensors."""
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, torch.dtype):
        return [OURS.get(out, str(out))]
    if isinstance(out, torch.Size):
        return [torch.tensor(list(out), dtype=torch.int64)]
    if isinstance(out, bool):
        return [torch.tensor(out)]
    if isinstance(out, int):
        return [torch.tensor(out, dtype=torch.int64)]
    if isinstance(out, float):
        return [torch.tensor(out, dtype=torch.float64)]
    if isinstance(out, (tuple, list)):
        if out and all(isinstance(i, int) and not isinstance(i, bool) for i in out):
            return [torch.tensor(list(out), dtype=torch.int64)]
        return [x for i in out for x in flatten(i)]
    if out is None:
        return [None]
    raise TypeError(f"unexpected output {type(out)}")


def weights(t, k):
    i = torch.arange(t.numel(), dtype=torch.int64)
    return (((7 * i + 3 * k) % 11 - 5).to(torch.float64) / 4).to(t.dtype).reshape(t.shape)


def run_torch(case, op, inputs):
    live = {}

    def make(n):
        """A fresh copy of input n (requiring grad when listed), passed as a non-contiguous view when listed in perm."""
        if n not in live:
            base = inputs[n].clone().requires_grad_(n in case["grad"])
            live[n] = base.permute(*reversed(range(base.dim()))) if n in case["perm"] else base
        return live[n]

    for n in case["grad"]:
        make(n)
    args = [decode(a, make) for a in case["args"]]
    kwargs = {snake(k): decode(v, make) for k, v in case["kwargs"].items()}
    try:
        f, rest = resolve(op.ref, args)
        outs = flatten(f(*rest, **kwargs))
    except Exception as e:  # noqa: BLE001 - any raise counts as "raises"
        return {"error": f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}
    res = {"outs": outs, "grads": None}
    ins = [live[n] for n in case["grad"]]
    diff = [(k, o) for k, o in enumerate(outs) if isinstance(o, torch.Tensor) and o.requires_grad]
    if ins and diff:
        try:
            second = all(t.dtype == torch.float64 for t in ins)
            gs = torch.autograd.grad([o for _, o in diff], ins, [weights(o, k) for k, o in diff], allow_unused=True, create_graph=second)
            res["grads"] = [None if x is None else x.detach() for x in gs]
        except Exception as e:  # noqa: BLE001
            res["grad_error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
            return res
        # float64 cases: second derivatives, the gradient of sum_k w'_k . grad_k (w' from output index 5 + k) w.r.t. the inputs
        diff2 = [(k, x) for k, x in enumerate(gs) if x is not None and x.requires_grad]
        if second and diff2:
            try:
                g2 = torch.autograd.grad([x for _, x in diff2], ins, [weights(x, 5 + k) for k, x in diff2], allow_unused=True)
                res["grads2"] = list(g2)
            except Exception as e:  # noqa: BLE001
                res["grad2_error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
    return res


# ---- comparison ----
def same_tensor(a, b, values=True):
    """None when a (ours) and b (PyTorch's) agree, else what differs; 'exact' counts bit-identical values."""
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return None if a == b else f"{a} vs {b}"
    if a.dtype != b.dtype:
        return f"dtype {OURS.get(a.dtype, a.dtype)} vs {OURS.get(b.dtype, b.dtype)}"
    if list(a.shape) != list(b.shape):
        return f"shape {list(a.shape)} vs {list(b.shape)}"
    if not values or a.numel() == 0:
        return None
    b = b.detach()
    if a.dtype in FLOAT:
        if torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(nan=0.5), b.nan_to_num(nan=0.5)) \
                and torch.equal(torch.signbit(a) & ~a.isnan(), torch.signbit(b) & ~b.isnan()):
            return None
        if torch.equal(a.nan_to_num(nan=0.5), b.nan_to_num(nan=0.5)) and torch.equal(a.isnan(), b.isnan()):
            return f"signs of zero differ (ours {short(a)} vs {short(b)})"
        rtol, atol = TOL[a.dtype]
        if torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            STATS["tolerance"] += 1
            STATS["ops"].add(CURRENT[0])
            return None
        err = ((a - b).abs() / (b.abs() + atol)).nan_to_num(nan=float("inf")).max().item()
        return f"values differ (max rel err {err:.3g}; ours {short(a)} vs {short(b)})"
    return None if torch.equal(a, b) else f"values differ (ours {short(a)} vs {short(b)})"


def short(t):
    s = str(t.flatten()[:6].tolist())
    return s if t.numel() <= 6 else s[:-1] + ", ...]"


STATS = {"tolerance": 0, "ops": set()}
CURRENT = [""]


def compare(case, op, ours, theirs, got):
    if "error" in ours or "error" in theirs:
        if "error" in ours and "error" in theirs:
            return None
        return f"ours raises {ours['error']}" if "error" in ours else f"PyTorch raises {theirs['error']} but ours returns"
    a = [None if o is None else got[o["t"]] if "t" in o else o["dtype"] for o in ours["outs"]]
    b = theirs["outs"]
    if len(a) != len(b):
        return f"{len(a)} outputs vs {len(b)}"
    if op.post:  # decompositions: both sides' outputs through the same invariants (reconstructions, |values|)
        a, b = op.post(a), op.post([x.detach() for x in b])
    for k, (x, y) in enumerate(zip(a, b)):
        why = same_tensor(x, y, op.values)
        if why:
            return f"output {k}: {why}"
    if "grad_error" in ours or "grad_error" in theirs:
        if ("grad_error" in ours) != ("grad_error" in theirs):
            return f"gradient: ours {ours.get('grad_error', 'ok')}, PyTorch {theirs.get('grad_error', 'ok')}"
        return None
    ga = ours.get("grads") or []
    gb = theirs.get("grads") or []
    if bool(ga) != bool(gb):
        return f"gradient: ours {'computed' if ga else 'none'}, PyTorch {'computed' if gb else 'none'}"
    for k, (x, y) in enumerate(zip(ga, gb)):
        why = same_tensor(None if x is None else got[x], y)
        if why:
            return f"gradient of input {case['grad'][k]}: {why}"
    if ("grad2_error" in ours) != ("grad2_error" in theirs):
        return f"second derivative: ours {ours.get('grad2_error', 'ok')}, PyTorch {theirs.get('grad2_error', 'ok')}"
    ha, hb = ours.get("grads2") or [], theirs.get("grads2") or []
    if bool(ha) != bool(hb):
        return f"second derivative: ours {'computed' if ha else 'none'}, PyTorch {'computed' if hb else 'none'}"
    for k, (x, y) in enumerate(zip(ha, hb)):
        why = same_tensor(None if x is None else got[x], y)
        if why:
            return f"second derivative w.r.t. input {case['grad'][k]}: {why}"
    return None


def describe(case):
    args = ", ".join(fmt(a) for a in case["args"]) + "".join(f", {k}={fmt(v)}" for k, v in case["kwargs"].items())
    return f"{case['op']}({args})"


def fmt(v):
    if v is None:
        return "null"
    if "t" in v:
        return T_DESC.get(v["t"], v["t"])
    if "ts" in v:
        return "[" + ", ".join("null" if n is None else T_DESC.get(n, n) for n in v["ts"]) + "]"
    return str(next(iter(v.values())))


T_DESC = {}


def check(folder):
    spec = json.load(open(os.path.join(folder, "cases.json")))
    res = json.load(open(os.path.join(folder, "results.json")))
    inputs = read_tensors(os.path.join(folder, "inputs.bin"), spec["tensors"])
    got = read_tensors(os.path.join(folder, "results.bin"), res["tensors"])
    for n, t in inputs.items():
        T_DESC[n] = f"{str(t.dtype)[6:]}{list(t.shape)}"
    torch.manual_seed(0)
    ours_by_id = {r["id"]: r for r in res["cases"]}
    agree, differ, known, exact_raise, inexpressible = 0, [], [], 0, {}
    for case in spec["cases"]:
        op = OPS[case["table"]]
        ours = ours_by_id[case["id"]]
        if ours.get("unresolved"):
            inexpressible.setdefault(ours["error"], []).append(case["id"])
            continue
        theirs = run_torch(case, op, inputs)
        CURRENT[0] = case["op"]
        why = compare(case, op, ours, theirs, got)
        if why is None:
            agree += 1
            exact_raise += "error" in theirs
        elif op.known:
            known.append((case, why, op.known))
        else:
            differ.append((case, why))
    n = agree + len(differ) + len(known)
    print(f"{n} cases, {agree} agree, {len(differ) + len(known)} differ"
          f" ({agree - exact_raise} agree on results, {exact_raise} raise on both sides; "
          f"{STATS['tolerance']} float tensors within tolerance rather than bit for bit; {len(known)} differences are known: design choices or PyTorch 1.13 bugs)")
    if STATS["ops"]:
        print("within tolerance (not bit for bit) in: " + ", ".join(sorted(STATS["ops"])))
    by_block = {}
    for c in spec["cases"]:
        by_block[c["block"]] = by_block.get(c["block"], 0) + 1
    print("blocks: " + ", ".join(f"{b} {k}" for b, k in sorted(by_block.items())))
    if differ:
        print("\nDifferences:")
        for case, why in differ:
            s = f" scalar={case['scalar']}" if case["scalar"] else ""
            print(f"  #{case['id']} [{case['block']} {case['dtype']}{s}] {describe(case)}: {why}")
    if known:
        print("\nKnown differences (design choices, or PyTorch 1.13 bugs; one example each):")
        seen = {}
        for case, why, note in known:
            seen.setdefault(case["op"], []).append((case, why, note))
        for name, items in seen.items():
            case, why, note = items[0]
            print(f"  {name}: {len(items)} cases -- {note}; e.g. #{case['id']} {describe(case)}: {why[:160]}")
    if inexpressible:
        print(f"\nNot run: {sum(map(len, inexpressible.values()))} drawn calls have no overload in our API (PyTorch accepts them):")
        for why, ids in sorted(inexpressible.items()):
            print(f"  {why}: {len(ids)} cases")
    if res.get("uncovered"):
        print(f"\nPublic members with no line in the op table ({len(res['uncovered'])}): " + ", ".join(res["uncovered"]))
    return 0 if not differ else 1


if __name__ == "__main__":
    cmd, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    sys.exit(generate(folder) if cmd == "gen" else check(folder))
