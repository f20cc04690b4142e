#!/usr/bin/env python3
"""Checks that a PNG (a screenshot of a VMSim report) is not blank: decodes it with the standard
library only (zlib; 8-bit greyscale, RGB or RGBA, not interlaced, as Chromium writes them) and
reports its size, its distinct colours and the share of pixels that are not the background (the
most common colour). Exit status 1 when the picture is blank: one colour, or under 0.5% of the
pixels drawn."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG layout (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: png_check.py FILE.png")
    path = sys.argv[1]
    try:
        width, height, channels, rows = decode(path)
    except (OSError, ValueError, zlib.error, struct.error, TypeError) as e:
        sys.exit(f"{path}: cannot read the PNG: {e}")
    counts = {}
    for row in rows[::2]:
        for x in range(0, len(row), channels * 2):
            px = row[x:x + channels]
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values())
    background = max(counts.values())
    drawn = 1 - background / total
    print(f"{path}: {width}x{height}, {len(counts)} colours, {drawn:.1%} of the pixels drawn")
    if len(counts) < 2 or drawn < 0.005:
        print(f"{path}: the picture is blank", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
