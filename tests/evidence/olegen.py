"""A minimal OLE compound file writer for tests (olefile reads but cannot create them).

Version 3 files with 512-byte sectors; every stream is padded to 4096 bytes so that it lives in ordinary sectors
(no mini stream). Enough to build .doc/.xls/.ppt-shaped files with or without macro storages."""

import itertools
import struct

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _entry(name, kind, child=NOSTREAM, right=NOSTREAM, start=ENDOFCHAIN, size=0):
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return (
        raw.ljust(64, b"\x00")
        + struct.pack("<HBB", len(raw), kind, 1)
        + struct.pack("<III", NOSTREAM, right, child)
        + b"\x00" * 16
        + b"\x00" * 4
        + b"\x00" * 16
        + struct.pack("<I", start)
        + struct.pack("<Q", size)
    )


def build_ole(paths: list[tuple[str, ...]]) -> bytes:
    """paths: stream paths, e.g. [("WordDocument",), ("Macros", "VBA", "dir")]."""
    # Build a tree of storages and streams.
    tree: dict = {}
    for path in paths:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = None
    entries: list[list] = []  # (name, kind, children names list / data)
    data_sectors: list[bytes] = []

    def add(name, node):
        index = len(entries)
        entries.append([name, 2 if node is None else 1, NOSTREAM, NOSTREAM, ENDOFCHAIN, 0])
        if node is None:
            payload = (name.encode() * 4096)[:4096]
            start = len(data_sectors)
            data_sectors.append(payload)
            entries[index][4] = start
            entries[index][5] = len(payload)
        else:
            link_children(index, node)
        return index

    def link_children(parent_index, node):
        child_indexes = [add(name, sub) for name, sub in node.items()]
        if child_indexes:
            entries[parent_index][2] = child_indexes[0]
            for a, b in itertools.pairwise(child_indexes):
                entries[a][3] = b

    entries.append(["Root Entry", 5, NOSTREAM, NOSTREAM, ENDOFCHAIN, 0])
    link_children(0, tree)

    dir_bytes = b"".join(_entry(n, k, child=c, right=r) for n, k, c, r, _s, _z in entries)
    dir_sectors = -(-len(dir_bytes) // SECTOR)
    dir_bytes = dir_bytes.ljust(dir_sectors * SECTOR, b"\x00")
    first_dir = 1
    first_data = 1 + dir_sectors
    # Now that positions are known, write the entries again with real start sectors (8 sectors per stream).
    dir_bytes = b"".join(
        _entry(n, k, child=c, right=r, start=(first_data + s * 8) if k == 2 else ENDOFCHAIN, size=z)
        for n, k, c, r, s, z in entries
    ).ljust(dir_sectors * SECTOR, b"\x00")
    fat = [FATSECT]
    for i in range(dir_sectors):
        fat.append(first_dir + i + 1 if i < dir_sectors - 1 else ENDOFCHAIN)
    for s in range(len(data_sectors)):
        base = first_data + s * 8
        for j in range(8):
            fat.append(base + j + 1 if j < 7 else ENDOFCHAIN)
    assert len(fat) <= 128
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", FREESECT) * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, first_dir, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREESECT) * 108
    )
    assert len(header) == SECTOR
    return header + fat_bytes + dir_bytes + b"".join(data_sectors)
