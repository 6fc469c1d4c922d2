"""Checks that a file is a real PNG picture with something drawn on it.

    python3 pngcheck.py [--density D] FILE [MIN_WIDTH MIN_HEIGHT [MIN_RED]]
    python3 pngcheck.py --density D --no-pixels FILE...

Decodes the PNG itself (8-bit RGB or RGBA, the kinds SDL2_image writes),
with no library, and fails unless it has the PNG signature, a sane size, at
least 8 distinct colours, and at least 2% of its pixels not the background
(the most common colour); and, given MIN_RED, unless at least that share of
its pixels is strong red (a deadlock's banner, cycle and blocked bars).
With --density D (what threadlab writes: 1 for a screenshot, 2 for a
recording), also fails unless a pHYs chunk before the pixels says D times
72 dpi in pixels per metre, the same across and down, and every pixel is
fully opaque (no alpha channel, or alpha 255 everywhere). --no-pixels
skips what needs the pixels decoded (slow in Python) when there is no
alpha channel: the colours and the share drawn; each argument is a file.
Prints "WxH colours=N drawn=F red=R"."""
import struct
import sys
import zlib


PATH = "?"


def fail(why):
    print(f"pngcheck: {PATH}: {why}")
    sys.exit(1)


def decode(data, pixels=True):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("no PNG signature")
    pos, idat, head, phys = 8, b"", None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(data[pos + 4:pos + 8 + n]) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            fail(f"bad CRC on the {kind} chunk")
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"pHYs" and not idat and n == 9:
            phys = struct.unpack(">IIB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not head:
        fail("no IHDR chunk")
    w, h, depth, ctype, _, _, interlace = head
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail(f"unexpected format depth={depth} colour type={ctype} interlace={interlace}")
    bpp = 3 if ctype == 2 else 4
    if not pixels and bpp == 3:
        return w, h, bpp, None, phys
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows, phys


def main():
    global PATH
    args = sys.argv[1:]
    density = None
    pixels = True
    if args[:1] == ["--density"]:
        density, args = float(args[1]), args[2:]
        if args[:1] == ["--no-pixels"]:
            pixels, args = False, args[1:]
    if not pixels:
        for PATH in args:
            check(PATH, density, False, [])
    else:
        PATH = args[0]
        check(PATH, density, True, args[1:])


def check(path, density, pixels, args):
    w, h, bpp, rows, phys = decode(open(path, "rb").read(), pixels)
    if density is not None:
        want = round(density * 72 / 0.0254)
        if not phys:
            fail("no pHYs chunk before the pixels: viewers cannot tell its density")
        if phys != (want, want, 1):
            fail(f"pHYs says {phys}, not {want} pixels per metre ({density:g}x 72 dpi)")
        if bpp == 4:
            clear = sum(row[x] != 255 for row in rows for x in range(3, w * 4, 4))
            if clear:
                fail(f"{clear} pixels are not fully opaque")
    min_w = int(args[0]) if len(args) > 0 else 100
    min_h = int(args[1]) if len(args) > 1 else 100
    if w < min_w or h < min_h:
        fail(f"only {w}x{h}")
    if rows is None:
        print(f"{path}: {w}x{h} opaque, {density:g}x density")
        return
    min_red = float(args[2]) if len(args) > 2 else 0
    counts, red = {}, 0
    for row in rows[::2]:
        for x in range(0, w * bpp, bpp * 2):
            px = row[x:x + 3]
            counts[px] = counts.get(px, 0) + 1
            red += px[0] > 170 and px[1] < 90 and px[2] < 90
    total = sum(counts.values())
    drawn = 1 - max(counts.values()) / total
    print(f"{w}x{h} colours={len(counts)} drawn={drawn:.3f} red={red / total:.4f}")
    if red / total < min_red:
        fail(f"only {red / total:.2%} of it is red")
    if len(counts) < 8:
        fail(f"only {len(counts)} colours: blank")
    if drawn < 0.02:
        fail(f"only {drawn:.1%} of it is drawn: blank")


main()
