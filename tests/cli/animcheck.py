"""Decodes an animated recording (GIF or APNG) with no library and checks it.

    python3 animcheck.py ANIM STILL.png [--frames MIN MAX] [--max-bytes N]
                         [--dump K OUT.png]

Checks every PNG chunk's CRC. Composes every frame as a viewer does (each frame a rectangle drawn over
the last one), then fails unless: the animation is as large as STILL (a
PNG threadlab wrote), it has between MIN and MAX frames, the file is at
most N bytes, and its last frame is STILL: the same pixels for APNG (true
colour), for GIF each pixel within the 256-colour palette's reach (no
channel off by more than 96, and 99.5% of pixels off by at most 12). --dump
writes frame K (from 0; -1 the last) as a PNG to look at. Prints
"WxH frames=N seconds=S bytes=B"."""
import os
import struct
import sys
import zlib

PATH = "?"


def fail(why):
    print(f"animcheck: {PATH}: {why}")
    sys.exit(1)


def chunks(data):
    at = 8
    while at + 12 <= len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        crc = struct.unpack(">I", data[at + 8 + n:at + 12 + n])[0]
        if crc != zlib.crc32(data[at + 4:at + 8 + n]) & 0xFFFFFFFF:
            fail(f"the CRC of a {kind.decode(errors='replace')} chunk is wrong")
        yield kind, data[at + 8:at + 8 + n]
        at += 12 + n


def unfilter(raw, w, h, bpp):
    stride = w * bpp
    out = bytearray(h * stride)
    prev = bytearray(stride)
    at = 0
    for y in range(h):
        f = raw[at]
        line = bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return out


def png_rgb(data):
    """A plain PNG (8-bit RGB or RGBA) as (w, h, rgb bytes)."""
    idat = b""
    for kind, body in chunks(data):
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    bpp = {2: 3, 6: 4}[ctype]
    px = unfilter(zlib.decompress(idat), w, h, bpp)
    if bpp == 4:
        px = bytearray(b for i in range(0, len(px), 4) for b in px[i:i + 3])
    return w, h, px


def apng_frames(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG")
    canvas = None
    frames, cur, pending = [], None, b""
    w = h = 0
    seen_actl = False

    def finish():
        nonlocal canvas
        if cur is None:
            return
        fw, fh, fx, fy, delay = cur
        px = unfilter(zlib.decompress(pending), fw, fh, 3)
        for y in range(fh):
            o = ((fy + y) * w + fx) * 3
            canvas[o:o + fw * 3] = px[y * fw * 3:(y + 1) * fw * 3]
        frames.append((bytes(canvas), delay))

    for kind, body in chunks(data):
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
            if body[8:10] != b"\x08\x02":
                fail("not 8-bit RGB")
            canvas = bytearray(w * h * 3)
        elif kind == b"acTL":
            seen_actl = True
            declared = struct.unpack(">I", body[:4])[0]
        elif kind == b"fcTL":
            finish()
            _, fw, fh, fx, fy, dn, dd, dispose, blend = struct.unpack(">IIIIIHHBB", body)
            if dispose or blend or fx + fw > w or fy + fh > h:
                fail("a frame this checker does not compose")
            cur, pending = (fw, fh, fx, fy, dn / (dd or 100)), b""
        elif kind == b"IDAT" or kind == b"fdAT":
            pending += body if kind == b"IDAT" else body[4:]
    finish()
    if not seen_actl or declared != len(frames):
        fail("acTL does not count the frames")
    return w, h, frames


def lzw(data, min_size, npix):
    clear, end = 1 << min_size, (1 << min_size) + 1
    out = bytearray()
    size = min_size + 1
    table = [bytes([i]) for i in range(clear)] + [b"", b""]
    prev = None
    bits = nbits = 0
    for byte in data:
        bits |= byte << nbits
        nbits += 8
        while nbits >= size:
            code = bits & ((1 << size) - 1)
            bits >>= size
            nbits -= size
            if code == clear:
                table = table[:clear + 2]
                size = min_size + 1
                prev = None
                continue
            if code == end:
                return out
            if prev is None:
                entry = table[code]
            elif code < len(table):
                entry = table[code]
                table.append(prev + entry[:1])
            else:
                entry = prev + prev[:1]
                table.append(entry)
            out += entry
            prev = entry
            if len(table) == (1 << size) and size < 12:
                size += 1
    return out


def gif_frames(data):
    if data[:6] not in (b"GIF89a", b"GIF87a"):
        fail("not a GIF")
    w, h, flags = struct.unpack("<HHB", data[6:11])
    at = 13
    gct = []
    if flags & 0x80:
        n = 2 << (flags & 7)
        gct = [data[at + 3 * i:at + 3 * i + 3] for i in range(n)]
        at += 3 * n
    canvas = bytearray(w * h * 3)
    frames, delay = [], 0
    while at < len(data):
        b = data[at]
        if b == 0x3B:
            break
        if b == 0x21:
            label = data[at + 1]
            at += 2
            while data[at]:
                if label == 0xF9:
                    delay = struct.unpack("<H", data[at + 2:at + 4])[0] / 100
                at += 1 + data[at]
            at += 1
        elif b == 0x2C:
            fx, fy, fw, fh, fl = struct.unpack("<HHHHB", data[at + 1:at + 10])
            at += 10
            table = gct
            if fl & 0x80:
                n = 2 << (fl & 7)
                table = [data[at + 3 * i:at + 3 * i + 3] for i in range(n)]
                at += 3 * n
            if fl & 0x40:
                fail("interlaced frames are not expected")
            min_size = data[at]
            at += 1
            sub = bytearray()
            while data[at]:
                sub += data[at + 1:at + 1 + data[at]]
                at += 1 + data[at]
            at += 1
            idx = lzw(sub, min_size, fw * fh)
            if len(idx) < fw * fh:
                fail("a frame's pixels are cut short")
            for y in range(fh):
                o = ((fy + y) * w + fx) * 3
                canvas[o:o + fw * 3] = b"".join(table[i] for i in idx[y * fw:(y + 1) * fw])
            frames.append((bytes(canvas), delay))
        else:
            fail(f"unexpected byte {b:#x} at {at}")
    return w, h, frames


def write_png(path, w, h, rgb):
    raw = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    global PATH
    args = sys.argv[1:]
    PATH, still = args[0], args[1]
    opts = {}
    i = 2
    while i < len(args):
        if args[i] == "--frames":
            opts["frames"] = (int(args[i + 1]), int(args[i + 2]))
            i += 3
        elif args[i] == "--max-bytes":
            opts["max"] = int(args[i + 1])
            i += 2
        elif args[i] == "--dump":
            opts["dump"] = (int(args[i + 1]), args[i + 2])
            i += 3
        else:
            fail(f"unknown argument {args[i]}")
    data = open(PATH, "rb").read()
    gif = data[:3] == b"GIF"
    w, h, frames = gif_frames(data) if gif else apng_frames(data)
    sw, sh, spx = png_rgb(open(still, "rb").read())
    if (w, h) != (sw, sh):
        fail(f"{w}x{h}, but the still picture is {sw}x{sh}")
    if "frames" in opts and not opts["frames"][0] <= len(frames) <= opts["frames"][1]:
        fail(f"{len(frames)} frames, want {opts['frames'][0]} to {opts['frames'][1]}")
    if "max" in opts and len(data) > opts["max"]:
        fail(f"{len(data)} bytes, more than {opts['max']}")
    if "dump" in opts:
        k, out = opts["dump"]
        write_png(out, w, h, frames[k][0])
    last = frames[-1][0]
    if gif:
        diffs = [abs(a - b) for a, b in zip(last, spx)]
        near = sum(1 for i in range(0, len(diffs), 3) if max(diffs[i:i + 3]) <= 12)
        if max(diffs) > 96 or near < 0.995 * w * h:
            fail(f"the last frame is not the still picture (worst {max(diffs)}, "
                 f"{near} of {w * h} pixels near)")
    elif last != bytes(spx):
        fail("the last frame is not the still picture")
    seconds = sum(d for _, d in frames)
    print(f"{w}x{h} frames={len(frames)} seconds={seconds:.1f} bytes={len(data)}")


main()
