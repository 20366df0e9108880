#!/usr/bin/python3
"""make bench's arithmetic (qemu/bench.sh runs the boots).

  bench-report.py parse NAME RUN_DIR CLOCK
      one JSON line for one boot: the times read off RUN_DIR/serial.log and, for verinit, its
      boot report (RUN_DIR/report); CLOCK: wall (a plain boot) or icount (qemu/boot.sh --icount)
  bench-report.py selftest
      checks the pure arithmetic on a table of cases
  bench-report.py report BOOTS.jsonl OUT_DIR --verinit-binary BIN --initramfs NAME=IMG...
                  --uki NAME=EFI... [--footprint FOOTPRINT.json]
      OUT_DIR/bench.json, bench.md (the table) and bench.png (one boot's time line of each);
      FOOTPRINT.json (test/tools/footprint.py) adds the code each verinit stage ran

Times are seconds. kernel_to_init: the guest clock of "Run /init"; init_to_system: from there to
the test init's start; kernel_to_system: their sum. On the wall clock the test init's start is the
host's stamp of its first line, and host-stamped lines (systemd's status lines carry no guest time)
are placed on the guest time line through the "Run /init" line: the guest clock runs with the
host's under TCG. On the icount clock every time is the guest's own (printk), the test init's
start its "verinit-test: init started" line in the kernel log.
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
# Kernel lines every peer's boot prints, with the guest's time: they cut Run /init -> system init
# into the same segments for each.
MILESTONES = [
    ("verity table", rb"device-mapper: verity: sha256 using"),
    ("/usr mounted", rb"\(device dm-0\): mounted"),
    ("system init", rb"verinit-test: init started"),
]
SEGMENTS = ["Run /init → verity table (modules, enter-initrd, devices, signature)",
            "verity table → /usr mounted", "/usr mounted → system init (measurements, switch_root, exec)"]
PEERS = ["verinit", "incumbent", "script"]
LABELS = {"verinit": "verinit", "incumbent": "dracut + systemd 252", "script": "shell script"}
# (time, peer verinit is compared with): the most verinit's median may be of the peer's, on the
# icount clock.
TARGETS = {("init_to_system", "incumbent"): 0.08, ("init_to_system", "script"): 1.0,
           ("kernel_to_system", "incumbent"): 0.25}


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


def parse(name, run, clock):
    host_init = guest_init = host_system = None
    phases, marks = {}, {}
    for host, guest, text in lines(run):
        if guest_init is None and guest is not None and b"Run /init as init process" in text:
            host_init, guest_init = host, guest
        elif host_init is not None and host_system is None and text.startswith(b"VERINIT-REPORT-BEGIN"):
            host_system = host
        elif host_init is not None:
            for label, pat in MILESTONES:
                if label not in marks and guest is not None and re.search(pat, text):
                    marks[label] = guest
            for label, pat in PHASES:
                if clock == "wall" and label not in phases and re.search(pat, text):
                    phases[label] = round(guest_init + host - host_init, 3)
    if host_init is None or host_system is None:
        die(f"{run}: no 'Run /init' line or no VERINIT-REPORT-BEGIN after it")
    if clock == "icount" and "system init" not in marks:
        die(f"{run}: no 'verinit-test: init started' line: the test init's start has no guest time")
    system = marks["system init"] if clock == "icount" else guest_init + host_system - host_init
    boot = {
        "name": name,
        "run": run,
        "clock": clock,
        "kernel_to_init": guest_init,
        "init_to_system": round(system - guest_init, 3),
        "kernel_to_system": round(system, 3),
        "phases": phases,
        "milestones": marks,
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


def segments(boot):
    """Run /init -> system init cut at the milestones, in seconds; None where a line is missing."""
    t = [boot["kernel_to_init"]] + [boot["milestones"].get(label) for label, _ in MILESTONES]
    return [round(b - a, 3) if a is not None and b is not None else None for a, b in zip(t, t[1:])]


def selftest():
    """segments() on boots whose kernel lines are all there, or some missing."""
    cases = [
        ({"kernel_to_init": 2.0, "milestones": {"verity table": 3.2, "/usr mounted": 3.25, "system init": 3.4}},
         [1.2, 0.05, 0.15]),
        ({"kernel_to_init": 2.0, "milestones": {"verity table": 3.2, "system init": 3.4}}, [1.2, None, None]),
        ({"kernel_to_init": 2.0, "milestones": {}}, [None, None, None]),
    ]
    for boot, want in cases:
        got = segments(boot)
        if got != want:
            die(f"selftest: segments({boot}) = {got}, not {want}")
    print("bench-report: selftest passed")


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
    res = {"boots": boots, "times": {}, "ratios": {}, "sizes": {}, "targets": {}, "segments": {}}
    sides = {}
    for clock in ("icount", "wall"):
        sides[clock] = {p: [b for b in boots if b["name"] == p and b.get("clock", "wall") == clock] for p in PEERS}
        if not all(sides[clock].values()):
            die(f"{boots_file}: boots of verinit, the incumbent and the script on the {clock} clock are needed")
        res["times"][clock], res["ratios"][clock] = {}, {}
        for key in ("kernel_to_init", "init_to_system", "kernel_to_system"):
            res["times"][clock][key] = {p: stats([b[key] for b in bs]) for p, bs in sides[clock].items()}
            res["ratios"][clock][key] = {
                p: round(res["times"][clock][key]["verinit"]["median"] / res["times"][clock][key][p]["median"], 4)
                for p in PEERS[1:]}
    for p, bs in sides["icount"].items():
        cols = list(zip(*[segments(b) for b in bs]))
        res["segments"][p] = [round(statistics.median([v for v in c if v is not None]), 3)
                              if any(v is not None for v in c) else None for c in cols]
    for (key, peer), limit in TARGETS.items():
        ratio = res["ratios"]["icount"][key][peer]
        res["targets"][f"{key}/{peer}"] = {"limit": limit, "ratio": ratio, "met": ratio <= limit}
    # CPU time on both clocks: the wall clock's carries TCG's translation of each first-run
    # instruction (the 50 ms target was set on it), the icount clock's counts instructions only.
    for clock, prefix in (("wall", "verinit_"), ("icount", "verinit_icount_")):
        for key in ("cpu_user_us", "cpu_system_us", "maxrss_kb"):
            vals = [b[key] for b in sides[clock]["verinit"] if key in b]
            if vals:
                res[prefix + key] = stats(vals)
    res["verinit_stages"] = stage_medians(sides["icount"]["verinit"])
    if "footprint" in args:
        res["verinit_footprint"] = json.load(open(args["footprint"][0]))
        code = {st["name"]: st["instructions"] for st in res["verinit_footprint"]["stages"]}
        for st in res["verinit_stages"]:
            st["code_instructions"] = code.get(st["name"])
    res["losses"] = losses(res, sides["icount"]["verinit"])
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
    plot(sides["icount"], os.path.join(out, "bench.png"))


def losses(res, verinit_boots):
    """Each segment where verinit's median (icount) exceeds the script's: by how much, and verinit's
    stages that ran in it (their medians), the one that took longest first."""
    v, s = res["segments"]["verinit"], res["segments"]["script"]
    marks = [statistics.median([b["kernel_to_init"] for b in verinit_boots])]
    marks += [statistics.median([b["milestones"][label] for b in verinit_boots if label in b["milestones"]] or [0])
              for label, _ in MILESTONES]
    starts = {st["name"]: statistics.median([x["start"] for b in verinit_boots for x in b.get("stages", [])
                                             if x["name"] == st["name"]]) for st in res["verinit_stages"]}
    out = []
    for i, name in enumerate(SEGMENTS):
        if v[i] is None or s[i] is None or v[i] <= s[i]:
            continue
        inside = [st for st in res["verinit_stages"] if marks[i] <= starts[st["name"]] < marks[i + 1]]
        inside.sort(key=lambda st: -(st["wall_ms"] or 0))
        out.append({"segment": name, "verinit_s": v[i], "script_s": s[i], "stages": inside})
    return out


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
    n = t["icount"]["init_to_system"]["verinit"]["n"]
    fmt = lambda x: f"{x['median']:.3f} s ({x['min']:.3f} to {x['max']:.3f})"
    ratio = lambda clock, key, p: (f"{r[clock][key][p]:.3f}"
                                   + (f" (≤ {TARGETS[(key, p)]})" if clock == "icount" and (key, p) in TARGETS else ""))
    rows = ["| | verinit | dracut + systemd 252 | shell script | verinit / dracut (target) | verinit / script (target) |",
            "|---|---|---|---|---|---|"]
    for clock, what in (("icount", "icount clock"), ("wall", "wall clock")):
        for key, label in (("init_to_system", "`Run /init` → system init"),
                           ("kernel_to_system", "kernel start → system init"),
                           ("kernel_to_init", "kernel start → `Run /init`")):
            rows.append(f"| {label}, {what}, median (min to max) | "
                        + " | ".join(fmt(t[clock][key][p]) for p in PEERS)
                        + f" | {ratio(clock, key, 'incumbent')} | {ratio(clock, key, 'script')} |")
    ii = {p: s["initramfs_" + p] for p in PEERS}
    rows.append("| initramfs compressed / unpacked / files | "
                + " | ".join(f"{ii[p]['compressed'] / 1e6:.2f} MB / {ii[p]['unpacked'] / 1e6:.2f} MB / {ii[p]['files']}"
                             for p in PEERS)
                + "".join(f" | {ii['verinit']['compressed'] / ii[p]['compressed']:.3f}" for p in PEERS[1:]) + " |")
    rows.append("| signed UKI | " + " | ".join(f"{s['uki_' + p] / 1e6:.2f} MB" for p in PEERS)
                + "".join(f" | {s['uki_verinit'] / s['uki_' + p]:.3f}" for p in PEERS[1:]) + " |")
    rows.append(f"| `build/verinit`, stripped | {s['verinit_binary'] / 1e6:.2f} MB | | | (budget 1.5 MB) | |")
    if "verinit_cpu_user_us" in res:
        c, k = res["verinit_cpu_user_us"], res["verinit_cpu_system_us"]
        rows.append(f"| verinit's CPU time in user mode, wall clock, median (min to max) | {c['median'] / 1e3:.1f} ms "
                    f"({c['min'] / 1e3:.1f} to {c['max'] / 1e3:.1f}) | | | (target ≤ 50 ms) | |")
    if "verinit_icount_cpu_user_us" in res:
        c = res["verinit_icount_cpu_user_us"]
        rows.append(f"| verinit's CPU time in user mode, icount clock (no translation), median (min to max) "
                    f"| {c['median'] / 1e3:.1f} ms ({c['min'] / 1e3:.1f} to {c['max'] / 1e3:.1f}) | | | | |")
        rows.append(f"| the kernel's CPU time on verinit's behalf (module loading, dm-verity setup), median "
                    f"| {k['median'] / 1e3:.1f} ms | | | | |")
    if "verinit_footprint" in res:
        rows.append(f"| verinit's code run (distinct instructions, translated once each by TCG) "
                    f"| {res['verinit_footprint']['instructions']:,} | | | | |")
    if "verinit_maxrss_kb" in res:
        rows.append(f"| verinit's peak memory (max RSS), median | {res['verinit_maxrss_kb']['median'] / 1024:.1f} MiB "
                    "| | | | |")
    seg = res["segments"]
    ms = lambda x: "" if x is None else f"{x * 1e3:.0f}"
    rows.append("| *`Run /init` → system init by segment, icount clock, medians in ms* | | | | | |")
    for i, name in enumerate(SEGMENTS):
        rows.append(f"| {name} | " + " | ".join(ms(seg[p][i]) for p in PEERS) + " | | |")
    spread = ", ".join(f"{LABELS[p]} {(x['max'] - x['min']) * 1e3:.1f} ms" for p, x in t["icount"]["init_to_system"].items())
    text = (f"{n} boots of each peer on each clock, interleaved (verinit, dracut + systemd, script; first on the "
            "wall clock, then under `-icount shift=0,sleep=off`), OVMF + Secure Boot + swtpm under TCG. The "
            "icount clock counts the guest's instructions: its figures are the primary ones, the wall clock's "
            f"move with the host's load. Spread (max − min) of `Run /init` → system init on the icount clock: "
            f"{spread}.\n\n" + "\n".join(rows) + "\n")
    stages = [st for st in res.get("verinit_stages", []) if st["user_ms"] is not None]
    if stages:
        ms = lambda x: "" if x is None else f"{x:.0f}"
        code = lambda x: "" if x is None else f"{x:,}"
        text += ("\nverinit's stages, medians in ms of its icount boots (wall: the guest's clock; system: the "
                 "kernel's work for the stage, such as loading modules; code: the instructions the stage ran "
                 "first, in the traced boot):\n\n"
                 "| stage | wall | CPU user | CPU system | code |\n|---|---|---|---|---|\n")
        text += "".join(f"| {st['name']} | {ms(st['wall_ms'])} | {ms(st['user_ms'])} | {ms(st['system_ms'])} "
                        f"| {code(st.get('code_instructions'))} |\n" for st in stages)
    if res["losses"]:
        text += "\nWhere verinit loses to the shell script (icount clock, medians):\n\n"
        for l in res["losses"]:
            why = "; ".join(f"{st['name']} {st['wall_ms']:.0f} ms ({st['user_ms'] or 0:.0f} user, "
                            f"{st['system_ms'] or 0:.0f} system)" for st in l["stages"] if st["wall_ms"])
            top = next((st for st in l["stages"] if st["wall_ms"]), None)
            cause = ""
            if top:
                cause = (" The longest, " + top["name"] + ", is mostly "
                         + ("the kernel's work on verinit's behalf (CPU system)."
                            if (top["system_ms"] or 0) >= (top["user_ms"] or 0)
                            else "verinit's own code (CPU user: under TCG, mostly its translation)."))
            text += (f"- {l['segment']}: verinit {l['verinit_s'] * 1e3:.0f} ms, the script {l['script_s'] * 1e3:.0f} ms. "
                     f"verinit's stages in it: {why or 'none'}.{cause}\n")
    else:
        text += "\nverinit is not slower than the shell script in any segment (icount clock, medians).\n"
    return text


def plot(sides, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def median_boot(bs):
        return sorted(bs, key=lambda b: b["init_to_system"])[len(bs) // 2]

    colors = {"verinit": "tab:blue", "incumbent": "tab:orange", "script": "tab:green"}
    bars = []
    for p in PEERS:
        b = median_boot(sides[p])
        bars.append((p, f"{LABELS[p]}: Run /init → system init", b["kernel_to_init"], b["kernel_to_system"]))
        if p == "verinit":
            bars += [(p, f"verinit: {st['name']}", st["start"], st["end"]) for st in b.get("stages", [])]
        else:
            t = [b["kernel_to_init"]] + [b["milestones"].get(label) for label, _ in MILESTONES]
            bars += [(p, f"{LABELS[p]}: until {label}", a, e)
                     for (label, _), a, e in zip(MILESTONES, t, t[1:]) if a is not None and e is not None]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    labels = []
    for y, (p, label, start, end) in enumerate(reversed(bars)):
        ax.barh(y, max(end - start, 0.005), left=start, color=colors[p])
        labels.append(label)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel("seconds since the kernel started (guest clock under -icount; the median boot of each)")
    ax.set_title("verinit, dracut + systemd 252 and a shell script: same kernel, disk, firmware and TPM")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    if sys.argv[1:] == ["selftest"]:
        selftest()
    elif len(sys.argv) == 5 and sys.argv[1] == "parse" and sys.argv[4] in ("wall", "icount"):
        parse(sys.argv[2], sys.argv[3], sys.argv[4])
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
        die("usage: bench-report.py parse NAME RUN_DIR wall|icount | report BOOTS.jsonl OUT_DIR --verinit-binary BIN ...")


if __name__ == "__main__":
    main()
