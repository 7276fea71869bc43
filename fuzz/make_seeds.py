#!/usr/bin/env python3
"""Writes the small seed corpus (corpus/<target>/seed-*) the fuzz targets start from."""

import io
import os
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = "身份证号：11010519491231002X，手机+86 138 1234 5678，卡号6222 0212 3456 7890 123，机密★1年，内部资料，注意保存，护照E12345678\n".encode()


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def zipped(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, body in files:
            # A fixed timestamp keeps the seeds identical from one run to the next.
            info = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return b.getvalue()


def pdf():
    text = "Tel 13812345678 ID 11010519491231002X"
    cmap = b"begincmap 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <0020> endbfrange endcmap"
    content = zlib.compress(b"BT /F1 12 Tf 72 800 Td (" + text.encode() + b") Tj T* [(A) -300 (B)] TJ ET")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"]
    out = b"%PDF-1.7\n"
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return out


def main():
    put("detect", "roster", TEXT)
    put("detect", "fullwidth", "１３８１２３４５６７８　绝密★启用前\n【涉密】138****5678".encode())
    put("extract_txt", "utf8", TEXT)
    put("extract_txt", "gb18030", TEXT.decode().encode("gb18030"))
    put("extract_csv", "roster", "2024年名单\n姓名,身份证号,学号\n张三,110105491231002,13812345678\n\"a,\"\"b\"\"\",c\n".encode())
    put("extract_html", "table", ("<html><script>x</script><p>联系&nbsp;电话&#49;3812345678</p><table><tr><th>身份证号</th></tr>"
                                  "<tr><td>110105491231002</td></tr></table><!-- c --></html>").encode())
    w = 'xmlns:w="w"'
    doc = ("<w:document %s><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>手机</w:t></w:r></w:p></w:tc></w:tr>"
           "<w:tr><w:tc><w:p><w:r><w:t>13812345678</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>") % (w, TEXT.decode())
    put("extract_docx", "doc", zipped([("word/document.xml", doc), ("word/header1.xml", "<w:hdr %s><w:p><w:r><w:t>机密★1年</w:t></w:r></w:p></w:hdr>" % w)]))
    wb = '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    rels = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1.10105194912310E+17</v></c>'
             '<c r="B2" t="inlineStr"><is><t>13812345678</t></is></c></row></sheetData></worksheet>')
    put("extract_xlsx", "book", zipped([("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", rels),
                                        ("xl/sharedStrings.xml", "<sst><si><t>身份证号</t></si></sst>"),
                                        ("xl/worksheets/sheet1.xml", sheet)]))
    book = zipped([("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", rels),
                   ("xl/sharedStrings.xml", "<sst><si><t>身份证号</t></si></sst>"), ("xl/worksheets/sheet1.xml", sheet)])
    put("extract_docx", "embedded", zipped([("word/document.xml", doc), ("word/embeddings/Book1.xlsx", book),
                                            ("word/embeddings/oleObject1.bin", "x")]))
    put("extract_pdf", "simple", pdf())
    svg = ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><title>内部资料</title>'
           '<text x="1"><tspan>身份证号 11010519491231002X</tspan></text><path d="M1 2"/><style>.a{}</style></svg>')
    put("extract_svg", "logo", svg.encode())
    # scan_bytes: the first byte picks the name hint, the rest is the file.
    put("scan_bytes", "docx-as-news", b"\x00" + zipped([("word/document.xml", doc)]))
    put("scan_bytes", "book-as-docx", b"\x01" + book)
    put("scan_bytes", "pdf", b"\x03" + pdf())
    put("scan_bytes", "text-as-docx", b"\x01" + TEXT)
    put("scan_bytes", "svg", b"\x06" + svg.encode())
    put("scan_bytes", "png", b"\x00\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    put("read_grid", "book", book)
    put("read_grid", "csv", "姓名,身份证号\n张三,11010519491231002X\n".encode("gb18030"))
    sparse = ('<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="3"><c r="C3" t="inlineStr"><is><t>x</t></is></c></row>'
              '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    put("read_grid", "sparse", zipped([("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", rels), ("xl/worksheets/sheet1.xml", sparse)]))


if __name__ == "__main__":
    main()
