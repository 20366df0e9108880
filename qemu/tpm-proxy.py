#!/usr/bin/python3
"""Stands between QEMU and swtpm: makes one TPM2_PCR_Extend fail, so a case can fail the TPM at an
exact point of the boot (a timed kill of swtpm races the guest), and keeps swtpm's state when QEMU
exits by itself (a guest that reboots or powers off), so the runner can still read the PCRs.
QEMU connects to LISTEN as if it were swtpm's control socket; every control message goes on to
swtpm's CTRL unchanged except two. CMD_SET_DATAFD: the proxy puts a data channel of its own in
between, so that it sees each TPM command. CMD_SHUTDOWN, which QEMU sends as it exits and which
ends swtpm: answered here, not passed on. With P:N the Nth TPM2_PCR_Extend of PCR P gets
TPM_RC_FAILURE back instead of reaching swtpm; every other command, the later extends of P
included, reaches it. With "pass" nothing fails.

usage: qemu/tpm-proxy.py LISTEN CTRL P:N|pass
Writes "failed TPM2_PCR_Extend #N of PCR P" to stderr when it did. Exits when QEMU's control
connection closes; swtpm keeps running (qemu/tpm-read.py reads it)."""
import array
import select
import socket
import struct
import sys

CMD_SHUTDOWN = 3
CMD_SET_DATAFD = 16
TPM_CC_PCR_EXTEND = 0x00000182
TPM_RC_FAILURE = 0x00000101


def die(msg):
    sys.stderr.write(f"tpm-proxy: {msg}\n")
    sys.exit(1)


def recv_with_fds(s):
    fds = array.array("i")
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)


class Channel:
    """One data channel: QEMU's end, the proxy's end towards swtpm, and the command being read."""

    def __init__(self, guest, tpm):
        self.guest, self.tpm, self.buf = guest, tpm, b""


def main():
    if len(sys.argv) != 4 or (":" not in sys.argv[3] and sys.argv[3] != "pass"):
        die("usage: tpm-proxy.py LISTEN CTRL P:N|pass")
    listen_path, ctrl_path = sys.argv[1:3]
    pcr, nth = (-1, 0) if sys.argv[3] == "pass" else (int(x) for x in sys.argv[3].split(":", 1))
    if sys.argv[3] != "pass" and (not 0 <= pcr < 24 or nth < 1):
        die(f"'{sys.argv[3]}' is not PCR:N with PCR 0-23 and N from 1")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen_path)
    server.listen(1)
    qemu, _ = server.accept()
    server.close()
    ctrl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctrl.connect(ctrl_path)
    channel, seen = None, 0
    while True:
        watch = [qemu, ctrl] + ([channel.guest, channel.tpm] if channel else [])
        for s in select.select(watch, [], [])[0]:
            if s is qemu:
                data, fds = recv_with_fds(qemu)
                if not data:
                    return
                if fds:
                    # CMD_SET_DATAFD: QEMU's end becomes ours, swtpm gets the other end of a new pair.
                    if struct.unpack_from(">I", data)[0] != CMD_SET_DATAFD or len(fds) != 1:
                        die("a control message carried a file descriptor but is not CMD_SET_DATAFD")
                    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                    ctrl.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [theirs.fileno()]))])
                    theirs.close()
                    channel = Channel(socket.socket(fileno=fds[0]), ours)
                elif data == struct.pack(">I", CMD_SHUTDOWN):
                    qemu.sendall(struct.pack(">I", 0))
                else:
                    ctrl.sendall(data)
            elif s is ctrl:
                data = ctrl.recv(4096)
                if not data:
                    return
                qemu.sendall(data)
            elif s is channel.tpm:
                data = channel.tpm.recv(65536)
                if not data:
                    return
                channel.guest.sendall(data)
            else:
                data = channel.guest.recv(65536)
                if not data:
                    channel = None
                    continue
                channel.buf += data
                while len(channel.buf) >= 10:
                    size = struct.unpack_from(">I", channel.buf, 2)[0]
                    if size < 10 or len(channel.buf) < size:
                        break
                    cmd, channel.buf = channel.buf[:size], channel.buf[size:]
                    cc = struct.unpack_from(">I", cmd, 6)[0]
                    if cc == TPM_CC_PCR_EXTEND and size >= 14 and struct.unpack_from(">I", cmd, 10)[0] == pcr:
                        seen += 1
                        if seen == nth:
                            sys.stderr.write(f"failed TPM2_PCR_Extend #{nth} of PCR {pcr}\n")
                            channel.guest.sendall(struct.pack(">HII", 0x8001, 10, TPM_RC_FAILURE))
                            continue
                    channel.tpm.sendall(cmd)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        die(str(e))
