#!/usr/bin/env bash
# test/tools/footprint.py against a code log made up from the agent's own symbols: it finds the
# agent's base by its entry point (not by other code at the same page offset), counts each
# instruction once, gives each stage the code first run after its stage_* function, and ignores
# code outside the agent. Usage: test/footprint-tool.sh AGENT_UNSTRIPPED
set -euo pipefail
agent=${1:?usage: test/footprint-tool.sh AGENT_UNSTRIPPED}
exec /usr/bin/python3 - "$agent" "$(dirname "$0")/tools/footprint.py" <<'EOF'
import importlib.util, json, subprocess, sys, tempfile

agent, tool = sys.argv[1], sys.argv[2]
syms = {}
for line in subprocess.run(["nm", "--defined-only", agent], capture_output=True, text=True, check=True).stdout.splitlines():
    p = line.split()
    if len(p) == 3:
        syms[p[2]] = int(p[0], 16)
base = 0x7f1234560000
spec = importlib.util.spec_from_file_location("footprint", tool)
footprint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(footprint)
data, entry = footprint.read_elf(agent)
entry_bytes = footprint.bytes_at(agent, data, entry, 3).hex(" ")

def at(addr, hexbytes="90", text="nop"):
    return f"0x{addr:016x}:  {hexbytes:<24} {text}\n"

log = "IN:\n"
# Other user-space code at the entry's page offset first, with other bytes: not the agent.
log += at(0x7f0000000000 + entry, "0f 0b", "ud2")
log += at(base + entry, entry_bytes, "(the entry)")
log += at(base + syms["_start_c"]) + at(base + syms["_start_c"] + 1)
log += at(base + syms["stage_config"]) + at(base + syms["stage_config"] + 2)
log += at(base + syms["stage_config"])                       # translated again: counted once
log += at(base + syms["stage_tpm"]) + at(base + syms["stage_tpm"] + 4)
log += at(0x400000)                                          # the system's init: not the agent
with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
    f.write(log)
    f.flush()
    out = subprocess.run([sys.executable, tool, f.name, agent], capture_output=True, text=True)
if out.returncode != 0:
    sys.exit(f"footprint.py failed: {out.stderr.strip()}")
res = json.loads(out.stdout)
stages = {s["name"]: s["instructions"] for s in res["stages"]}
expect = {"startup": 3, "config": 2, "tpm": 2}
if res["instructions"] != 7 or stages != expect:
    sys.exit(f"expected 7 instructions in {expect}, got {res['instructions']} in {stages}")
top = {t["function"] for s in res["stages"] for t in s["top"]}
if not {"_start", "_start_c", "stage_config", "stage_tpm"} <= top:
    sys.exit(f"functions named: {sorted(top)}")

# No entry point in the log: a clear error, not an empty count.
with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
    f.write(at(0x7f0000001000))
    f.flush()
    out = subprocess.run([sys.executable, tool, f.name, agent], capture_output=True, text=True)
if out.returncode == 0 or "entry point never ran" not in out.stderr:
    sys.exit(f"a log without the agent: exit {out.returncode}, {out.stderr.strip()!r}")
print("footprint.py: base, stages, duplicates and foreign code as expected")
EOF
