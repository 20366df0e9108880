#!/usr/bin/env python3
"""How much of its code verinit runs, stage by stage: the instructions TCG translated.

  footprint.py CODE_LOG AGENT

CODE_LOG: what QEMU's `-d in_asm` wrote for one boot (qemu/boot.sh --trace-code);
AGENT: the unstripped agent of that boot (build/verinit.unstripped), for its symbols.
Writes JSON to standard output: the distinct instructions of the agent that ran, in total and
per stage, with the functions that contributed most.

Why count these: under TCG each guest instruction is translated once, the first time it runs,
and that translation, not running it, is most of what verinit's CPU time is under emulation
(a second signature check in the same boot costs a fifth of the first). The count is exact and
the same on every run, where the CPU time is sampled by the guest's clock tick.

The agent is a static PIE, placed anywhere: its base is where its entry point ran first (the
first user-space code of the boot is /init's). A stage is the code first run between its
stage_* function's first instruction and the next stage's.
"""
import bisect
import json
import re
import struct
import subprocess
import sys

TOP = 5


def die(msg):
    sys.stderr.write(f"footprint: {msg}\n")
    sys.exit(1)


def symbols(agent):
    out = subprocess.run(["nm", "-n", "-S", "--defined-only", agent], capture_output=True, text=True)
    if out.returncode != 0:
        die(f"{agent}: nm failed: {out.stderr.strip()}")
    syms = []
    for line in out.stdout.splitlines():
        p = line.split()  # address [size] type name: no size for the assembler's symbols
        if len(p) == 3:
            p = [p[0], "0"] + p[1:]
        if len(p) == 4 and p[2] in "tTwW":
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    if not syms:
        die(f"{agent}: no function symbols (stripped?)")
    return syms


def read_elf(agent):
    """The ELF64 file's bytes and its entry point."""
    with open(agent, "rb") as f:
        data = f.read()
    if data[:5] != b"\x7fELF\x02":
        die(f"{agent}: not an ELF64 file")
    entry, = struct.unpack_from("<Q", data, 0x18)
    return data, entry


def bytes_at(agent, data, vaddr, n):
    """n bytes of the ELF64 file at virtual address vaddr (its PT_LOAD segments)."""
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        ptype, _, off, va, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if ptype == 1 and va <= vaddr < va + filesz:
            return data[off + vaddr - va:off + vaddr - va + n]
    die(f"{agent}: address 0x{vaddr:x} is in no loaded segment")


def main():
    if len(sys.argv) != 3:
        die("usage: footprint.py CODE_LOG AGENT")
    log, agent = sys.argv[1], sys.argv[2]
    syms = symbols(agent)
    starts = [s[0] for s in syms]
    end = max(a + size for a, size, _ in syms)
    data, entry = read_elf(agent)
    # The entry's first instruction as the log prints it ("48 31 ed  xorq ..."): a match at the
    # right page offset is the agent starting, not some other code that happens to line up.
    entry_hex = bytes_at(agent, data, entry, 3).hex(" ")

    def name_at(off):
        i = bisect.bisect_right(starts, off) - 1
        return syms[i][2] if i >= 0 else "?"

    base = None
    seen = set()
    stage = "startup"
    stages = {stage: {}}
    with open(log, errors="replace") as f:
        for line in f:
            if not line.startswith("0x"):
                continue
            addr = int(line.split(":", 1)[0], 16)
            if base is None:
                if (addr - entry) % 4096 or line.split(":", 1)[1].split()[:3] != entry_hex.split():
                    continue
                base = addr - entry
                if name_at(entry) not in ("_start", "_start_c"):
                    die(f"{agent}: the entry point is {name_at(entry)}, not _start")
            off = addr - base
            if off < 0 or off >= end or addr in seen:
                continue
            seen.add(addr)
            fn = name_at(off)
            if fn.startswith("stage_") and fn != "stages_run":
                stage = fn[len("stage_"):].replace("_", "-")
                stages.setdefault(stage, {})
            stages[stage][fn] = stages[stage].get(fn, 0) + 1
    if base is None:
        die(f"{log}: the agent's entry point never ran (no user-space code logged?)")

    res = {"instructions": len(seen), "stages": []}
    for name, fns in stages.items():
        top = sorted(fns.items(), key=lambda kv: -kv[1])[:TOP]
        res["stages"].append({"name": name, "instructions": sum(fns.values()),
                              "top": [{"function": re.sub(r"\.(lto_priv|constprop|isra|part)\.\d+", "", f),
                                       "instructions": n} for f, n in top]})
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
