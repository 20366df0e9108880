#!/usr/bin/python3
"""Reads PCRs from a swtpm whose QEMU is gone, without the guest or verinit: hands swtpm a new data
channel through its control socket (CMD_SET_DATAFD, as QEMU itself does) and sends TPM2_PCR_Read
in each bank. Prints "BANK PCR HEX" lines for the banks the TPM has active (verinit-measure
predict's --format lines). The runner compares these, not what verinit printed.

usage: qemu/tpm-read.py CTRL_SOCKET [PCR...]   (default PCRs: 11 15)
swtpm must have been started without --terminate, and QEMU killed with SIGKILL (a clean QEMU exit
shuts the TPM down)."""
import array
import socket
import struct
import sys

CMD_SET_DATAFD = 16
TPM_ST_NO_SESSIONS = 0x8001
TPM_CC_PCR_READ = 0x0000017E
BANKS = (("sha1", 0x0004, 20), ("sha256", 0x000B, 32), ("sha384", 0x000C, 48), ("sha512", 0x000D, 64))


def die(msg):
    sys.stderr.write(f"tpm-read: {msg}\n")
    sys.exit(1)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            die(f"the TPM closed the channel after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def data_channel(ctrl_path):
    ctrl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        ctrl.connect(ctrl_path)
    except OSError as e:
        die(f"cannot connect to {ctrl_path}: {e.strerror}")
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ctrl.sendmsg([struct.pack(">I", CMD_SET_DATAFD)],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [theirs.fileno()]))])
    (res,) = struct.unpack(">I", recv_exact(ctrl, 4))
    if res != 0:
        die(f"CMD_SET_DATAFD answered {res:#x}")
    theirs.close()
    return ctrl, ours


def pcr_read(data, alg, size, pcrs):
    select = bytearray(3)
    for p in pcrs:
        select[p // 8] |= 1 << (p % 8)
    body = struct.pack(">IHB", 1, alg, 3) + bytes(select)
    cmd = struct.pack(">HII", TPM_ST_NO_SESSIONS, 10 + len(body), TPM_CC_PCR_READ) + body
    data.sendall(cmd)
    tag, length, rc = struct.unpack(">HII", recv_exact(data, 10))
    rest = recv_exact(data, length - 10)
    if rc != 0:
        die(f"TPM2_PCR_Read in bank {alg:#x} answered {rc:#x}")
    off = 4  # pcrUpdateCounter
    (count,) = struct.unpack_from(">I", rest, off)
    off += 4
    got_select = bytes(3)
    for _ in range(count):
        _, n = struct.unpack_from(">HB", rest, off)
        got_select = rest[off + 3:off + 3 + n]
        off += 3 + n
    (ndig,) = struct.unpack_from(">I", rest, off)
    off += 4
    digests = []
    for _ in range(ndig):
        (n,) = struct.unpack_from(">H", rest, off)
        if n != size:
            die(f"a digest of {n} bytes in a bank of {size}")
        digests.append(rest[off + 2:off + 2 + n])
        off += 2 + n
    selected = [p for p in sorted(pcrs) if p // 8 < len(got_select) and got_select[p // 8] >> (p % 8) & 1]
    if len(selected) != len(digests):
        die(f"{len(digests)} digests for PCRs {selected}")
    return dict(zip(selected, digests))


def main():
    if len(sys.argv) < 2:
        die("usage: tpm-read.py CTRL_SOCKET [PCR...]")
    pcrs = [int(p) for p in sys.argv[2:]] or [11, 15]
    if any(not 0 <= p < 24 for p in pcrs):
        die("PCRs are 0 to 23")
    ctrl, data = data_channel(sys.argv[1])
    lines = []
    for name, alg, size in BANKS:
        for p, d in sorted(pcr_read(data, alg, size, pcrs).items()):
            lines.append(f"{name} {p} {d.hex()}")
    if not lines:
        die("no active bank answered")
    print("\n".join(lines))
    data.close()
    ctrl.close()


if __name__ == "__main__":
    main()
