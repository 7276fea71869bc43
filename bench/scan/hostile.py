#!/usr/bin/env python3
"""Hostile inputs for the scanner: a 1 GB zip bomb named .docx (honest and lying size headers), a truncated
PDF, a workbook with one cell at XFD1048576, a shared-string table of three million entries, an SVG nested
100,000 deep, and a large .txt for the memory check. Times `zeren scan --format json` on each and reports
peak memory.

usage: hostile.py ZEREN_BINARY OUT_DIR
"""

import json
import os
import resource
import struct
import subprocess
import sys
import time
import zlib


def bomb(path, size, declared):
    zeros = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH)
    middle = c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH)
    data = first + middle * (size // (1 << 20) - 1) + c.flush(zlib.Z_FINISH)
    name = b"word/document.xml"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(data), declared, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(data), declared,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    with open(path, "wb") as f:
        f.write(local + data + central + end)


def pdf(path):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    content = zlib.compress(b"BT /F1 12 Tf 72 800 Td (Tel 13812345678) Tj ET\n" * 2000)
    objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")
    out = b"%PDF-1.7\n"
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    with open(path, "wb") as f:
        f.write(out[: len(out) * 2 // 3])
    return len(out)


def xlsx(path, sheet, sst=None):
    import zipfile
    wb = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if sst is not None:
            z.writestr("xl/sharedStrings.xml", sst)


def run(binary, path):
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "scan", "--format", "json", path], capture_output=True, text=True)
    secs = time.perf_counter() - t
    rss_kb = int(p.stderr.strip().splitlines()[-1])
    return secs, rss_kb, p.stdout.strip()


def main():
    binary, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cases = []
    b1 = os.path.join(out, "bomb-honest.docx")
    bomb(b1, 1 << 30, 1 << 30)
    cases.append(("1 GB zip bomb as .docx, honest size header", b1))
    b2 = os.path.join(out, "bomb-lying.docx")
    bomb(b2, 1 << 30, 1000)
    cases.append(("1 GB zip bomb as .docx, header claims 1000 bytes", b2))
    tp = os.path.join(out, "truncated.pdf")
    pdf(tp)
    cases.append(("PDF cut at two thirds", tp))
    sparse = os.path.join(out, "sparse.xlsx")
    xlsx(sparse, '<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
         '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>13812345678</t></is></c></row></sheetData></worksheet>')
    cases.append(("workbook with one cell at XFD1048576", sparse))
    sst = os.path.join(out, "shared.xlsx")
    xlsx(sst, '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
         "<sst>" + "<si/>" * 3_000_000 + "</sst>")
    cases.append(("3,000,000 shared strings", sst))
    svg = os.path.join(out, "deep.svg")
    with open(svg, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg">' + "<g>" * 100_000 + "</g>" * 100_000 + "</svg>")
    cases.append(("SVG nested 100,000 deep", svg))
    clean = os.path.join(out, "clean.txt")
    big = os.path.join(out, "big.txt")
    if os.path.exists(clean):
        with open(big, "wb") as f:
            chunk = open(clean, "rb").read()
            for _ in range(8):
                f.write(chunk)
        cases.append(("%.0f MB .txt (memory check)" % (os.path.getsize(big) / 1e6), big))
        cases.append(("%.0f MB .txt (memory check)" % (os.path.getsize(clean) / 1e6), clean))
    print("| input | file size | time | peak RSS | result |")
    print("|---|---:|---:|---:|---|")
    for label, path in cases:
        secs, rss, res = run(binary, path)
        try:
            o = json.loads(res.splitlines()[0])
            res = o["unreadable"]["zh"] if "unreadable" in o else "%d findings" % len(o["findings"])
        except (ValueError, IndexError, KeyError):
            pass
        print("| %s | %.1f MB | %.3f s | %.1f MB | %s |" % (label, os.path.getsize(path) / 1e6, secs, rss / 1024,
                                                          res.replace("|", "/")[:120]))
    if os.path.exists(big):
        os.remove(big)


if __name__ == "__main__":
    main()
