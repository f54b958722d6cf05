#!/usr/bin/env python3
"""An independent reader of TensorBoard event files, standard library only.

Reads every events.out.tfevents.* file under a directory as TensorFlow writes and TensorBoard reads
them: TFRecords (uint64 LE length, masked CRC32C of the length, data, masked CRC32C of the data; both
CRCs checked) holding Event protobufs, parsed from the protobuf wire format by hand (no protobuf
package). Prints one JSON object: the files' version strings and, per scalar tag, its [step, value]
points in file order. Exits 1 on a bad CRC, a truncated record or malformed protobuf.

    python3 read_tfevents.py RUN_DIR/tensorboard
"""
import json
import os
import struct
import sys


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"{path}: truncated record header at byte {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc(header) != length_crc:
            raise ValueError(f"{path}: bad length CRC at byte {pos}")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or pos + 16 + length > len(data):
            raise ValueError(f"{path}: truncated record at byte {pos}")
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if masked_crc(body) != body_crc:
            raise ValueError(f"{path}: bad data CRC at byte {pos}")
        yield body
        pos += 16 + length


def varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """(field number, wire type, value) of a protobuf message: ints, bytes, or raw fixed bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated field")
        yield number, wire, value


def read_dir(directory):
    out = {"file_versions": [], "scalars": {}}
    names = sorted(n for n in os.listdir(directory) if n.startswith("events.out.tfevents."))
    for name in names:
        for record in records(os.path.join(directory, name)):
            step, summary = 0, None
            for number, wire, value in fields(record):
                if number == 2 and wire == 0:  # Event.step (int64)
                    step = value
                elif number == 3 and wire == 2:  # Event.file_version
                    out["file_versions"].append(value.decode("utf-8"))
                elif number == 5 and wire == 2:  # Event.summary
                    summary = value
            if summary is None:
                continue
            for number, wire, value in fields(summary):
                if number != 1 or wire != 2:  # Summary.value
                    continue
                tag, simple = None, None
                for vn, vw, vv in fields(value):
                    if vn == 1 and vw == 2:  # Summary.Value.tag
                        tag = vv.decode("utf-8")
                    elif vn == 2 and vw == 5:  # Summary.Value.simple_value (float)
                        (simple,) = struct.unpack("<f", vv)
                if tag is not None and simple is not None:
                    out["scalars"].setdefault(tag, []).append([step, simple])
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(json.dumps(read_dir(sys.argv[1]), sort_keys=True))
    except ValueError as e:
        print(f"read_tfevents: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
