# throughput_table.py: turns bench/dist/throughput.sh's results into its table — reads GenDsl run folders (metrics.jsonl, summary.json) and PyTorch's result lines.
"""
usage: throughput_table.py gendsl RUN_FOLDER MODEL SETUP UNIT       print GenDsl's result line for one run folder
       throughput_table.py table RESULTS_FILE                       print the markdown table of every result line
A GenDsl run folder's metrics.jsonl holds one object per training step with "seconds" (that step's time, from the
batch gather to after the optimizer step, measured by the Trainer) and "loss"; evaluation records carry no "loss" and
are left out. summary.json's fit "seconds" is the whole fit (trainer set-up, parameter broadcast, steps, logging).
UNIT is what one example of a step counts for: 1 for the VAE (images), 150 for the LM (tokens predicted per window).
"""
import json, os, statistics, sys


def gendsl_line(folder, model, setup, unit):
    steps = []
    with open(os.path.join(folder, "metrics.jsonl")) as f:
        for line in f:
            o = json.loads(line)
            if "loss" in o:
                steps.append(o)
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    fit = summary["cases"][0]["fits"][0]
    n = summary["cases"][0]["n"]
    # The batch sizes of the steps: `batch` global examples per step, the last step of an epoch holds what is left.
    with open(os.path.join(folder, "config.json")) as f:
        batch = find_batch(json.load(f))
    examples = sum(min(batch, n - ((o["step"] - 1) * batch) % n) for o in steps)
    times = [o["seconds"] for o in steps]
    return (f"result impl=gendsl model={model} setup={setup} steps={len(steps)} examples={examples * unit} "
            f"train_s={sum(times):.3f} wall_s={fit['seconds']:.3f} median_step_s={statistics.median(times):.4f} "
            f"last_loss={steps[-1]['loss']:.4f}")


def find_batch(node):
    """The first "batch" number in the resolved config (each bench script has one fit)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "batch" and isinstance(v, int):
                return v
            b = find_batch(v)
            if b is not None:
                return b
    elif isinstance(node, list):
        for v in node:
            b = find_batch(v)
            if b is not None:
                return b
    return None


def table(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("result "):
                rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
    # The same run repeated (ROUNDS > 1): keep the fastest, as the all-reduce bench keeps its median of repeats.
    best = {}
    for r in rows:
        key = (r["model"], r["impl"], r["setup"])
        if key not in best or float(r["train_s"]) < float(best[key]["train_s"]):
            best[key] = r
    rate = {k: int(r["examples"]) / float(r["train_s"]) for k, r in best.items()}
    print("| model | implementation | setup (processes x threads) | steps | train s | wall s | median step s | "
          "examples or tokens / s | 2x1 / 1x2 | GenDsl / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (model, impl, setup), r in sorted(best.items(), key=lambda kv: (kv[0][0] != "vae", kv[0][1] != "gendsl", kv[0][2])):
        what = "images/s" if model == "vae" else "tokens/s"
        one = rate.get((model, impl, "1x2"))
        scaling = f"{rate[(model, impl, setup)] / one:.2f}" if setup == "2x1" and one else ""
        other = rate.get((model, "torch", setup))
        versus = f"{rate[(model, impl, setup)] / other:.2f}" if impl == "gendsl" and other else ""
        print(f"| {model} | {'GenDsl' if impl == 'gendsl' else 'PyTorch'} | {setup} | {r['steps']} | {float(r['train_s']):.2f} | "
              f"{float(r['wall_s']):.2f} | {float(r['median_step_s']):.4f} | {rate[(model, impl, setup)]:.0f} {what} | "
              f"{scaling} | {versus} |")


if __name__ == "__main__":
    if sys.argv[1] == "gendsl":
        print(gendsl_line(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    elif sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit(__doc__)
