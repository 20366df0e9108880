#!/usr/bin/python3
"""Writes a hostile partition table that no partitioning tool would make (sfdisk refuses them):
a copy of a lab disk whose GPT gains a fifth entry (or many), in the primary and the backup table,
with both CRCs of each header made right again so that firmware, kernel and libblkid accept it.

usage: qemu/gpt-craft.py MODE IN.img OUT.img
  overlap             an entry of type "Linux filesystem data" from the middle of usr to the middle
                      of usr-verity: it shares sectors with both
  dup-entry           the usr entry again, byte for byte: same PARTUUID, same sectors
The kernel (block/partitions/efi.c) and libblkid read the next ones differently: the kernel makes a
partition that libblkid does not list, or of another size (lib/geometry.h).
  end-before-start    an entry after the last partition whose last LBA is 1000 sectors before its
                      first: libblkid's size is negative, the kernel's wraps to 2^64 - 999 sectors
  below-first-usable  an entry between the entry array and the header's first usable LBA (the lab's
                      disk starts its partitions at 2048): libblkid drops it, the kernel makes it
  beyond-last-usable  an entry from after the last partition to the sector before the backup header,
                      over the backup entry array: libblkid drops it, the kernel makes it
  too-many            300 entries in use: the entry arrays grow to 300 entries (the primary's room
                      up to the first usable LBA allows it, the backup's moves down, the last usable
                      LBA with it), 296 one-sector entries after the last partition; the kernel
                      makes the first 255, libblkid lists all 300
Damaged or inconsistent tables, as a bad write or a grown cloud disk leaves them (no entry added):
  primary-header-crc  the primary header's CRC one bit off; the backup intact. libblkid falls back
                      to the backup, the kernel (without gpt on its command line) does not
  primary-entries-crc the usr entry's type in the primary array made "Linux filesystem data", the
                      array's CRC left as it was: the same split as above
  backup-differs      the backup array (CRCs right) with the types of usr and usr-verity swapped:
                      both valid, both readers take the primary
  grown               32 MiB appended, the backup header left where it was, as a resized cloud disk
                      is before anything rewrites its table
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


def array_sectors(count):
    return (count * ENTRY.size + SECTOR - 1) // SECTOR


def write_table(f, h, raw):
    h[13] = zlib.crc32(raw)
    h[3] = 0
    h[3] = zlib.crc32(HDR.pack(*h))
    f.seek(h[10] * SECTOR)
    f.write(raw)
    f.seek(h[5] * SECTOR)
    f.write(HDR.pack(*h))


def new_entry(tag, disk_guid, first, last, name):
    part = uuid.UUID(hashlib.sha256(tag.encode() + b":" + disk_guid).hexdigest()[:32])
    return (LINUX_DATA.bytes_le, part.bytes_le, first, last, 0, name.encode("utf-16-le").ljust(72, b"\0"))


def craft(mode, raw, primary, backup):
    """The entries to add, (index or None for the first free one, entry), from the primary header."""
    disk_guid = primary[9]
    entries = [ENTRY.unpack_from(raw, i * ENTRY.size) for i in range(len(raw) // ENTRY.size)]
    by_type = {}
    for e in entries:
        t = uuid.UUID(bytes_le=e[0])
        if t.int != 0:
            by_type.setdefault(t, []).append(e)
    if len(by_type.get(USR, [])) != 1 or len(by_type.get(VERITY, [])) != 1:
        die("the disk needs exactly one usr and one usr-verity partition")
    usr, verity = by_type[USR][0], by_type[VERITY][0]
    used_end = max(e[3] for es in by_type.values() for e in es)  # the last partition's last LBA
    first_usable, last_usable = primary[7], primary[8]
    if mode == "dup-entry":
        return [(None, usr)]
    if mode == "overlap":
        first, last = (usr[2] + usr[3] + 1) // 2, (verity[2] + verity[3]) // 2
        if not usr[2] < first <= usr[3] < verity[2] <= last < verity[3]:
            die("usr must lie before usr-verity, each at least two sectors long")
        part = uuid.UUID(hashlib.sha256(b"overlap:" + disk_guid).hexdigest()[:32])
        return [(None, (LINUX_DATA.bytes_le, part.bytes_le, first, last, 0, "data".encode("utf-16-le").ljust(72, b"\0")))]
    if mode == "end-before-start":
        first = used_end + 1 + 1000
        if first > last_usable:
            die("no 1001 free sectors after the last partition")
        return [(None, new_entry(mode, disk_guid, first, first - 1000, "backwards"))]
    if mode == "below-first-usable":
        first = primary[10] + array_sectors(primary[11])
        if first >= first_usable:
            die(f"no sector between the entry array and the first usable LBA {first_usable}")
        return [(None, new_entry(mode, disk_guid, first, first_usable - 1, "below"))]
    if mode == "beyond-last-usable":
        if backup[5] - 1 <= last_usable or used_end >= last_usable:
            die("no backup entry array after the last usable LBA, or no free sector before it")
        return [(None, new_entry(mode, disk_guid, used_end + 1, backup[5] - 1, "beyond"))]
    if mode == "too-many":
        used = [i for i, e in enumerate(entries) if uuid.UUID(bytes_le=e[0]).int != 0]
        if used != list(range(len(used))):
            die("the entries in use must be the first ones")
        if used_end + 1 + MANY - len(used) > last_usable - (array_sectors(MANY) - array_sectors(len(entries))):
            die("no room for the one-sector entries")
        return [(i, new_entry(f"{mode}:{i}", disk_guid, used_end + 1 + i - len(used), used_end + 1 + i - len(used),
                              f"many-{i + 1}")) for i in range(len(used), MANY)]
    die(f"unknown mode {mode}")


MANY = 300


def grow(primary, backup):
    """too-many: both entry arrays hold MANY entries; the backup's starts lower, and the last usable
    LBA with it. The primary's array must end before the first usable LBA."""
    more = array_sectors(MANY) - array_sectors(primary[11])
    if primary[10] + array_sectors(MANY) > primary[7]:
        die(f"an array of {MANY} entries would reach the first usable LBA {primary[7]}")
    if backup[10] + array_sectors(backup[11]) != backup[5]:
        die("the backup entry array does not end right before the backup header")
    for h in (primary, backup):
        h[8] -= more
        h[11] = MANY
    backup[10] -= more


MODES = ("overlap", "dup-entry", "end-before-start", "below-first-usable", "beyond-last-usable", "too-many")
DAMAGE = ("primary-header-crc", "primary-entries-crc", "backup-differs", "grown")


def type_index(raw, type_guid):
    """The index of the only entry of that type in an entry array."""
    found = [i for i in range(len(raw) // ENTRY.size) if raw[i * ENTRY.size:i * ENTRY.size + 16] == type_guid.bytes_le]
    if len(found) != 1:
        die(f"the table needs exactly one entry of type {type_guid}")
    return found[0]


def damage(mode, f, primary, backup, raws):
    if mode == "grown":
        f.seek(0, os.SEEK_END)
        f.write(bytes(32 << 20))
    elif mode == "primary-header-crc":
        f.seek(primary[5] * SECTOR + 16)
        f.write(struct.pack("<I", primary[3] ^ 1))
    elif mode == "primary-entries-crc":
        i = type_index(raws[0], USR)
        f.seek(primary[10] * SECTOR + i * ENTRY.size)
        f.write(LINUX_DATA.bytes_le)
    elif mode == "backup-differs":
        raw = raws[1]
        u, v = type_index(raw, USR), type_index(raw, VERITY)
        raw[u * ENTRY.size:u * ENTRY.size + 16] = VERITY.bytes_le
        raw[v * ENTRY.size:v * ENTRY.size + 16] = USR.bytes_le
        write_table(f, backup, raw)


def add_entries(f, mode, primary, backup, raws):
    add = craft(mode, raws[0], primary, backup)
    if mode == "too-many":
        grow(primary, backup)
    for h, raw in zip((primary, backup), raws):
        raw = raw + bytearray(h[11] * ENTRY.size - len(raw))
        for index, entry in add:
            if index is None:
                free = [i for i in range(h[11]) if raw[i * ENTRY.size:i * ENTRY.size + 16] == bytes(16)]
                if not free:
                    die("no free entry in the table")
                index = free[0]
            ENTRY.pack_into(raw, index * ENTRY.size, *entry)
        write_table(f, h, raw)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in MODES + DAMAGE:
        die(f"usage: gpt-craft.py {'|'.join(MODES + DAMAGE)} IN.img OUT.img")
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
            raws = [read_entries(f, h) for h in (primary, backup)]
            if mode in DAMAGE:
                damage(mode, f, primary, backup, raws)
            else:
                add_entries(f, mode, primary, backup, raws)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


if __name__ == "__main__":
    main()
