#!/usr/bin/python3
"""make bench's arithmetic (qemu/bench.sh runs the boots).

  bench-report.py parse NAME RUN_DIR
      one JSON line for one boot: the times read off RUN_DIR/serial.log and, for verinit, its
      boot report (RUN_DIR/report)
  bench-report.py report BOOTS.jsonl OUT_DIR --verinit-binary BIN --initramfs NAME=IMG...
                  --uki NAME=EFI... [--footprint FOOTPRINT.json]
      OUT_DIR/bench.json, bench.md (the table) and bench.png (one boot's time line of each);
      FOOTPRINT.json (test/tools/footprint.py) adds the code each verinit stage ran

Times are seconds. kernel_to_init: the guest clock of "Run /init"; init_to_system: host stamps,
"Run /init" to the test init's first line; kernel_to_system: their sum. The guest clock runs with
the host's under TCG, so host-stamped lines (systemd's status lines carry no guest time) are
placed on the guest time line through the "Run /init" line.
"""
import json
import lzma
import gzip
import os
import re
import statistics
import subprocess
import sys

STAMP = re.compile(rb"^\[ *([0-9.]+)\] (?:\[ *([0-9.]+)\] )?(.*)$")
# The incumbent's phases: the first console line that starts each (prefixes: systemd cuts its
# status lines to the console's width).
PHASES = [
    ("systemd starts", rb"systemd\[1\]: systemd 252"),
    ("journald", rb"Started systemd-journald"),
    ("udevd", rb"Started systemd-udevd"),
    ("coldplug done", rb"Finished systemd-udev-trig"),
    ("veritysetup starts", rb"Starting systemd-verityset"),
    ("veritysetup done", rb"Finished systemd-verityset"),
    ("/usr mounted", rb"Mounted sysroot-usr"),
    ("switch root", rb"Starting initrd-switch-root"),
]
TARGETS = {"init_to_system": 0.08, "kernel_to_system": 0.25}


def die(msg):
    sys.stderr.write(f"bench-report: {msg}\n")
    sys.exit(1)


def lines(run):
    try:
        raw = open(os.path.join(run, "serial.log"), "rb").read()
    except OSError as e:
        die(f"{run}/serial.log: {e.strerror}")
    for line in raw.splitlines():
        m = STAMP.match(line.replace(b"\r", b""))
        if m:
            yield float(m.group(1)), (float(m.group(2)) if m.group(2) else None), m.group(3)


def parse(name, run):
    host_init = guest_init = host_system = None
    phases = {}
    for host, guest, text in lines(run):
        if guest_init is None and guest is not None and b"Run /init as init process" in text:
            host_init, guest_init = host, guest
        elif host_init is not None and host_system is None and text.startswith(b"VERINIT-REPORT-BEGIN"):
            host_system = host
        elif host_init is not None:
            for label, pat in PHASES:
                if label not in phases and re.search(pat, text):
                    phases[label] = round(guest_init + host - host_init, 3)
    if host_init is None or host_system is None:
        die(f"{run}: no 'Run /init' line or no VERINIT-REPORT-BEGIN after it")
    boot = {
        "name": name,
        "run": run,
        "kernel_to_init": guest_init,
        "init_to_system": round(host_system - host_init, 3),
        "kernel_to_system": round(guest_init + host_system - host_init, 3),
        "phases": phases,
    }
    guest_report = os.path.join(run, "report")
    if name == "verinit" and os.path.exists(guest_report):
        text = "".join(line[len("R verinit_report "):]
                       for line in open(guest_report, encoding="utf-8", errors="replace")
                       if line.startswith("R verinit_report "))
        if text:
            r = json.loads(text)
            boot["stages"] = [
                {"name": s["name"], "start": s["start_us"] / 1e6, "end": s.get("end_us", s["start_us"]) / 1e6,
                 "user_us": s.get("cpu_user_us"), "system_us": s.get("cpu_system_us")}
                for s in r.get("stages", [])
            ]
            for key in ("kernel_us", "cpu_user_us", "cpu_system_us", "maxrss_kb"):
                if key in r:
                    boot[key] = r[key]
    print(json.dumps(boot, sort_keys=True))


def decompress(data):
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(data)
    die("an initramfs segment that is neither cpio, zstd, gzip nor xz")


def cpio_stats(data):
    """(unpacked bytes, files) over every archive in the image, as the kernel unpacks them."""
    size = files = 0
    off = 0
    while off < len(data):
        if data[off] == 0:
            off += 1
            continue
        if data[off:off + 6] != b"070701":
            more = decompress(data[off:])
            s, f = cpio_stats(more)
            return size + s, files + f
        namesize = int(data[off + 94:off + 102], 16)
        filesize = int(data[off + 54:off + 62], 16)
        mode = int(data[off + 14:off + 22], 16)
        name = data[off + 110:off + 110 + namesize - 1]
        off = (off + 110 + namesize + 3) & ~3
        off = (off + filesize + 3) & ~3
        if name == b"TRAILER!!!":
            continue
        size += filesize
        files += 1 if (mode & 0o170000) == 0o100000 else 0
    return size, files


def stats(values):
    return {"min": min(values), "median": round(statistics.median(values), 3), "max": max(values), "n": len(values)}


def report(boots_file, out, args):
    boots = [json.loads(l) for l in open(boots_file) if l.strip()]
    sides = {"verinit": [b for b in boots if b["name"] == "verinit"],
             "incumbent": [b for b in boots if b["name"] == "incumbent"]}
    if not sides["verinit"] or not sides["incumbent"]:
        die(f"{boots_file}: boots of both verinit and the incumbent are needed")
    res = {"boots": boots, "times": {}, "ratios": {}, "sizes": {}, "targets": {}}
    for key in ("kernel_to_init", "init_to_system", "kernel_to_system"):
        res["times"][key] = {s: stats([b[key] for b in bs]) for s, bs in sides.items()}
        res["ratios"][key] = round(res["times"][key]["verinit"]["median"] / res["times"][key]["incumbent"]["median"], 4)
    for key, limit in TARGETS.items():
        res["targets"][key] = {"limit": limit, "ratio": res["ratios"][key], "met": res["ratios"][key] <= limit}
    for key in ("cpu_user_us", "cpu_system_us", "maxrss_kb"):
        vals = [b[key] for b in sides["verinit"] if key in b]
        if vals:
            res["verinit_" + key] = stats(vals)
    res["verinit_stages"] = stage_medians(sides["verinit"])
    if "footprint" in args:
        res["verinit_footprint"] = json.load(open(args["footprint"][0]))
        code = {st["name"]: st["instructions"] for st in res["verinit_footprint"]["stages"]}
        for st in res["verinit_stages"]:
            st["code_instructions"] = code.get(st["name"])
    res["sizes"]["verinit_binary"] = os.path.getsize(args["verinit-binary"][0])
    for spec in args.get("initramfs", []):
        name, path = spec.split("=", 1)
        data = open(path, "rb").read()
        unpacked, files = cpio_stats(data)
        res["sizes"]["initramfs_" + name] = {"compressed": len(data), "unpacked": unpacked, "files": files}
    for spec in args.get("uki", []):
        name, path = spec.split("=", 1)
        res["sizes"]["uki_" + name] = os.path.getsize(path)
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write(markdown(res))
    plot(sides, os.path.join(out, "bench.png"))


def stage_medians(boots):
    """Per stage, in boot order: the median wall time and CPU time (user, system) in ms."""
    names = [st["name"] for st in boots[0].get("stages", [])]
    out = []
    for name in names:
        row = {"name": name}
        for key, f in (("wall_ms", lambda st: (st["end"] - st["start"]) * 1e3),
                       ("user_ms", lambda st: st["user_us"] / 1e3 if st.get("user_us") is not None else None),
                       ("system_ms", lambda st: st["system_us"] / 1e3 if st.get("system_us") is not None else None)):
            vals = [f(st) for b in boots for st in b.get("stages", []) if st["name"] == name]
            vals = [v for v in vals if v is not None]
            row[key] = round(statistics.median(vals), 1) if vals else None
        out.append(row)
    return out


def markdown(res):
    t, r, s = res["times"], res["ratios"], res["sizes"]
    n = t["init_to_system"]["verinit"]["n"]
    fmt = lambda x: f"{x['median']:.2f} s ({x['min']:.2f} to {x['max']:.2f})"
    rows = [
        "| | verinit | dracut + systemd 252 | ratio (target) |",
        "|---|---|---|---|",
    ]
    for key, label in (("kernel_to_system", "kernel start → system init"),
                       ("init_to_system", "`Run /init` → system init"),
                       ("kernel_to_init", "kernel start → `Run /init`")):
        target = f" (≤ {TARGETS[key]})" if key in TARGETS else ""
        rows.append(f"| {label}, median (min to max) | {fmt(t[key]['verinit'])} | {fmt(t[key]['incumbent'])} "
                    f"| {r[key]:.3f}{target} |")
    vi, ii = s["initramfs_verinit"], s["initramfs_incumbent"]
    rows.append(f"| initramfs compressed / unpacked / files | {vi['compressed'] / 1e6:.2f} MB / "
                f"{vi['unpacked'] / 1e6:.2f} MB / {vi['files']} | {ii['compressed'] / 1e6:.2f} MB / "
                f"{ii['unpacked'] / 1e6:.2f} MB / {ii['files']} | {vi['compressed'] / ii['compressed']:.3f} |")
    rows.append(f"| signed UKI | {s['uki_verinit'] / 1e6:.2f} MB | {s['uki_incumbent'] / 1e6:.2f} MB "
                f"| {s['uki_verinit'] / s['uki_incumbent']:.3f} |")
    rows.append(f"| `build/verinit`, stripped | {s['verinit_binary'] / 1e6:.2f} MB | | (budget 1.5 MB) |")
    if "verinit_cpu_user_us" in res:
        c, k = res["verinit_cpu_user_us"], res["verinit_cpu_system_us"]
        rows.append(f"| verinit's CPU time in user mode, median (min to max) | {c['median'] / 1e3:.1f} ms "
                    f"({c['min'] / 1e3:.1f} to {c['max'] / 1e3:.1f}) | | (target ≤ 50 ms) |")
        rows.append(f"| the kernel's CPU time on verinit's behalf (module loading, dm-verity setup), median "
                    f"| {k['median'] / 1e3:.1f} ms | | |")
    if "verinit_footprint" in res:
        rows.append(f"| verinit's code run (distinct instructions, translated once each by TCG) "
                    f"| {res['verinit_footprint']['instructions']:,} | | |")
    if "verinit_maxrss_kb" in res:
        m = res["verinit_maxrss_kb"]
        rows.append(f"| verinit's peak memory (max RSS), median | {m['median'] / 1024:.1f} MiB | | |")
    text = f"{n} boots of each, interleaved, OVMF + Secure Boot + swtpm under TCG.\n\n" + "\n".join(rows) + "\n"
    stages = [st for st in res.get("verinit_stages", []) if st["user_ms"] is not None]
    if stages:
        ms = lambda x: "" if x is None else f"{x:.0f}"
        code = lambda x: "" if x is None else f"{x:,}"
        text += ("\nverinit's stages, medians in ms (system: the kernel's work for the stage, such as loading "
                 "modules; code: the instructions the stage ran first, in the traced boot):\n\n"
                 "| stage | wall | CPU user | CPU system | code |\n|---|---|---|---|---|\n")
        text += "".join(f"| {st['name']} | {ms(st['wall_ms'])} | {ms(st['user_ms'])} | {ms(st['system_ms'])} "
                        f"| {code(st.get('code_instructions'))} |\n" for st in stages)
    return text


def plot(sides, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def median_boot(bs):
        return sorted(bs, key=lambda b: b["init_to_system"])[len(bs) // 2]

    v, i = median_boot(sides["verinit"]), median_boot(sides["incumbent"])
    fig, ax = plt.subplots(figsize=(11, 4.5))
    y = 0
    labels = []
    bars = [("incumbent: Run /init → system init", i["kernel_to_init"], i["kernel_to_system"])]
    prev = i["kernel_to_init"]
    for p, t in sorted(i["phases"].items(), key=lambda kv: kv[1]):
        bars.append((f"incumbent: until {p}", prev, t))
        prev = t
    bars.append(("verinit: Run /init → system init", v["kernel_to_init"], v["kernel_to_system"]))
    for s in v.get("stages", []):
        bars.append((f"verinit: {s['name']}", s["start"], s["end"]))
    for label, start, end in reversed(bars):
        color = "tab:blue" if label.startswith("verinit") else "tab:orange"
        ax.barh(y, max(end - start, 0.005), left=start, color=color)
        labels.append(label)
        y += 1
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel("seconds since the kernel started (guest clock; the median boot of each)")
    ax.set_title("verinit's stages next to dracut + systemd 252's phases, same kernel, disk and firmware")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "parse":
        parse(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "report":
        args, rest = {}, sys.argv[4:]
        while rest:
            if not rest[0].startswith("--") or len(rest) < 2:
                die(f"unexpected argument '{rest[0]}'")
            args.setdefault(rest[0][2:], []).append(rest[1])
            rest = rest[2:]
        if "verinit-binary" not in args:
            die("--verinit-binary is required")
        report(sys.argv[2], sys.argv[3], args)
    else:
        die("usage: bench-report.py parse NAME RUN_DIR | report BOOTS.jsonl OUT_DIR --verinit-binary BIN ...")


if __name__ == "__main__":
    main()
