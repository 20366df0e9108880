#!/usr/bin/python3
"""Writes a hostile partition table that no partitioning tool would make (sfdisk refuses both):
a copy of a lab disk whose GPT gains a fifth entry, in the primary and the backup table, with
both CRCs of each header made right again so that firmware, kernel and libblkid accept it.

usage: qemu/gpt-craft.py MODE IN.img OUT.img
  overlap    an entry of type "Linux filesystem data" from the middle of usr to the middle of
             usr-verity: it shares sectors with both
  dup-entry  the usr entry again, byte for byte: same PARTUUID, same sectors
"""
import hashlib
import os
import shutil
import struct
import sys
import tempfile
import uuid
import zlib

SECTOR = 512
USR = uuid.UUID("8484680c-9521-48c6-9c11-b0720656f69e")
VERITY = uuid.UUID("77ff5f63-e7b6-4633-acf4-1565b864c0e6")
LINUX_DATA = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4")
HDR = struct.Struct("<8sIIIIQQQQ16sQIII")  # 92 bytes, UEFI 2.10 table 5.21
ENTRY = struct.Struct("<16s16sQQQ72s")


def die(msg):
    sys.stderr.write(f"gpt-craft: {msg}\n")
    sys.exit(1)


def read_header(f, lba):
    f.seek(lba * SECTOR)
    raw = f.read(HDR.size)
    h = list(HDR.unpack(raw))
    if h[0] != b"EFI PART" or h[2] != HDR.size:
        die(f"no GPT header at LBA {lba}")
    if zlib.crc32(raw[:16] + b"\0" * 4 + raw[20:]) != h[3]:
        die(f"the GPT header at LBA {lba} has a wrong CRC: not a table this script knows")
    return h


def read_entries(f, h):
    lba, count, size = h[10], h[11], h[12]
    if size != ENTRY.size:
        die(f"entries of {size} bytes, not {ENTRY.size}")
    f.seek(lba * SECTOR)
    raw = bytearray(f.read(count * size))
    if zlib.crc32(raw) != h[13]:
        die(f"the entry array at LBA {lba} has a wrong CRC")
    return raw


def write_table(f, h, raw):
    h[13] = zlib.crc32(raw)
    h[3] = 0
    h[3] = zlib.crc32(HDR.pack(*h))
    f.seek(h[10] * SECTOR)
    f.write(raw)
    f.seek(h[5] * SECTOR)
    f.write(HDR.pack(*h))


def craft(mode, raw, disk_guid):
    entries = [ENTRY.unpack_from(raw, i * ENTRY.size) for i in range(len(raw) // ENTRY.size)]
    by_type = {}
    free = None
    for i, e in enumerate(entries):
        t = uuid.UUID(bytes_le=e[0])
        if t.int == 0:
            free = i if free is None else free
        else:
            by_type.setdefault(t, []).append(e)
    if free is None:
        die("no free entry in the table")
    if len(by_type.get(USR, [])) != 1 or len(by_type.get(VERITY, [])) != 1:
        die("the disk needs exactly one usr and one usr-verity partition")
    usr, verity = by_type[USR][0], by_type[VERITY][0]
    if mode == "dup-entry":
        new = usr
    else:
        first, last = (usr[2] + usr[3] + 1) // 2, (verity[2] + verity[3]) // 2
        if not usr[2] < first <= usr[3] < verity[2] <= last < verity[3]:
            die("usr must lie before usr-verity, each at least two sectors long")
        part = uuid.UUID(hashlib.sha256(b"overlap:" + disk_guid).hexdigest()[:32])
        new = (LINUX_DATA.bytes_le, part.bytes_le, first, last, 0, "data".encode("utf-16-le").ljust(72, b"\0"))
    ENTRY.pack_into(raw, free * ENTRY.size, *new)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("overlap", "dup-entry"):
        die("usage: gpt-craft.py overlap|dup-entry IN.img OUT.img")
    mode, src, out = sys.argv[1:]
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)), prefix=".gpt-craft.")
    os.close(fd)
    try:
        try:
            shutil.copyfile(src, tmp)
        except OSError as e:
            die(f"cannot copy {src}: {e.strerror}")
        with open(tmp, "r+b") as f:
            primary = read_header(f, 1)
            backup = read_header(f, primary[6])
            for h in (primary, backup):
                raw = read_entries(f, h)
                craft(mode, raw, primary[9])
                write_table(f, h, raw)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


if __name__ == "__main__":
    main()
