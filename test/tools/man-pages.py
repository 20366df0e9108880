#!/usr/bin/env python3
"""The man pages (docs/man/*.scd) against the code they document. Every list below is read from
the source, never copied here, and compared with the page both ways where the page has a list of
its own (a term line per item):

  verinit.conf(5)      every key of lib/config.c's table, each one's values (its name table or the
                       literals its parser accepts), its default (config_defaults()) and the range
                       of a number; no key the parser does not know
  verinit(8)           the stages of lib/stage-table.c (or, before it, init/main.c's table), in order,
                       each with its "[  OK  ]" text and its default reason code first; every reason
                       code of lib/reason.c, and no other; every field of the boot report
                       (init/report.c)
  verinit-cmdline(7)   every word lib/cmdline.c understands, every verinit.* word it knows, every
                       shell word and every word it lets through, and no other
  the tools' pages     every option the tool parses (measure/*.c's option tables, the hooks' case
                       patterns), verinit-sign's commands, the kernel-install plugin's VERINIT_*
                       variables; a page for every tool, and no reference to a verinit page that is
                       not there

Prints one line per problem and exits 1, or prints a summary and exits 0. --selftest instead
removes one item of each kind from a copy of the pages and requires each removal to be found.
Usage: test/tools/man-pages.py [--selftest] [ROOT]
"""
import os
import re
import sys


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def unescape(text):
    """The text as scdoc prints it, for comparisons: \\X is X."""
    return re.sub(r"\\(.)", r"\1", text)


def section(page, title):
    """The lines of '# TITLE' up to the next top-level heading ('' when there is none)."""
    m = re.search(r"^# " + re.escape(title) + r"\n(.*?)(?=^# |\Z)", page, re.M | re.S)
    return m.group(1) if m else ""


def entries(text):
    """(term line, body) for each term: a line at column 0 starting with '*', its body the indented
    lines (and blank lines) after it."""
    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("*"):
            continue
        body = []
        for nxt in lines[i + 1:]:
            if nxt.startswith("\t") or nxt == "":
                body.append(nxt.strip())
            else:
                break
        out.append((line, " ".join(b for b in body if b)))
    return out


def bold(text):
    """Every *bold* run of text, unescaped, but for references to pages (*name*(N))."""
    return [unescape(b) for b in re.findall(r"(?<![\\\w])\*((?:\\.|[^*\\])+)\*(?!\(\d\))", text)]


# ---- the source -----------------------------------------------------------------------------------

def string_tables(c):
    """name -> [(constant or None, string)] for every 'static const char *const name[...] = {...};'."""
    tables = {}
    for m in re.finditer(r"static const char \*const (\w+)\[[^\]]*\]\s*=\s*\{(.*?)\};", c, re.S):
        items = re.findall(r'(?:\[(\w+)\]\s*=\s*)?"([^"]*)"', m.group(2))
        tables[m.group(1)] = [(k or None, v) for k, v in items]
    return tables


def config_source(root):
    c = read(root, "lib/config.c")
    keys = re.findall(r'\[K_\w+\]\s*=\s*\{\s*"([^"]+)",\s*(\w+),', c)
    tables = string_tables(c)
    enum_keys = {fn: (field, table) for fn, field, table in
                 re.findall(r"ENUM_KEY\((\w+),\s*(\w+),\s*(\w+),", c)}
    bodies = dict(re.findall(r"static int (key_\w+)\(const char \*v, size_t n, struct config \*c\) \{(.*?)\n\}", c,
                             re.S))
    m = re.search(r"void config_defaults\(struct config \*c\) \{(.*?)\n\}", c, re.S)
    defaults = dict(re.findall(r"\.(\w+)\s*=\s*([^,\n]+),", m.group(1))) if m else {}
    out = {}
    for name, fn in keys:
        k = {"values": [], "default": None, "range": None}
        if fn in enum_keys:
            field, table = enum_keys[fn]
            k["values"] = [v for _, v in tables.get(table, [])]
            const = defaults.get(field)
            by_const = {cst: v for cst, v in tables.get(table, []) if cst}
            k["default"] = by_const.get(const) if const else (k["values"][0] if k["values"] else None)
        elif fn in bodies:
            body = bodies[fn]
            for t in re.findall(r"\b(\w+)\b", body):
                if t in tables and not any(cst for cst, _ in tables[t]):
                    k["values"] += [v for _, v in tables[t]]
            literals = re.findall(r'"([^"]*)"', body)
            k["values"] += literals
            rng = re.search(r"config_parse_uint\(v, n, (\d+), (\d+), &c->(\w+)\)", body)
            field = re.search(r"c->(\w+)", body)
            field = field.group(1) if field else None
            if rng:
                k["range"] = (rng.group(1), rng.group(2))
                k["default"] = defaults.get(rng.group(3), "0")
            elif field:
                d = defaults.get(field)
                if d is None:
                    k["default"] = "none"
                elif d.startswith('"'):
                    k["default"] = d.strip('"')
                elif d == "true" and len(literals) == 1:
                    k["default"] = literals[0]  # a flag set by naming one value (root=tmpfs)
        out[name] = k
    return out


def stage_table(root):
    for path in ("lib/stage-table.c", "init/main.c"):
        if not os.path.exists(os.path.join(root, path)):
            continue
        # { "name", "done", REASON_X, ... }, or the older { "name", "done", stage_fn, REASON_X }
        rows = re.findall(r'\{\s*"([a-z][a-z-]*)",\s*"([^"]+)",\s*(?:stage_\w+,\s*)?REASON_(\w+)\b', read(root, path))
        if rows:
            return path, rows
    return None, []


def reason_codes(root):
    return [c for c in re.findall(r'\[REASON_\w+\]\s*=\s*"([A-Z_]+)"', read(root, "lib/reason.c")) if c != "NONE"]


def report_fields(root):
    c = read(root, "init/report.c")
    return sorted(set(re.findall(r'json_add\(\w+,\s*"(\w+)"', c)) |
                  set(re.findall(r'json_object_object_add\(\w+,\s*"(\w+)"', c)))


def cmdline_source(root):
    c = read(root, "lib/cmdline.c")
    tables = string_tables(c)
    m = re.search(r"\} kernel_words\[\] = \{(.*?)\};", c, re.S)
    kernel = re.findall(r'\{\s*"([^"]+)",\s*\w+\s*\}', m.group(1)) if m else []
    verinit = re.findall(r'key_eq\(w->key, n, "(verinit\.[^"]+)"\)', c)
    return {
        "known": [v for _, v in tables.get("known_keys", [])],
        "shell": [v for _, v in tables.get("shell_keys", [])],
        "shell_values": [v for t in ("shell_off", "emergency_off", "off_values") for _, v in tables.get(t, [])],
        "usrflags": [v for _, v in tables.get("usrflags_allowed", [])],
        "kernel": kernel,
        "verinit": verinit,
    }


def getopt_long_options(root, paths):
    """The long options of getopt_long's tables, and those a main() compares argv[1] with."""
    opts = []
    for p in paths:
        text = read(root, p)
        opts += re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:required|no|optional)_argument', text)
        opts += re.findall(r'strcmp\(argv\[1\], "--([a-z][a-z-]*)"\)', text)
    return sorted(set(opts))


def script_options(root, path):
    """The --options a bash tool's case statements match."""
    opts = set()
    for line in read(root, path).split("\n"):
        if line.lstrip().startswith("#"):
            continue
        # A case pattern opens the line or follows ";;": --a) or --a | --b)
        for pattern in re.findall(r"(?:^|;;)\s*((?:--?[a-z][\w-]*\s*\|\s*)*--?[a-z][\w-]*)\s*\)", line):
            opts |= {o.strip() for o in pattern.split("|") if o.strip().startswith("--")}
    return sorted(opts)


def tools(root):
    """Every tool verinit ships with a name: the hooks' verinit-* scripts and the host programs the
    Makefile links as $(BUILD)/verinit-*."""
    names = {f for f in os.listdir(os.path.join(root, "hooks")) if f.startswith("verinit-")}
    names |= set(re.findall(r"^\$\(BUILD\)/(verinit-[a-z-]+):", read(root, "Makefile"), re.M))
    return sorted(names)


# ---- the checks -----------------------------------------------------------------------------------

def check(root, pages):
    problems = []
    say = problems.append

    def page(name):
        if name not in pages:
            say(f"docs/man/{name}.scd: missing")
            return ""
        return pages[name]

    # verinit.conf(5)
    conf = page("verinit.conf.5")
    keys = config_source(root)
    if not keys:
        say("lib/config.c: no key table found (the check reads [K_...] = { \"name\", key_fn, ... })")
    documented = {}
    for term, body in entries(section(conf, "KEYS")):
        m = re.match(r"\*([a-z_.]+)=\*", term)
        if m:
            documented[m.group(1)] = (unescape(term), unescape(body))
    for name, k in keys.items():
        if name not in documented:
            say(f"verinit.conf(5): key {name}= is not documented (KEYS: a line '*{name}=*...')")
            continue
        term, body = documented[name]
        for v in k["values"]:
            if not re.search(r"(?<![\w.-])_?" + re.escape(v) + r"_?(?![\w.-])", term):
                say(f"verinit.conf(5): {name}= does not list the value '{v}' on its term line")
        if k["default"] is not None:
            d = re.search(r"Default: (?:\*([^*]+)\*|(none))", body)
            said = d and (d.group(1) or d.group(2))
            if said != k["default"]:
                say(f"verinit.conf(5): {name}= says 'Default: {said}', lib/config.c: {k['default']}")
        if k["range"] and f"{k['range'][0]} to {k['range'][1]}" not in body:
            say(f"verinit.conf(5): {name}= does not give its range '{k['range'][0]} to {k['range'][1]}'")
    for name in documented:
        if name not in keys:
            say(f"verinit.conf(5): documents {name}=, which lib/config.c does not accept")

    # verinit(8): stages, reason codes, the boot report
    agent = page("verinit.8")
    codes = reason_codes(root)
    if not codes:
        say("lib/reason.c: no reason names found")
    path, stages = stage_table(root)
    if not stages:
        say("no stage table found in lib/stage-table.c or init/main.c (rows { \"name\", \"done\", REASON_X, ... })")
    stage_entries = [(re.match(r"\*([a-z][a-z-]*)\*$", t), b) for t, b in entries(section(agent, "STAGES"))]
    stage_entries = [(m.group(1), unescape(b)) for m, b in stage_entries if m]
    names = [s[0] for s in stages]
    if [n for n, _ in stage_entries] != names:
        say(f"verinit(8): STAGES lists {' '.join(n for n, _ in stage_entries)}; {path} runs {' '.join(names)}")
    bodies = dict(stage_entries)
    stage_codes = set()
    for name, done, reason in stages:
        body = bodies.get(name)
        if body is None:
            continue
        if f"[  OK  ] {done}" not in body:
            say(f"verinit(8): stage {name} does not show its status line '[  OK  ] {done}'")
        listed = re.search(r"Reason codes: (.*?)\.(?:\s|$)", body)
        listed = re.findall(r"\*([A-Z_]+)\*", listed.group(1)) if listed else []
        if not listed or listed[0] != reason:
            say(f"verinit(8): stage {name} lists reason codes {listed}; the first must be its default, {reason}")
        stage_codes |= set(listed)
    stage_codes |= set(re.findall(r"\*([A-Z_]+)\*", section(agent, "STAGES")))
    described = [m.group(1) for m in (re.match(r"\*([A-Z_]+)\*$", t) for t, _ in entries(section(agent, "REASON CODES")))
                 if m]
    for c in codes:
        if c not in described:
            say(f"verinit(8): reason code {c} is not described (REASON CODES: a line '*{c}*')")
        if c not in stage_codes:
            say(f"verinit(8): reason code {c} is given by no stage in STAGES")
    for c in set(described) | stage_codes:
        if c not in codes:
            say(f"verinit(8): names reason code {c}, which lib/reason.c does not have")
    report = set(bold(section(agent, "BOOT REPORT")))
    for field in report_fields(root):
        if field not in report:
            say(f"verinit(8): boot report field {field} (init/report.c) is not in BOOT REPORT")

    # verinit-cmdline(7)
    cl = page("verinit-cmdline.7")
    src = cmdline_source(root)
    if not src["known"] or not src["kernel"] or not src["shell"]:
        say("lib/cmdline.c: known_keys, shell_keys or kernel_words not found")

    def term_words(text):
        return {w.split("=")[0] if "=" in w else w
                for t, _ in entries(text) for w in bold(t)}

    def both_ways(title, code, origin):
        """Every word of code (read from origin) on a term line of section title, and no other."""
        documented = term_words(section(cl, title))
        for k in code:
            if k not in documented:
                say(f"verinit-cmdline(7): {k} is not in {title} (a line '*{k}...')")
        for k in sorted(documented - set(code)):
            say(f"verinit-cmdline(7): {title} documents {k}, which {origin} does not have")

    both_ways("WORDS VERINIT UNDERSTANDS", src["known"], "lib/cmdline.c's known_keys")
    both_ways("VERINIT WORDS", src["verinit"], "lib/cmdline.c's apply_verinit()")
    shell = set(bold(section(cl, "SHELL WORDS")))
    for k in src["shell"]:
        if k not in shell:
            say(f"verinit-cmdline(7): shell word {k} is not in SHELL WORDS")
    through = [w for w in bold(section(cl, "WORDS LET THROUGH")) if "=" not in w and " " not in w]
    for k in src["kernel"]:
        if k not in through:
            say(f"verinit-cmdline(7): {k} (kernel_words) is not in WORDS LET THROUGH")
    for k in set(through) - set(src["kernel"]) - set(src["shell_values"]):
        say(f"verinit-cmdline(7): lists {k} as let through; lib/cmdline.c's kernel_words has no such word")
    flags = dict((t.split("=")[0].strip("*"), b) for t, b in entries(section(cl, "WORDS VERINIT UNDERSTANDS")))
    for f in src["usrflags"]:
        if f"*{f}*" not in flags.get("mount.usrflags", ""):
            say(f"verinit-cmdline(7): mount.usrflags= does not name the option {f}")

    # the tools
    def options_in(name, opts):
        # Documented: on a term line of its own (with what it does), not only in the synopsis.
        text = page(name).replace(section(page(name), "SYNOPSIS"), "")
        termed = {w.split()[0] for t, _ in entries(text) for w in bold(t)}
        for o in opts:
            if o not in termed:
                say(f"{name}: option {o} is not documented (a term line '*{o}*...')")
        for w in termed:
            if w.startswith("--") and w not in opts:
                say(f"{name}: documents {w}, which the tool does not take")

    options_in("verinit-measure.1", ["--" + o for o in getopt_long_options(
        root, [p for p in ("measure/verinit-measure.c", "measure/predict.c", "measure/replay.c",
                      "measure/verify-quote.c")
               if os.path.exists(os.path.join(root, p))])])
    options_in("verinit-sign.1", script_options(root, "hooks/verinit-sign"))
    options_in("verinit-mkinitramfs.8", script_options(root, "hooks/verinit-mkinitramfs"))
    options_in("verinit-uki.1", script_options(root, "hooks/verinit-uki"))
    sign_cmds = re.findall(r"^([a-z][a-z-]*)\) \w+ \"\$@\" ;;$", read(root, "hooks/verinit-sign"), re.M)
    commands = {bold(t)[0].split()[0] for t, _ in entries(section(page("verinit-sign.1"), "COMMANDS"))}
    if not sign_cmds:
        say("hooks/verinit-sign: no commands found (lines 'NAME) function \"$@\" ;;')")
    for c in sign_cmds:
        if c not in commands:
            say(f"verinit-sign(1): command {c} is not in COMMANDS")
    plugin = "hooks/kernel-install/60-verinit.install"
    ki = section(page("verinit-mkinitramfs.8"), "KERNEL-INSTALL")
    for v in sorted(set(re.findall(r"\b(VERINIT_[A-Z_]+)\b", read(root, plugin)))):
        if f"*{v}*" not in ki:
            say(f"verinit-mkinitramfs(8): {plugin}'s {v} is not in KERNEL-INSTALL")

    # a page per tool; references to verinit pages that exist
    for t in tools(root):
        if not any(p.rsplit(".", 1)[0] == t for p in pages):
            say(f"docs/man: no page for the tool {t}")
    for name, text in pages.items():
        for ref, sec in re.findall(r"\*(verinit[\w.-]*)\*\((\d)\)", text):
            if f"{ref}.{sec}" not in pages:
                say(f"{name}: refers to {ref}({sec}), which docs/man does not have")
        first = text.split("\n", 1)[0]
        want = "{}({})".format(*name.rsplit(".", 1))
        if not first.startswith(want):
            say(f"{name}: the first line is '{first}', not the page's own name {want}")
    counts = dict(keys=len(keys), stages=len(stages), codes=len(codes), fields=len(report_fields(root)),
                  words=len(src["known"]) + len(src["verinit"]) + len(src["shell"]) + len(src["kernel"]))
    return problems, counts


def load_pages(root):
    d = os.path.join(root, "docs/man")
    return {f[:-4]: read(root, os.path.join("docs/man", f)) for f in sorted(os.listdir(d)) if f.endswith(".scd")}


def selftest(root):
    """Each kind of list must catch one item taken out of the page."""
    pages = load_pages(root)
    base, _ = check(root, pages)
    if base:
        print("selftest: the pages are not clean to begin with:", *base, sep="\n  ")
        return 1
    mutations = [
        ("a verinit.conf key", "verinit.conf.5", r"^\*tpm_timeout=\*.*\n(\t.*\n)*", ""),
        ("a default", "verinit.conf.5", r"Default: \*30\*", "Default: *31*"),
        ("a value", "verinit.conf.5", r"\|_eio_", ""),
        ("a reason code", "verinit.8", r"^\*VERITY_MISMATCH\*\n\t.*\n\t.*\n", ""),
        ("a stage's order", "verinit.8", r"^\*ipe\*$", "*selinuxx*"),
        ("a status line", "verinit.8", r"Found the /usr partitions", "Found /usr"),
        ("a boot report field", "verinit.8", r"\*maxrss_kb\*", "maxrss_kb"),
        ("a command-line word", "verinit-cmdline.7", r"\*rootflags=\*_options_", "*rootflagz=*_options_"),
        ("a word let through", "verinit-cmdline.7", r"\*nomodeset\*, ", ""),
        ("a tool option", "verinit-uki.1", r"^\*--stub\* _STUB_\n\t.*\n\t.*\n", ""),
        ("a plugin variable", "verinit-mkinitramfs.8", r"\*VERINIT_SB_KEY\*, ", ""),
    ]
    failed = 0
    for what, name, pattern, repl in mutations:
        changed = dict(pages)
        changed[name], n = re.subn(pattern, repl, pages[name], count=1, flags=re.M)
        if n != 1:
            print(f"selftest: {what}: the pattern no longer matches {name}; update the selftest")
            failed += 1
            continue
        problems, _ = check(root, changed)
        if problems:
            print(f"PASS  selftest: {what} taken out of {name}: {problems[0]}")
        else:
            print(f"FAIL  selftest: {what} taken out of {name} was not noticed")
            failed += 1
    return 1 if failed else 0


def main(argv):
    args = [a for a in argv if a != "--selftest"]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if "--selftest" in argv:
        return selftest(root)
    problems, counts = check(root, load_pages(root))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("man pages: {keys} config keys, {stages} stages, {codes} reason codes, {fields} report fields "
          "and {words} command-line words as the code has them".format(**counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
