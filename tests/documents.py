"""Documents made for the reader tests: a PDF printed by headless Chromium, a .docx by python-docx,
and broken or hostile PDFs written by hand."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def _cannot_print_pdf() -> str:
    """Why this machine cannot print the PDF fixtures ("" when it can): Chromium, and a Chinese font,
    without which the printed text is boxes and no reader test means anything."""
    if not Path(CHROMIUM).exists():
        return "Debian chromium not installed (make test installs it as root)"
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        return "no Chinese font for Chromium to print with (make test installs fonts-wqy-zenhei as root)"
    return ""


CANNOT_PRINT_PDF = _cannot_print_pdf()
SOFFICE = shutil.which("soffice")
NO_OFFICE = "" if SOFFICE else "LibreOffice is not installed (make test installs libreoffice-writer-nogui as root)"


def _no_office_part(name: str) -> str:
    """Why LibreOffice cannot write `name`'s files here ("" when it can): the part (impress, calc) is not installed."""
    if NO_OFFICE:
        return NO_OFFICE
    registered = Path(SOFFICE).resolve().parent.parent / "share" / "registry" / f"{name}.xcd"
    return "" if registered.exists() else f"LibreOffice's {name} is not installed (make test installs libreoffice-{name}-nogui as root)"


NO_IMPRESS, NO_CALC = _no_office_part("impress"), _no_office_part("calc")


def office_convert(sources: list[Path], suffix: str, out_dir: Path) -> list[Path]:
    """`sources` written by LibreOffice as `suffix` files (.doc, .odt, .rtf: another program's files; .xml: Word 2003
    XML) in `out_dir`, with a profile of its own (a first run, as on a new machine)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        _OFFICE_FILTERS.get(suffix, suffix[1:]), "--outdir", str(out_dir), *map(str, sources)],
                       capture_output=True, timeout=600, check=True)
    return [out_dir / f"{source.stem}{suffix}" for source in sources]


_OFFICE_FILTERS = {".xml": "xml:MS Word 2003 XML", ".docm": "docm:MS Word 2007 XML VBA", ".dotx": "dotx:MS Word 2007 XML Template",
                   ".pptm": "pptm:Impress MS PowerPoint 2007 XML VBA", ".ppsx": "ppsx:Impress MS PowerPoint 2007 XML AutoPlay",
                   ".pps": "pps:MS PowerPoint 97 AutoPlay", ".xlsm": "xlsm:Calc MS Excel 2007 VBA XML"}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
]

HEADER = "测试行业发展报告（2024 年）"
STAMP = "sQrMrPmQnMtMrNbRaO6MtRoM"  # a re-distributor's tracking string, on every page
WRAPPED = (
    "测试行业近年来发展迅速，市场规模持续扩大，企业数量不断增加，行业集中度逐步提高，龙头企业的竞争优势更加明显，"
    "中小企业则在细分领域寻找机会，整个行业呈现出良性竞争的格局，这一段落故意写得很长，以便跨越页面的底部继续到下一页的顶部，"
    "检验阅读器能否把被分页截断的段落重新连接起来，并且不在中文字符之间插入任何空格。"
)

_CSS = """
@page { size: A5; margin: 0 }
body { font-family: "WenQuanYi Zen Hei", sans-serif; margin: 0 }
.page { height: 210mm; box-sizing: border-box; padding: 12mm 15mm; page-break-after: always; position: relative; overflow: hidden }
.head { font-size: 9pt; color: #555 } .stamp { font-size: 6pt; color: #ccc }
.foot { position: absolute; bottom: 8mm; left: 0; right: 0; text-align: center; font-size: 9pt }
h1 { font-size: 20pt } h2 { font-size: 14pt } h3 { font-size: 12pt } p { font-size: 10pt; line-height: 1.5 }
.cols { column-count: 2; column-gap: 8mm } .toc p { margin: 2pt 0 }
"""

# Page by page: the body of each page; page numbers in several styles.
PAGES = [
    ("", "<h1>2024年测试行业发展报告</h1><p>测试研究院 2024年6月</p>"),
    ("- 1 -", "<div class='toc'><h2>目录</h2>" + "".join(
        f"<p>{t} ........................................ {n}</p>" for t, n in
        (("一、行业概况", 2), ("（一）市场规模", 2), ("二、竞争格局", 3), ("三、发展趋势", 4))) + "</div>"),
    ("第 2 页", "<h2>一、行业概况</h2><h3>（一）市场规模</h3>"
     "<p>2023 年测试行业市场规模达到 1200 亿元，同比增长 15%，增速高于同期整体经济。</p>"
     f"<p>{WRAPPED[:150]}"),
    ("3/5", f"{WRAPPED[150:]}</p><h2>二、竞争格局</h2>"
     "<div class='cols'><p>左栏：头部企业占据约六成的市场份额，依靠规模优势和品牌效应持续扩张，议价能力较强。</p>"
     "<p>右栏：中小企业聚焦细分场景，以定制化服务和快速响应赢得客户，Open Source 社区贡献活跃。</p></div>"),
    ("4", "<h2>三、发展趋势</h2><p>未来五年，行业将加速向智能化转型，⼤模型技术的应用会带来新的增长点。</p>"),
]


def chromium_pdf(html_body: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "doc.html"
        page.write_text(f"<html><head><meta charset='utf-8'><style>{_CSS}</style></head><body>{html_body}</body></html>", encoding="utf-8")
        subprocess.run(
            [CHROMIUM, *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return out


def chromium_mhtml(page_html: str, out: Path) -> Path:
    """`page_html` opened in headless Chromium and saved as one file (MHTML), as a browser's 「save page as」 does, with a
    picture beside it (saved as a part of its own)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "page.html"
        page_file.write_text(page_html, encoding="utf-8")
        (Path(tmp) / "chart.png").write_bytes(_PNG)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            try:
                page = browser.new_page()
                page.goto(page_file.as_uri())
                snapshot = page.context.new_cdp_session(page).send("Page.captureSnapshot", {"format": "mhtml"})
            finally:
                browser.close()
    out.write_bytes(snapshot["data"].encode("utf-8"))
    return out


# A 1×1 PNG.
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6f0a10000000049454e44ae426082")


def word_mht(page_html: str, out: Path, charset: str = "gb2312") -> Path:
    """A web archive as Word writes one (「single file web page」, which office systems also export as 「.doc」): a MIME
    message whose first part is the page, quoted-printable in a Chinese code page, then a picture in base64."""
    from email import charset as charsets
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    code_page = charsets.Charset(charset)
    code_page.body_encoding = charsets.QP
    message = MIMEMultipart("related", type="text/html")
    in_code_page = page_html.encode(charset, "xmlcharrefreplace").decode(charset)  # &#169; for what it lacks, as Word writes ©
    message.attach(MIMEText(in_code_page, "html", code_page))
    message.attach(MIMEImage(_PNG, "png"))
    out.write_bytes(message.as_bytes())
    return out


def report_pdf(out: Path) -> Path:
    """Five pages with a running header, a tracking stamp, page numbers, a contents page, two columns,
    a paragraph across a page break and a Kangxi radical (⼤)."""
    body = "".join(
        f"<div class='page'><div class='head'>{HEADER if i else ''}</div><div class='stamp'>{STAMP}</div>{content}"
        f"<div class='foot'>{number}</div></div>"
        for i, (number, content) in enumerate(PAGES)
    )
    return chromium_pdf(body, out)


def report_pages_html() -> str:
    return "".join(
        f"<div class='page'><div class='head'>{HEADER if i else ''}</div>{content}<div class='foot'>{number}</div></div>"
        for i, (number, content) in enumerate(PAGES)
    )


def scanned_pdf(html_body: str, out: Path, title: str = "", scale: float = 2.0) -> Path:
    """`html_body`'s pages (each a div of class page) as a scanner makes a PDF of paper: each page a greyscale picture
    (Chromium's screenshot of it, about 190 dpi at scale 2) and no text layer."""
    import io

    from PIL import Image
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "doc.html"
        page_file.write_text(f"<html><head><meta charset='utf-8'><style>{_CSS}</style></head><body>{html_body}</body></html>", encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            try:
                page = browser.new_page(viewport={"width": 560, "height": 800}, device_scale_factor=scale)
                page.goto(page_file.as_uri())
                shots = [Image.open(io.BytesIO(div.screenshot())).convert("L") for div in page.query_selector_all(".page")]
            finally:
                browser.close()
    dpi = shots[0].width / (148 / 25.4)  # the pages are A5, 148 mm wide
    shots[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=shots[1:], title=title)
    return out


def unnumbered_headings_pdf(out: Path) -> Path:
    """A broker-style report: unnumbered headings set like body text (bold, same size), listed on a
    contents page that also lists a figure; the heading lines run straight into their paragraphs."""
    toc = "".join(
        f"<p>{t} ........................................ {n}</p>"
        for t, n in (("市场回顾与本文概述", 2), ("策略在多个指数上表现更优", 2), ("行业轮动中的应用", 3), ("图表 1：策略净值对比", 2))
    )
    para = "我们利用短期指标和长期指标的领先滞后关系构造择时策略，回测显示其在牛市中能够及时入场，在震荡市中净值保持稳定。"
    pages = [
        f"<div class='toc'><h2>正文目录</h2>{toc}</div>",
        f"<p><b>市场回顾与本文概述</b></p><p>{para}</p><p><b>策略在多个指数上表现更优</b></p>"
        "<p>图表 1：策略净值对比</p><p>在上证 50 指数上，策略的年化收益率高于基准，最大回撤明显更小，交易频率适中。</p>",
        "<p><b>行业轮动中的应用</b></p><p>按月度指标变化率筛选强势行业，组合的超额收益稳定，换手率可控。</p>",
    ]
    return chromium_pdf("".join(f"<div class='page'>{p}</div>" for p in pages), out)


def numbered_contents_pdf(out: Path) -> Path:
    """A white paper whose contents page (titled 目 录, no dot leaders, page numbers apart) numbers
    the chapters that the body heads with their words alone."""
    toc = "".join(f"<p>{t}</p>" for t in ("一、编制背景", "（一）政策要求", "（二）面临挑战", "二、工作实践", "（一）总体流程"))
    toc += "<p>01</p><p>05</p><p>目 录</p>"
    pages = [
        toc,
        "<h2>编制背景</h2><h3>（一）政策要求</h3><p>国家出台了多项数据安全法规，要求对数据实行分类分级保护，并制定重要数据目录。</p>"
        "<h3>（二）面临挑战</h3><p>测试示范区的数据来源多、类型杂，参与方众多，安全责任边界不够清晰。</p>",
        "<h2>工作实践</h2><h3>（一）总体流程</h3><p>数据分类分级工作分为数据资产盘点、数据分类、数据分级和安全管理四个步骤。</p>",
    ]
    return chromium_pdf("".join(f"<div class='page'>{p}</div>" for p in pages), out)


FOOTNOTE = "[1] Royal Society. (2019). Protecting privacy in practice. https://royalsociety.org/"


def large_type_pdf(out: Path) -> Path:
    """A slide-like report: no outline and no numbered chapters; its sections are headed by lines in
    larger type, repeated at the foot of the section's later pages (or drawn atop a page and written
    after its text); a cover and a chapter divider (title, bullet list of its sections) in large type with no body text; numbered bold
    sub-headings in type between, one wrapped over two lines; figure labels; a footnote in small type; a last page
    whose headings are written after their text."""
    body = "这一段是正文，用来占满页面的主体文字，字号与其他正文相同，并且包含足够多的汉字以便被识别为正文内容。"
    foot = lambda title: f"<p style='font-size:16pt;font-weight:bold'>{title}</p>"  # noqa: E731
    pages = [
        "<p style='font-size:30pt'>隐私计算行业研究报告</p><p style='font-size:16pt'>测试研究院</p>",
        "<p style='font-size:30pt'>掘金</p><p style='font-size:20pt'>新型生产要素数据迎来政策红利</p>"
        "<p style='font-size:14pt'>• 底层价值：应对数据隐私挑战</p><p style='font-size:14pt'>• 市场回响：投融资势头强劲</p>"
        + "".join(f"<p style='font-size:9.2pt'>• {t}</p>" for t in ("安全多方计算（MPC）", "同态加密（HE）", "差分隐私（DP）", "零知识证明（ZK）", "联邦学习（FL）", "可信任执行环境（TEE）")),
        f"{foot('底层价值：应对数据隐私挑战')}<p>数据隐私日渐从社会讨论落地为法律。{body}</p>"
        f"<p style='font-size:12pt;font-weight:bold'>2.数据安全：价值底座</p><p>数据安全指数据免于滥用。{body}</p>"
        "<p>为隐私计算理论</p><p>标准与行业标准提供理论支持。</p>"
        f"<p style='position:absolute;bottom:6mm;font-size:6pt'>{FOOTNOTE}</p>",
        f"<p>数据安全实践仍在推进。{body}</p>"
        "<div style='font-size:8pt'><p>• 针对体系化需求</p><p>场景，提出隐私计算理论</p><p>• 关键技术体系包</p>"
        "<p>含框架、形式化定义</p></div>"
        f"{foot('底层价值：应对数据隐私挑战')}",
        f"{foot('市场回响：投融资势头强劲')}<p>隐私计算赛道的投融资持续升温。{body}</p>"
        "<p>融资金额增加 2.68 倍<sup style='font-size:6pt'>2</sup>，其中 H<sub style='font-size:6pt'>2</sub>O 项目居多。</p>",
        # A section title drawn atop the page but written after its text; a title wrapped over two lines;
        # the page's text set half a point larger than the body's.
        f"<p style='margin-top:20mm;font-size:10.5pt'>应用正在多个行业加速落地。{body}</p>"
        "<p style='font-size:12pt;font-weight:bold;width:62mm'>1.底层技术相对成熟，产品化能力成为核心竞争力</p>"
        f"<p style='font-size:10.5pt'>产品化能力决定了项目交付的速度。{body}</p>"
        "<p style='position:absolute;top:8mm;font-size:16pt;font-weight:bold'>前景展望：应用加速落地</p>",
        # A last page in type a little smaller than the body's, each heading above its text but written after it.
        "".join(
            f"<div style='position:relative;padding-top:12mm'><p style='font-size:9.2pt'>{text}{body}</p>"
            f"<p style='position:absolute;top:0;margin:0;font-size:16pt;font-weight:bold'>{title}</p></div>"
            for title, text in (("关于测试研究院", "测试研究院成立于 2010 年，专注于数据安全研究。"), ("免责声明", "本报告所载数据仅供参考。"))
        ),
    ]
    return chromium_pdf("".join(f"<div class='page'>{p}</div>" for p in pages), out)


def regulation_pdf(out: Path) -> Path:
    """A regulation: chapters, articles set 「第一条　…」 with items and a second clause, one article's
    last line reaching the margin right before the next article."""
    aim = "为规范小额贷款公司经营行为，防范金融风险，保护借款人的合法权益，促进小额贷款行业健康发展，根据有关法律、行政法规，制定本办法。"
    return chromium_pdf(
        "<h1>小额贷款公司管理办法</h1><h2>第一章　总则</h2>"
        f"<p>第一条　{aim}{aim}</p>"
        "<p>第二条　小额贷款公司应当遵循小额、分散的原则，同一借款人的贷款余额不得超过公司净资产的百分之十，"
        "对同一借款人及其关联方的贷款余额不得超过公司净资产的百分之十五。</p>"
        "<h2>第二章　设立</h2><p>第三条　设立小额贷款公司，应当具备下列条件：</p>"
        "<p>（一）有符合《中华人民共和国公司法》和本办法规定的章程；</p><p>（二）注册资本不低于人民币一亿元，且为实缴货币资本；</p>"
        f"<p>第四条　小额贷款公司变更名称、注册资本、住所的，应当报监督管理部门批准。{aim}</p>"
        "<p>监督管理部门应当自受理申请之日起二十日内作出批准或者不批准的书面决定，并说明理由。</p>"
        f"<p>第五条　{aim}</p>",
        out,
    )


def image_only_pdf(out: Path) -> Path:
    """Two pages with no text layer, as a scan."""
    dot = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    img = f"<img src='data:image/png;base64,{dot}' style='width:100mm;height:100mm'>"
    return chromium_pdf(f"<div class='page'>{img}</div><div class='page'>{img}</div>", out)


def encrypted_pdf(source: Path, out: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-128")
    with open(out, "wb") as f:
        writer.write(f)
    return out


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the given objects (1-based), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _utf16(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().encode() + b">"


def symbol_bullets_pdf(out: Path) -> Path:
    """A lead-in and two items whose bullets are a Wingdings glyph: its code is the letter "l"."""
    content = b"BT /F1 12 Tf 50 800 Td " + _utf16("安全分析：") + b" Tj ET\n"
    for y, item in ((780, "数据不会离开本地；"), (760, "只交换密文。")):
        content += b"BT /F2 12 Tf 50 %d Td (l) Tj /F1 12 Tf 12 0 Td " % y + _utf16(item) + b" Tj ET\n"
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        # Adobe's STSong, not embedded: Chinese by Unicode code, as pypdf reads it without a font file.
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Wingdings-Regular >>",
    ]))
    return out


def spaced_cells_pdf(out: Path) -> Path:
    """A table whose 夏普比率 and 最大回撤 cells lie less than a type size apart with a space glyph between them, as
    Word writes them (htsc's 「1.0672 -27.09%」): the space, the minus and the figure each a text object of its own."""
    header = ((100, "类别"), (345, "夏普比率"), (393.7, "最大回撤"), (450, "交易盈亏比"))
    rows = (("直接牛熊", "1.0672", " ", "-", "27.09%", "3.0894"), ("双均线", "0.7494", " ", "-", "37.08%", "1.9131"),
            ("指数本身", "0.5386", " ", "-", "52.60%", "2.4490"))
    xs = (100, 359.4, 383.8, 391.0, 393.7, 450)
    content = b""
    for cells, y in zip((header, *(tuple(zip(xs, row)) for row in rows)), range(700, 600, -12)):
        for x, text in cells:
            if text:
                content += b"BT /F1 8 Tf 1 0 0 1 %.1f %d Tm " % (x, y) + _utf16(text) + b" Tj ET\n"
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>",
    ]))
    return out


def bold_labels_pdf(out: Path) -> Path:
    """Paragraphs under labels set in a bold face at the text's size, as bj_av sets 「DSAL1安全要求」: a regular and a
    bold font (Chinese by Unicode code, as pypdf reads it without a font file); the second label's paragraph opens
    with a sentence in bold too. The third label is the regular font filled and stroked (render mode 2), as Word
    sets in bold a font without a bold face (htsc's KaiTi summary titles), and longer. Last, a paragraph whose first
    line is in bold (caict's opening sentences): it wraps on, as wide as the line after it. Then a label in bold wrapped
    over two lines, the first to the margin (cbi's case titles), and two labels stacked (htsc's disclaimer)."""
    lines = (
        ("F1", "数据安全等级保障是以最大限度消除数据安全问题可能产生的危害为目的，依据数据"),
        ("F1", "等级制定不同强度的保障等级，并对不同等级的数据分别使用对应的保障手段。"),
        ("F2", "DSAL1安全要求"),
        ("F1", "在数据采集方面，应遵循最小化采集原则，仅采集业务必须的最少数据。对数据源进"),
        ("F1", "行身份鉴别，防止数据源假冒或伪造。"),
        ("F2", "DSAL2安全要求"),
        ("F2", "在数据采集方面与DSAL1安全要求相同。在数据存储方面，除满足DSAL1安全要求外"),
        ("F1", "还需在云端和终端设备上对数据进行加密。"),
        ("F1 stroked", "指数配置策略利用牛熊指标对成分股择时结果确定配置比例，效果较好"),
        ("F1", "将牛熊择时策略使用在同一指数下的所有成分股之上，并根据策略所给出的做多成"),
        ("F1", "分股占所有成分股比例决定指标配置仓位。"),
        ("F2", "在数字化投入体量方面，从投入规模看，二产数字化投入规模明"),
        ("F1", "显大于一产、三产，其中，数字化投入规模最大。"),
        ("F2", "案例：保障数据合规应用、挖掘数据要素红利，洞见科技助力国内首个省级政务数据隐私计算平台建设工作"),
        ("F2", "与运营实践"),
        ("F1", "案例背景：国内各地数据平台、数据交易中心处于蓬勃建设热潮中。"),
        ("F2", "针对美国司法管辖区的声明"),
        ("F2", "美国法律法规要求之一般披露"),
        ("F1", "本研究报告由华泰证券股份有限公司编制，在美国由其联营公司向机构投资者分发。"),
    )
    content = b"".join(
        b"q BT %s/%s 10 Tf 1 0 0 1 50 %d Tm " % (b"2 Tr " if " stroked" in font else b"", font.split()[0].encode(), 780 - 18 * i)
        + _utf16(text) + b" Tj ET Q\n"
        for i, (font, text) in enumerate(lines)
    )
    cid = b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>"
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+MicrosoftYaHei /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /ABCDEF+MicrosoftYaHei" + cid,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEG+MicrosoftYaHei-Bold /Encoding /UniGB-UCS2-H /DescendantFonts [8 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /ABCDEG+MicrosoftYaHei-Bold" + cid,
    ]))
    return out


def smartart_docx(out: Path, lead: str, boxes: list[str], after: str) -> Path:
    """A Word document with a SmartArt diagram as Word stores one: its boxes' text in a data part of its own
    (word/diagrams/data1.xml) that a drawing in an empty paragraph points to (r:dm), beside the points that are the
    diagram itself, the lines between boxes and their drawing, which hold no text."""
    dgm, a = "http://schemas.openxmlformats.org/drawingml/2006/diagram", "http://schemas.openxmlformats.org/drawingml/2006/main"
    empty = "<dgm:t><a:bodyPr/><a:p><a:endParaRPr/></a:p></dgm:t>"
    points = [f'<dgm:pt modelId="{{0}}" type="doc">{empty}</dgm:pt>']
    for i, box in enumerate(boxes, 1):
        points += [
            f'<dgm:pt modelId="{{{i}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p><a:r><a:t>{box}</a:t></a:r></a:p></dgm:t></dgm:pt>',
            f'<dgm:pt modelId="{{t{i}}}" type="parTrans">{empty}</dgm:pt>',
            f'<dgm:pt modelId="{{s{i}}}" type="pres"><dgm:prSet presName="node"/><dgm:spPr/></dgm:pt>',
        ]
    data = f'<dgm:dataModel xmlns:dgm="{dgm}" xmlns:a="{a}"><dgm:ptLst>{"".join(points)}</dgm:ptLst><dgm:cxnLst/></dgm:dataModel>'
    return _drawing_docx(
        out, "一、业务流程", lead, after, "/word/diagrams/data1.xml", data, "diagramData", dgm,
        f'<dgm:relIds xmlns:dgm="{dgm}" xmlns:r="{_RELATIONSHIPS}" r:dm="{{rid}}" r:lo="" r:qs="" r:cs=""/>',
    )


def _drawing_docx(out: Path, heading: str, lead: str, after: str, name: str, data: str, kind: str, uri: str,
                  graphic: str) -> Path:
    """A Word document whose drawing, in an empty paragraph between two of text, points to a part of its own holding
    `data` (its kind's content and relationship type); `graphic`: the drawing's element naming the part ({rid})."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    content_types = {"diagramData": "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml",
                     "chart": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"}
    word = docx.Document()
    word.add_heading(heading, 1)
    word.add_paragraph(lead)
    part = Part(PackURI(name), content_types[kind], data.encode("utf-8"), word.part.package)
    rid = word.part.relate_to(part, f"{_RELATIONSHIPS}/{kind}")
    word.add_paragraph()._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:drawing>'
        '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        '<wp:extent cx="5486400" cy="3200400"/><wp:docPr id="1" name="图 1"/>'
        f'<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="{uri}">'
        f'{graphic.format(rid=rid)}</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    ))
    word.add_paragraph(after)
    word.save(out)
    return out


_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def chart_docx(out: Path, lead: str, title: str, axis: str, series: list[tuple[str, str, list[float]]], labels: list[str],
               after: str) -> Path:
    """A Word document with a bar chart as Word stores one: its title, axis title and the cells it plots cached in a
    part of its own (word/charts/chart1.xml) that a drawing in an empty paragraph points to (c:chart r:id)."""
    c = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    return _drawing_docx(
        out, "一、市场规模", lead, after, "/word/charts/chart1.xml", chart_xml(title, axis, series, labels), "chart", c,
        f'<c:chart xmlns:c="{c}" xmlns:r="{_RELATIONSHIPS}" r:id="{{rid}}"/>',
    )


def chart_xml(title: str, axis: str, series: list[tuple[str, str, list[float]]], labels: list[str]) -> str:
    """A bar chart's part (DrawingML, as Word and PowerPoint write it): its title, the category axis' title, and each
    series (name, number format, values) over the same labels, cached as the workbook's cells."""
    c, a = "http://schemas.openxmlformats.org/drawingml/2006/chart", "http://schemas.openxmlformats.org/drawingml/2006/main"

    def rich(text: str) -> str:
        return f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></c:rich></c:tx></c:title>"

    def cache(kind: str, cells: list, code: str = "") -> str:
        points = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(cells))
        return f'<c:{kind}>{f"<c:formatCode>{code}</c:formatCode>" if code else ""}<c:ptCount val="{len(cells)}"/>{points}</c:{kind}>'

    sers = "".join(
        f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>Sheet1!$B$1</c:f>{cache("strCache", [name])}</c:strRef></c:tx>'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A$9</c:f>{cache("strCache", labels)}</c:strRef></c:cat>'
        f'<c:val><c:numRef><c:f>Sheet1!$B$2:$B$9</c:f>{cache("numCache", values, code)}</c:numRef></c:val></c:ser>'
        for i, (name, code, values) in enumerate(series)
    )
    return (
        f'<c:chartSpace xmlns:c="{c}" xmlns:a="{a}"><c:chart>{rich(title)}<c:autoTitleDeleted val="0"/><c:plotArea>'
        f'<c:barChart><c:barDir val="col"/>{sers}<c:axId val="1"/><c:axId val="2"/></c:barChart>'
        f'<c:catAx><c:axId val="1"/>{rich(axis)}<c:crossAx val="2"/></c:catAx><c:valAx><c:axId val="2"/><c:crossAx val="1"/></c:valAx>'
        "</c:plotArea></c:chart></c:chartSpace>"
    )


def word97_doc(out: Path, pieces: list[tuple[str, bool]], flags: int = 0x0200, version: int = 0x00C1,
               title: str = "", damaged_properties: bool = False) -> Path:
    """A Word 97-2003 .doc as [MS-DOC] and [MS-CFB] lay one out: a compound file of two streams, WordDocument (the FIB,
    then the text) and 1Table (the CLX: the piece table saying where each run of the text lies). Each piece is text,
    UTF-16 or, when compressed, 8-bit at half its offset, as Word stores Latin runs; `flags`: the FIB's (0x0200: the
    table stream is 1Table; 0x0100: encrypted); `version`: its nFib (Word 97's is 0xC1); `title`: a title in GBK stored in
    the file's properties (a SummaryInformation stream, [MS-OLEPS]), with a property after it `damaged_properties`
    (a vector of a type no one knows claiming 3.4 billion values, as a flipped byte made one)."""
    text_at, data = 0x800, b""
    places, positions = [], [0]
    for text, compressed in pieces:
        places.append((0x40000000 | (text_at + len(data)) * 2) if compressed else text_at + len(data))
        data += text.encode("cp1252") if compressed else text.encode("utf-16-le")
        positions.append(positions[-1] + len(text))
    word = bytearray(max(4096, text_at + len(data)))
    struct.pack_into("<HH", word, 0, 0xA5EC, version)
    struct.pack_into("<H", word, 0x0A, flags)
    struct.pack_into("<H", word, 0x20, 14)  # fibRgW: 14 shorts
    struct.pack_into("<H", word, 0x3E, 22)  # fibRgLw: 22 longs, ccpText the fourth
    struct.pack_into("<i", word, 0x4C, positions[-1])
    struct.pack_into("<H", word, 0x98, 93)  # fibRgFcLcb97: 93 pairs, fcClx/lcbClx the 34th
    word[text_at : text_at + len(data)] = data
    plc = struct.pack(f"<{len(positions)}I", *positions) + b"".join(struct.pack("<HIH", 0, fc, 0) for fc in places)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, 0x9A + 8 * 33, 0, len(clx))
    table = clx + bytes(4096 - len(clx))
    streams = {"WordDocument": bytes(word), "1Table": table}
    if title:
        streams["\x05SummaryInformation"] = _summary_information(title, damaged_properties)
    out.write_bytes(compound_file(streams))
    return out


def _summary_information(title: str, damaged: bool = False) -> bytes:
    """A SummaryInformation stream ([MS-OLEPS]) holding `title` in GBK (code page 936), and after it, when `damaged`, a
    vector of a type no one knows claiming 3.4 billion values (as a flipped byte made one)."""
    value = title.encode("gbk") + b"\0"
    value += bytes(-len(value) % 4)
    places = struct.pack("<IIIIII", 1, 32, 2, 40, 12, 48 + len(value))
    properties = places + struct.pack("<HHhH", 2, 0, 936, 0) + struct.pack("<II", 0x1E, len(value)) + value
    properties += struct.pack("<II", 0x5440 if damaged else 0x40, 0xCD000000 if damaged else 0) + bytes(8)
    section = struct.pack("<II", 8 + len(properties), 3) + properties
    fmtid = bytes.fromhex("E0859FF2F94F6810AB9108002B27B3D9")
    summary = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + bytes(16) + struct.pack("<I", 1) + fmtid + struct.pack("<I", 48) + section
    return summary + bytes(4096 - len(summary))


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file ([MS-CFB] version 3, 512-byte sectors) of streams of 4,096 bytes or more (none in the mini
    stream): sector 0 the FAT, 1 the directory, then each stream's sectors in a row."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat, body, starts = [fat_sector, end], b"", []
    for data in streams.values():
        data += bytes(-len(data) % 512)
        first, count = len(fat), len(data) // 512
        starts.append(first)
        fat += [*range(first + 1, first + count), end]
        body += data
    assert len(fat) <= 128, "one FAT sector maps 128 sectors"
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0) + struct.pack("<108I", *[free] * 108)
    )

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded + bytes(64 - len(encoded)) + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
                + bytes(36) + struct.pack("<IQ", start, size))

    names = list(streams)  # the first the tree's root, the others its left siblings in a row (shorter names sort first)
    directory = entry("Root Entry", 5, free, free, 1, end, 0) + b"".join(
        entry(name, 2, i + 2 if i + 1 < len(names) else free, free, free, starts[i], len(streams[name]))
        for i, name in enumerate(names)
    )
    directory += bytes(-len(directory) % 512)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack(f"<{128 - len(fat)}I", *[free] * (128 - len(fat)))
    return header + fat_bytes + directory + body


def powerpoint97_ppt(out: Path, slides: list[dict], title: str = "", encrypted: bool = False) -> Path:
    """A PowerPoint 97-2003 deck laid out as PowerPoint writes one ([MS-PPT]): the slides' title and body text in the
    document's slide list, each slide's placeholders referring to it (OutlineTextRefAtom); other text boxes hold their
    text (UTF-16, or 8-bit for Latin text), placed by their anchors; a date placeholder; speaker notes on notes pages; the
    Current User stream pointing to the last edit, whose persist directory says where each record lies. A slide is a dict:
    title, body (paragraphs), boxes ((top, text) each), notes, hidden, date. `encrypted`: the edit names an encryption
    session, as a deck saved with a password does."""

    def record(kind: int, body: bytes, instance: int = 0, container: bool = False) -> bytes:
        return struct.pack("<HHI", (instance << 4) | (0x0F if container else 0), kind, len(body)) + body

    def text(kind: int, value: str) -> bytes:
        header = record(0x0F9F, struct.pack("<I", kind))
        if value.isascii():
            return header + record(0x0FA8, value.encode("latin-1"))
        return header + record(0x0FA0, value.encode("utf-16-le"))

    def shape(top: int, left: int, box: bytes, placement: int | None = None) -> bytes:
        anchor = record(0xF010, struct.pack("<hhhh", top, left, top + 100, left + 500))
        data = record(0xF011, record(0x0BC3, struct.pack("<IBBH", 0, placement, 0, 0)), container=True) if placement else b""
        return record(0xF004, record(0xF00A, struct.pack("<II", 1, 0)) + anchor + data + record(0xF00D, box, container=True),
                      container=True)

    def drawing(shapes: bytes) -> bytes:
        return record(0x040C, record(0xF002, record(0xF003, shapes, container=True), container=True), container=True)

    def persist_atom(ref: int, texts: int, slide_id: int) -> bytes:
        return record(0x03F3, struct.pack("<IIIII", ref, 0, texts, slide_id, 0))

    # persist ids: 1 the document, then each slide and its notes page in a row; slide ids 256 + i, notes pages' 512 + i
    slide_list, notes_list, objects = b"", b"", {}
    for i, slide in enumerate(slides):
        ref = len(objects) + 2
        outline = [(0, slide["title"])] + ([(1, "\r".join(slide["body"]))] if slide.get("body") else [])
        slide_list += persist_atom(ref, len(outline), 256 + i) + b"".join(text(kind, value) for kind, value in outline)
        shapes = record(0xF004, record(0xF009, bytes(16)) + record(0xF00A, struct.pack("<II", 0, 5)), container=True)
        shapes += b"".join(shape(100 + 1000 * n, 100, record(0x0F9F, struct.pack("<I", kind)) + record(0x0F9E, struct.pack("<I", n)),
                                 13 + n) for n, (kind, _) in enumerate(outline))
        shapes += b"".join(shape(top, 200, text(4, value)) for top, value in slide.get("boxes", []))
        if slide.get("date"):
            shapes += shape(5000, 100, text(4, slide["date"]), 7)
        atom = record(0x03EF, struct.pack("<iIIIIHH", 1, 0, 0, 0x80000000, 512 + i if slide.get("notes") else 0, 0, 0))
        shown = record(0x03F9, struct.pack("<IIBBHB3x", 0, 0, 0, 0, 0x0004 if slide.get("hidden") else 0, 0))
        objects[ref] = record(0x03EE, atom + shown + drawing(shapes), container=True)
        if slide.get("notes"):
            notes_list += persist_atom(ref + 1, 0, 512 + i)
            objects[ref + 1] = record(0x03F0, record(0x03F1, struct.pack("<IHH", 256 + i, 0, 0))
                                      + drawing(shape(100, 100, text(2, slide["notes"]), 12)), container=True)
    objects[1] = record(0x03E8, record(0x03E9, bytes(40)) + record(0x0FF0, slide_list, 0, True)
                        + (record(0x0FF0, notes_list, 2, True) if notes_list else b""), container=True)
    stream, offsets = b"", {}
    for ref in sorted(objects):
        offsets[ref] = len(stream)
        stream += objects[ref]
    directory_at = len(stream)
    refs = sorted(offsets)
    stream += record(0x1772, struct.pack("<I", refs[0] | (len(refs) << 20)) + struct.pack(f"<{len(refs)}I", *(offsets[r] for r in refs)))
    edit_at = len(stream)
    edit = struct.pack("<IHBBIIIIHH", 256, 0, 0, 3, 0, directory_at, 1, max(refs) + 1, 1, 0) + (struct.pack("<I", 99) if encrypted else b"")
    stream += record(0x0FF5, edit)
    current = record(0x0FF6, struct.pack("<IIIHHHBBH", 0x14, 0xF3D1C4DF if encrypted else 0xE391C05F, edit_at, 0, 0x03F4, 3, 0, 0, 0))
    streams = {"PowerPoint Document": stream + bytes(max(0, 4096 - len(stream))), "Current User": current + bytes(4096 - len(current))}
    if title:
        streams["\x05SummaryInformation"] = _summary_information(title)
    out.write_bytes(compound_file(streams))
    return out


def pptx_deck(out: Path, slides: list[str], title: str = "", charts: dict[str, str] | None = None,
              notes: dict[str, str] | None = None) -> Path:
    """A PowerPoint deck as PowerPoint stores one: ppt/presentation.xml listing its slides by relationship id, each
    slide's shapes in ppt/slides/slideN.xml (`slides`: each one's p:spTree content, hidden when it opens with
    "hidden:"), a chart's part a slide's rId9 points to (`charts`: slide file name → chart XML), a notes page rId8
    points to (`notes`: slide file name → its notes page's p:spTree content), the title in docProps/core.xml."""
    p, a = "http://schemas.openxmlformats.org/presentationml/2006/main", "http://schemas.openxmlformats.org/drawingml/2006/main"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(out, "w") as deck:
        deck.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
        deck.writestr("ppt/presentation.xml", f'<p:presentation xmlns:p="{p}" xmlns:r="{_RELATIONSHIPS}"><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>')
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_RELATIONSHIPS}/slide" Target="slides/slide{i + 1}.xml"/>' for i in range(len(slides)))
        deck.writestr("ppt/_rels/presentation.xml.rels", f'<Relationships xmlns="{package}">{rels}</Relationships>')
        for i, shapes in enumerate(slides, 1):
            shown = ' show="0"' if shapes.startswith("hidden:") else ""
            deck.writestr(f"ppt/slides/slide{i}.xml", (
                f'<p:sld xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{_RELATIONSHIPS}"{shown}><p:cSld><p:spTree>'
                f'{shapes.removeprefix("hidden:")}</p:spTree></p:cSld></p:sld>'
            ))
            chart, spoken = (charts or {}).get(f"slide{i}.xml"), (notes or {}).get(f"slide{i}.xml")
            related = ""
            if chart:
                deck.writestr(f"ppt/charts/chart{i}.xml", chart)
                related += f'<Relationship Id="rId9" Type="{_RELATIONSHIPS}/chart" Target="../charts/chart{i}.xml"/>'
            if spoken:
                deck.writestr(f"ppt/notesSlides/notesSlide{i}.xml", (
                    f'<p:notes xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree>{spoken}</p:spTree></p:cSld></p:notes>'
                ))
                related += f'<Relationship Id="rId8" Type="{_RELATIONSHIPS}/notesSlide" Target="../notesSlides/notesSlide{i}.xml"/>'
            if related:
                deck.writestr(f"ppt/slides/_rels/slide{i}.xml.rels", f'<Relationships xmlns="{package}">{related}</Relationships>')
        if title:
            deck.writestr("docProps/core.xml", (
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>'
            ))
    return out


def slide_text(text: list[str], y: int, placeholder: str = "", x: int = 0) -> str:
    """A text shape at (x, y) on a slide, a paragraph a line, a \\n in it a line break (a placeholder's type: title…)."""
    ph = f'<p:ph type="{placeholder}"/>' if placeholder else ""
    broken = "</a:t></a:r><a:br/><a:r><a:t>"
    paragraphs = "".join(f"<a:p><a:r><a:t>{line.replace(chr(10), broken)}</a:t></a:r></a:p>" for line in text)
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="1" name="s"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr>'
            f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="100" cy="100"/></a:xfrm></p:spPr>'
            f"<p:txBody><a:bodyPr/>{paragraphs}</p:txBody></p:sp>")


def slide_picture(alt: str, y: int) -> str:
    """A picture on a slide with its alt text (descr)."""
    return (f'<p:pic><p:nvPicPr><p:cNvPr id="4" name="图片 4" descr="{alt}"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
            f'<p:blipFill/><p:spPr><a:xfrm><a:off x="0" y="{y}"/><a:ext cx="100" cy="100"/></a:xfrm></p:spPr></p:pic>')


def slide_table(rows: list[list[str]], y: int) -> str:
    cells = "".join("<a:tr>" + "".join(f"<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>{c}</a:t></a:r></a:p></a:txBody></a:tc>" for c in row) + "</a:tr>" for row in rows)
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="2" name="t"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
            f'<p:xfrm><a:off x="0" y="{y}"/><a:ext cx="100" cy="100"/></p:xfrm><a:graphic><a:graphicData '
            f'uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl>{cells}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>')


def slide_chart(y: int) -> str:
    """A chart's frame on a slide, pointing to the chart part by rId9."""
    c = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="3" name="c"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
            f'<p:xfrm><a:off x="0" y="{y}"/><a:ext cx="100" cy="100"/></p:xfrm><a:graphic><a:graphicData uri="{c}">'
            f'<c:chart xmlns:c="{c}" r:id="rId9"/></a:graphicData></a:graphic></p:graphicFrame>')


def xlsx_workbook(out: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None,
                  hidden: tuple[str, ...] = (), title: str = "") -> Path:
    """An Excel workbook as Excel stores one: xl/workbook.xml naming its sheets by relationship id, text in
    xl/sharedStrings.xml, number formats in xl/styles.xml (style 1 a percentage 0.0%, style 2 a date yyyy"年"m"月"d"日"),
    each sheet's cells in xl/worksheets/sheetN.xml. A cell is a str (shared text), a number, or (number, style); a
    sheet's `merged` ranges (A1:C1) hold their value in the first cell only, as Excel writes them."""
    s, r = "http://schemas.openxmlformats.org/spreadsheetml/2006/main", _RELATIONSHIPS
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    strings: list[str] = []
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"{_HIDDEN if name in hidden else ""}/>'
            for i, name in enumerate(sheets, 1)
        )
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{s}" xmlns:r="{r}"><sheets>{entries}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{r}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{package}">{rels}</Relationships>')
        for i, (name, rows) in enumerate(sheets.items(), 1):
            xml_rows = []
            for n, row in enumerate(rows, 1):
                cells = []
                for j, cell in enumerate(row):
                    ref = f"{chr(65 + j)}{n}"
                    if isinstance(cell, str):
                        strings.append(cell)
                        cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
                    elif cell is not None:
                        number, style = cell if isinstance(cell, tuple) else (cell, 0)
                        cells.append(f'<c r="{ref}" s="{style}"><v>{number}</v></c>')
                xml_rows.append(f'<row r="{n}">{"".join(cells)}</row>')
            merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in (merged or {}).get(name, []))
            book.writestr(f"xl/worksheets/sheet{i}.xml", (
                f'<worksheet xmlns="{s}"><sheetData>{"".join(xml_rows)}</sheetData>'
                f'{f"<mergeCells>{merges}</mergeCells>" if merges else ""}</worksheet>'
            ))
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{s}">' + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
        book.writestr("xl/styles.xml", (
            f'<styleSheet xmlns="{s}"><numFmts><numFmt numFmtId="164" formatCode="0.0%"/>'
            '<numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>'
        ))
        if title:
            book.writestr("docProps/core.xml", (
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>'
            ))
    return out


_HIDDEN = ' state="hidden"'


def xls_workbook(out: Path, sheets: dict[str, list[list]], merged: dict[str, list[tuple[int, int, int, int]]] | None = None,
                 hidden: tuple[str, ...] = ()) -> Path:
    """An Excel 97-2003 workbook written by xlwt (another program's BIFF8): a cell is a str, a number, or (number, style)
    with style 1 a percentage 0.0% and style 2 a date yyyy"年"m"月"d"日"; a sheet's `merged` ranges (top, bottom,
    left, right, 0-based, inclusive) hold their value in the first cell only, as Excel writes them."""
    import xlwt

    styles = [xlwt.XFStyle(), xlwt.easyxf(num_format_str="0.0%"), xlwt.easyxf(num_format_str='yyyy"年"m"月"d"日"')]
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        sheet.visibility = 1 if name in hidden else 0
        ranges = (merged or {}).get(name, [])
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or any(t <= r <= b and lt <= c <= rt and (r, c) != (t, lt) for t, b, lt, rt in ranges):
                    continue
                value, style = cell if isinstance(cell, tuple) else (cell, 0)
                span = next(((t, b, lt, rt) for t, b, lt, rt in ranges if (t, lt) == (r, c)), None)
                if span:
                    sheet.write_merge(*span, value, styles[style])
                else:
                    sheet.write(r, c, value, styles[style])
    book.save(str(out))
    return out


def excel_2003_xml(out: Path, sheets: dict[str, list[list]], merged: dict[str, list[tuple[int, int, int, int]]] | None = None,
                   hidden: tuple[str, ...] = (), title: str = "") -> Path:
    """A workbook as Excel writes 「XML Spreadsheet 2003」 (and many systems export as 「.xls」): cells as in xls_workbook
    (style 1 a percentage 0.0%, style 2 a date, written as Excel writes one, a DateTime under 「Short Date」); a merged
    range's first cell carries ss:MergeAcross / ss:MergeDown and the cells it covers are left out, the next one placed by
    ss:Index; a row with nothing in it is left out, the next placed likewise; a string with HTML formatting in it."""
    import datetime
    from xml.sax.saxutils import escape

    def data(value) -> str:
        if isinstance(value, tuple) and value[1] == 2:
            day = (datetime.datetime(1899, 12, 30) + datetime.timedelta(days=value[0])).strftime("%Y-%m-%dT%H:%M:%S.000")
            return f' ss:StyleID="s2"><Data ss:Type="DateTime">{day}</Data>'
        if isinstance(value, tuple):
            return f' ss:StyleID="s1"><Data ss:Type="Number">{value[0]!r}</Data>'
        if isinstance(value, (int, float)):
            return f'><Data ss:Type="Number">{value!r}</Data>'
        if value.startswith("注："):  # a rich string: Excel writes its formatting as HTML inside
            return (f'><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>注：</B>{escape(value[2:])}'
                    "</ss:Data>")
        return f'><Data ss:Type="String">{escape(value)}</Data>'

    worksheets = []
    for name, rows in sheets.items():
        ranges = {(top, left): (bottom, right) for top, bottom, left, right in (merged or {}).get(name, [])}
        covered = {(r, c) for (top, left), (bottom, right) in ranges.items() for r in range(top, bottom + 1)
                   for c in range(left, right + 1)} - set(ranges)
        lines, last_row = [], -1
        for r, row in enumerate(rows):
            cells, last = [], -1
            for c, value in enumerate(row):
                if value is None or (r, c) in covered:
                    continue
                index = f' ss:Index="{c + 1}"' if c != last + 1 else ""
                bottom, right = ranges.get((r, c), (r, c))
                merge = (f' ss:MergeAcross="{right - c}"' if right > c else "") + (f' ss:MergeDown="{bottom - r}"' if bottom > r else "")
                cells.append(f"<Cell{index}{merge}{data(value)}</Cell>")
                last = right
            if cells:
                lines.append(f'<Row{f" ss:Index={chr(34)}{r + 1}{chr(34)}" if r != last_row + 1 else ""}>{"".join(cells)}</Row>')
                last_row = r
        options = '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>'
        worksheets.append(f'<Worksheet ss:Name="{escape(name)}"><Table>{"".join(lines)}</Table>{options if name in hidden else ""}</Worksheet>')
    out.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
        f'<DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Title>{escape(title)}</Title></DocumentProperties>'
        '<Styles><Style ss:ID="Default" ss:Name="Normal"/><Style ss:ID="s1"><NumberFormat ss:Format="0.0%"/></Style>'
        '<Style ss:ID="s2"><NumberFormat ss:Format="Short Date"/></Style></Styles>' + "".join(worksheets) + "</Workbook>",
        encoding="utf-8")
    return out


def word_rtf(out: Path) -> Path:
    """An RTF file as Word writes one (\\ansicpg936, a GBK font, a style sheet whose 「heading 1」 sets its outline level
    and whose 「heading 2」 does not, \\info's title): a header, headings, a paragraph of GBK bytes and \\uN escapes with
    a field, a footnote, hidden text and a tracked deletion, a bulleted list, a table (a cell of two paragraphs),
    a picture and an object's binary data with its shown result."""

    def gbk(text: str) -> str:
        return "".join(f"\\'{b:02x}" for b in text.encode("gbk"))

    def escaped(text: str) -> str:  # \\uN with a one-character fallback (\\uc1), negative past 32767 as Word writes it
        return "".join(f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)

    rtf = (
        r"{\rtf1\adeflang1025\ansi\ansicpg936\uc1\adeff0\deff0"
        r"{\fonttbl{\f0\froman\fcharset0\fprq2 Times New Roman;}{\f13\fbidi \fnil\fcharset134\fprq2{\*\panose 02010600030101010101}"
        + gbk("宋体") + r"{\*\falt SimSun};}{\f3\fbidi \froman\fcharset2\fprq2 Symbol;}}{\colortbl;\red0\green0\blue0;}"
        r"{\stylesheet{\ql \li0\ri0\widctlpar\snext0 \sqformat \spriority0 Normal;}{\s1\ql \sb340\sa330\keep\keepn\widctlpar"
        r"\outlinelevel0\b\fs44 \sbasedon0 \snext0 \sqformat heading 1;}{\s2\ql\b\fs32\sbasedon0 \snext0 heading 2;}}"
        r"{\info{\title " + gbk("青海省小微金融发展报告") + r"}{\author " + gbk("作者") + "}}\n"
        r"{\header \pard\plain " + gbk("页眉文字") + r"\par}"
        r"\pard\plain \s1\b\fs44 \f13 " + gbk("发展现状") + r"\par"
        r"\pard\plain \s2\b " + escaped("贷款规模") + r"\par"
        r"\pard\plain \f13 " + escaped("截至2023年末，") + r'{\field{\*\fldinst HYPERLINK "http://example.com"}{\fldrslt ' + gbk("贷款余额")
        + r"}}1562" + gbk("亿元") + r"{\super\chftn}{\footnote \pard\plain {\super\chftn} " + gbk("数据来源：人民银行西宁中心支行。") + "}"
        + r"{\v " + gbk("隐藏文字") + r"}{\deleted " + gbk("旧数据") + "}" + gbk("，同比增长12.4%。") + r"\par" + "\n"
        r"\pard Micro\~finance lending grew \endash  fast.\par"
        r"\pard " + gbk("主要做法包括：") + r"\par"
        r"\pard {\listtext\f3 \'b7\tab}" + gbk("扩大信用贷款投放。") + r"\par"
        r"\pard {\listtext\f3 \'b7\tab}" + gbk("降低融资成本。") + r"\par"
        r"\pard\plain \s2 " + gbk("主要机构") + r"\par"
        r"\trowd\cellx2000\cellx4000\pard\intbl " + gbk("机构") + r"\cell " + gbk("数量") + r"\cell\row"
        r"\trowd\cellx2000\cellx4000\pard\intbl " + gbk("银行") + r"\cell 12\cell\row"
        r"\trowd\cellx2000\cellx4000\pard\intbl " + gbk("小贷") + r"\par " + gbk("公司") + r"\cell 30\cell\row"
        r"\pard {\*\shppict{\pict\pngblip 89504e470d0a}}{\nonshppict{\pict\wmetafile8 0100}}{\object{\*\objdata\bin4 {{}x}{\result "
        + gbk("对象结果文字，内容完整。") + r"}}\par"
        r"\pard " + gbk("机构数量保持稳定。") + r"\par}"
    )
    out.write_bytes(rtf.encode("ascii"))
    return out


def word2003_xml(out: Path) -> Path:
    """A Word 2003 XML document as Word writes one (and as a server fills in a template of it, exporting 「.doc」):
    built-in heading styles named 「heading N」 (Word's own ids, 1 and 2) in wx:sub-sections, a list whose numbers Word
    also writes beside it (wx:t), a link, a simple field, a footnote and an endnote, a tracked deletion and insertion, hidden text, a
    text box, a table and a contents entry typed in; the title in its DocumentProperties."""
    w = "http://schemas.microsoft.com/office/word/2003/wordml"

    def p(text: str, style: str = "", extra: str = "") -> str:
        props = f'<w:pPr>{f"<w:pStyle w:val={chr(34)}{style}{chr(34)}/>" if style else ""}{extra}</w:pPr>'
        return f"<w:p>{props}<w:r><w:t>{text}</w:t></w:r></w:p>"

    def item(text: str, shown: str) -> str:
        return p(text, "a3", f'<w:listPr><w:ilvl w:val="0"/><w:ilfo w:val="1"/><wx:t wx:val="{shown}"/></w:listPr>')

    body = (
        p("某省小微金融发展报告", "a4") + p("发展现状\t1", "10")
        + f'<wx:sub-section>{p("发展现状", "1")}'
        + '<w:p><w:r><w:t>全省小微金融服务体系逐步完善，</w:t></w:r><w:hlink w:dest="http://example.com"><w:r><w:t>详见附表</w:t></w:r></w:hlink>'
          '<w:r><w:t>，</w:t></w:r><aml:annotation w:type="Word.Deletion"><aml:content><w:r><w:delText>已删除的文字</w:delText></w:r>'
          '</aml:content></aml:annotation><aml:annotation w:type="Word.Insertion"><aml:content><w:r><w:t>服务覆盖面持续扩大</w:t></w:r>'
          '</aml:content></aml:annotation><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的批注</w:t></w:r><w:r><w:t>。</w:t></w:r>'
          '<w:r><w:footnote><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t>数据来源：某省金融局。</w:t></w:r></w:p></w:footnote></w:r>'
          '<w:r><w:endnote><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t>统计口径见附录。</w:t></w:r></w:p></w:endnote></w:r></w:p>'
        + f'<wx:sub-section>{p("贷款规模", "2")}'
        + '<w:p><w:r><w:t>截至2023年末，贷款余额</w:t></w:r><w:fldSimple w:instr=" MERGEFIELD 余额 "><w:r><w:t>1562</w:t></w:r></w:fldSimple>'
          '<w:r><w:t>亿元，同比增长12.4%。</w:t></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
          '<w:p><w:r><w:t>专栏1：首贷户拓展行动。</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>'
        + p("主要做法包括：") + item("扩大信用贷款投放。", "（一）") + item("降低小微企业融资成本。", "（二）")
        + "</wx:sub-section></wx:sub-section>"
        + f'<wx:sub-section>{p("主要机构", "1")}<w:tbl>'
        + "".join(f'<w:tr><w:tc>{p(a)}</w:tc><w:tc>{p(b)}</w:tc></w:tr>' for a, b in (("机构", "数量"), ("国有商业银行", "12"), ("小额贷款公司", "30")))
        + "</w:tbl></wx:sub-section>"
    )
    styles = (
        '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><wx:uiName wx:val="标题 1"/>'
        '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="10"><w:name w:val="toc 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="List Paragraph"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="a4"><w:name w:val="Title"/></w:style>'
    )
    lists = ('<w:listDef w:listDefId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:nfc w:val="37"/><w:lvlText w:val="（%1）"/>'
             '</w:lvl></w:listDef><w:list w:ilfo="1"><w:ilst w:val="0"/></w:list>')
    out.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Word.Document"?>\n'
        f'<w:wordDocument xmlns:w="{w}" xmlns:wx="http://schemas.microsoft.com/office/word/2003/auxHint" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:aml="http://schemas.microsoft.com/aml/2001/core" xml:space="preserve">'
        "<o:DocumentProperties><o:Title>某省小微金融发展报告（2023）</o:Title></o:DocumentProperties>"
        f"<w:lists>{lists}</w:lists><w:styles>{styles}</w:styles><w:body><wx:sect>{body}</wx:sect></w:body></w:wordDocument>",
        encoding="utf-8")
    return out


def odt_document(out: Path, body: str, title: str = "", styles: str = "") -> Path:
    """An OpenDocument text file as LibreOffice stores one: the mimetype first and uncompressed, the manifest,
    content.xml with `body` (office:text's content, written with the text:, table:, draw:, svg: and office:
    prefixes) after the automatic `styles`, and the title in meta.xml."""
    names = {"office": "office:1.0", "text": "text:1.0", "table": "table:1.0", "draw": "drawing:1.0", "svg": "svg-compatible:1.0",
             "style": "style:1.0", "fo": "xsl-fo-compatible:1.0", "meta": "meta:1.0"}
    spaces = " ".join(f'xmlns:{k}="urn:oasis:names:tc:opendocument:xmlns:{v}"' for k, v in names.items())
    spaces += ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xlink="http://www.w3.org/1999/xlink"'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        odt.writestr("META-INF/manifest.xml", (
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
        ))
        odt.writestr("content.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {spaces} office:version="1.3">'
            f"<office:automatic-styles>{styles}</office:automatic-styles>"
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
        ))
        odt.writestr("meta.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {spaces} office:version="1.3"><office:meta>'
            f'{f"<dc:title>{title}</dc:title>" if title else ""}<meta:generator>LibreOffice/7.6</meta:generator>'
            "</office:meta></office:document-meta>"
        ))
    return out


def epub_book(out: Path, pages: list[tuple[str, str]], title: str = "", apart: tuple[str, ...] = (), encrypted: tuple[str, ...] = (),
              css: str = "") -> Path:
    """An EPUB 3 e-book as an e-book tool stores one: the mimetype first and uncompressed, container.xml naming the
    package file in a folder of its own, the package (its manifest listing the pages in reverse, the spine in
    `pages`' order, the pages named in `apart` linear="no"), a navigation document (a contents list, not in the
    spine), and each page (name, its body's XHTML) linking `css` as its stylesheet. `encrypted`: pages encryption.xml lists."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", (
            f'{head}<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'))
        if encrypted:
            book.writestr("META-INF/encryption.xml", (
                f'{head}<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                'xmlns:enc="http://www.w3.org/2001/04/xmlenc#">' + "".join(
                    f'<enc:EncryptedData><enc:CipherData><enc:CipherReference URI="OEBPS/{name}"/></enc:CipherData>'
                    "</enc:EncryptedData>" for name in encrypted) + "</encryption>"))
        items = "".join(f'<item id="p{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, (name, _) in reversed(list(enumerate(pages))))
        spine = "".join(f'<itemref idref="p{i}" linear="{"no" if name in apart else "yes"}"/>' for i, (name, _) in enumerate(pages))
        book.writestr("OEBPS/content.opf", (
            f'{head}<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier>'
            f'{f"<dc:title>{title}</dc:title>" if title else ""}<dc:language>zh</dc:language></metadata>'
            f'<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{items}'
            '<item id="css" href="styles/book.css" media-type="text/css"/></manifest>'
            f"<spine>{spine}</spine></package>"))
        xhtml = '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        book.writestr("OEBPS/nav.xhtml", (
            f'{head}{xhtml}<head><title>目录</title></head><body><nav epub:type="toc"><h1>目录</h1><ol>'
            + "".join(f'<li><a href="{name}">{name}</a></li>' for name, _ in pages) + "</ol></nav></body></html>"))
        book.writestr("OEBPS/styles/book.css", css)
        for name, body in pages:
            book.writestr(f"OEBPS/{name}", (
                f'{head}<!DOCTYPE html>{xhtml}<head><title>{name}</title>'
                f'<link rel="stylesheet" type="text/css" href="styles/book.css"/></head><body>{body}</body></html>'))
    return out


_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def ofd_document(out: Path, pages: list[str], title: str = "", fonts: str = "", outline: str = "", templates: dict[str, str] | None = None,
                 page_box: tuple[float, float] = (210.0, 297.0)) -> Path:
    """An OFD (GB/T 33190) as its writers store one: OFD.xml naming Doc_0/Document.xml, the document (the page area,
    the public resources with `fonts`, template pages, the pages, `outline`'s OutlineElem entries), and each page's
    Content.xml holding `pages[i]` (its layers' objects, millimetres from the top left). A page names a template
    of `templates` (id → its layer's objects) with 「<!--template:id-->」 in its content."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    width, height = page_box
    templates = templates or {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as ofd:
        info = f"<ofd:Title>{title}</ofd:Title>" if title else ""
        ofd.writestr("OFD.xml", (
            f'{head}<ofd:OFD {_OFD_NS} DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID>{info}'
            "<ofd:Author>某省金融局</ofd:Author><ofd:CreationDate>2024-03-01</ofd:CreationDate></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"))
        listed = "".join(f'<ofd:TemplatePage ID="{tid}" BaseLoc="Tpls/Tpl_{tid}/Content.xml"/>' for tid in templates)
        page_list = "".join(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        ofd.writestr("Doc_0/Document.xml", (
            f'{head}<ofd:Document {_OFD_NS}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea>'
            f"<ofd:PhysicalBox>0 0 {width} {height}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
            f"{listed}</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages>"
            f'{f"<ofd:Outlines>{outline}</ofd:Outlines>" if outline else ""}</ofd:Document>'))
        ofd.writestr("Doc_0/PublicRes.xml", f'{head}<ofd:Res {_OFD_NS} BaseLoc="Res"><ofd:Fonts>{fonts}</ofd:Fonts></ofd:Res>')
        for tid, objects in templates.items():
            ofd.writestr(f"Doc_0/Tpls/Tpl_{tid}/Content.xml",
                         f'{head}<ofd:Page {_OFD_NS}><ofd:Content><ofd:Layer ID="{tid}0">{objects}</ofd:Layer></ofd:Content></ofd:Page>')
        for i, objects in enumerate(pages):
            template = re.search(r"<!--template:(\w+)-->", objects)
            uses = f'<ofd:Template TemplateID="{template.group(1)}" ZOrder="Background"/>' if template else ""
            ofd.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", (
                f'{head}<ofd:Page {_OFD_NS}>{uses}<ofd:Content><ofd:Layer ID="{i + 2}">{objects}</ofd:Layer></ofd:Content></ofd:Page>'))
    return out


def ofd_from_pdf(pdf: Path, out: Path, title: str = "") -> Path:
    """A PDF's text written again as an OFD, as a converter would: each pypdf text run one TextObject at its place and
    size (points to millimetres), glyphs spaced by their width (a Chinese character its type size, another half)."""
    import html

    from pypdf import PdfReader

    mm = 25.4 / 72
    fonts: dict[str, str] = {}
    pages, box = [], (210.0, 297.0)
    for number, page in enumerate(PdfReader(str(pdf)).pages):
        height = float(page.mediabox.top)
        if not number:
            box = (round(float(page.mediabox.right) * mm, 3), round(height * mm, 3))
        objects: list[str] = []

        def visit(text, cm, tm, font, size):
            size *= abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1] if font is not None else ""
            font_id = fonts.setdefault(name, str(10 + len(fonts)))
            for part in (p.strip() for p in text.split("\n")):
                if part:
                    deltas = " ".join(f"{(0.5 if ch.isascii() else 1.0) * size * mm:.3f}" for ch in part[:-1])
                    objects.append(
                        f'<ofd:TextObject ID="{1000 + len(objects)}" Boundary="{x * mm:.3f} {(height - y - size) * mm:.3f} 200 {size * mm * 1.5:.3f}" '
                        f'Font="{font_id}" Size="{size * mm:.3f}"><ofd:TextCode X="0" Y="{size * mm:.3f}"'
                        f'{f" DeltaX={chr(34)}{deltas}{chr(34)}" if deltas else ""}>{html.escape(part)}</ofd:TextCode></ofd:TextObject>')

        page.extract_text(visitor_text=visit)
        pages.append("".join(objects))
    fonts_xml = "".join(f'<ofd:Font ID="{i}" FontName="{html.escape(n)}"/>' for n, i in fonts.items())
    return ofd_document(out, pages, title=title, fonts=fonts_xml, page_box=box)


def bomb_pdf(out: Path, megabytes: int = 1500) -> Path:
    """One page whose content stream inflates from ~1.5 MB to `megabytes` MB."""
    data = zlib.compress(b"0 0 m " * (megabytes * 2**20 // 6), 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream,
    ]))
    return out


def looping_pdf(out: Path) -> Path:
    """A page tree whose node lists itself as its own kid."""
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]))
    return out


def enormous_page_pdf(out: Path) -> Path:
    """A page claiming a 14,400 x 14,400 inch MediaBox and 400,000 text operations (pypdf takes ~6 s on it)."""
    data = zlib.compress(b"BT /F1 12 Tf 10 10 Td (x) Tj ET\n" * 400_000, 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    out.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1036800 1036800] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))
    return out


def numbered_regulation_docx(out: Path, paragraphs: list[str]) -> Path:
    """A regulation whose articles Word numbers (第%1条, counted in Chinese): `paragraphs` as given,
    those opening 「第N条 」 written without it and numbered by the list instead."""
    import re

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.find(qn("w:num")).addprevious(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="92"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/></w:lvl></w:abstractNum>'
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="92"><w:abstractNumId w:val="92"/></w:num>'))
    for text in paragraphs:
        bare = re.sub(r"^第[一二三四五六七八九十]+条\s+", "", text)
        paragraph = d.add_paragraph(bare)
        if bare != text:
            paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="92"/></w:numPr>'))
    d.save(out)
    return out


def numbered_word_docx(out: Path) -> Path:
    """Headings numbered by Word's automatic numbering (a multi-level list linked to the heading
    styles: 第%1章, then %1.%2 shown in decimal), so their text holds no number; and a list of
    its own, restarted by a numbering instance, whose counting must not disturb the headings'."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    levels = (("chineseCounting", "第%1章", ""), ("decimal", "%1.%2", "<w:isLgl/>"), ("decimal", "%1.%2.%3", "<w:isLgl/>"))
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        + "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/>{legal}<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'<w:pStyle w:val="Heading{i + 1}"/></w:lvl>'
            for i, (fmt, text, legal) in enumerate(levels)
        )
        + "</w:abstractNum>"
    )
    items = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="（%1）"/></w:lvl></w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    first_num.addprevious(abstract)
    first_num.addprevious(items)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    ))
    for level in (1, 2, 3):  # the heading styles linked to the list (the style, not the paragraph, is numbered)
        style = d.styles[f"Heading {level}"]
        style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="90"/></w:numPr>'))

    def numbered_item(text: str) -> None:
        paragraph = d.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="91"/></w:numPr>')
        )

    d.add_heading("总则", level=1)
    d.add_heading("目的", level=2)
    d.add_paragraph("为规范小微企业贷款管理，制定本办法。")
    d.add_heading("适用范围", level=2)
    d.add_paragraph("本办法适用于全省的小额贷款公司。")
    numbered_item("小额贷款公司")
    numbered_item("融资担保公司")
    d.add_heading("市场", level=1)
    d.add_heading("规模", level=2)
    d.add_heading("增速", level=3)
    d.add_paragraph("贷款余额同比增长 12%。")
    d.save(out)
    return out


def numbered_sections_docx(out: Path) -> Path:
    """Sections headed by normal paragraphs that Word numbers (一、 from a list in Chinese counting),
    and a numbered list of sentences ((1) …): the first are headings, the second items."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    for n, (fmt, text) in ((92, ("chineseCounting", "%1、")), (93, ("decimal", "(%1)"))):
        first_num.addprevious(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{n}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'
        ))
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>'))

    def numbered(text: str, num_id: int) -> None:
        d.add_paragraph(text)._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
        )

    d.core_properties.title = "Microsoft Word - 方案.docx"  # what a tool stored, not the document's title
    d.add_paragraph("小微企业金融服务方案", style="Title")
    numbered("总体要求", 92)
    d.add_paragraph("坚持服务实体经济，支持小微企业发展。")
    numbered("主要任务", 92)
    numbered("扩大信用贷款投放。", 93)
    numbered("降低小微企业融资成本。", 93)
    d.save(out)
    return out


def office_report_docx(out: Path) -> Path:
    """A report as people write one in Word — a title, a contents page typed in, headings, a numbered and a bulleted
    list, a table — for LibreOffice to write again as .doc, .odt and .rtf."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    d.core_properties.title = "某省小微金融发展报告"
    d.add_paragraph("某省小微金融发展报告", style="Title")
    d.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    for entry in ("发展现状\t1", "政策建议\t2"):
        d.add_paragraph(entry, style="toc 1")
    d.add_heading("发展现状", level=1)
    d.add_paragraph("全省小微金融服务体系逐步完善，服务覆盖面持续扩大。")
    d.add_heading("贷款规模", level=2)
    d.add_paragraph("截至2023年末，全省小微企业贷款余额1562亿元，同比增长12.4%。")
    d.add_paragraph("主要做法包括：")
    for item in ("扩大信用贷款投放。", "降低小微企业融资成本。"):
        d.add_paragraph(item, style="List Number")
    d.add_heading("主要机构", level=2)
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate((("机构", "数量"), ("国有商业银行", "12"), ("小额贷款公司", "30"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_heading("政策建议", level=1)
    d.add_paragraph("下一步应重点做好以下工作：")
    for item in ("完善融资担保体系", "加强信用信息共享"):
        d.add_paragraph(item, style="List Bullet")
    d.save(out)
    return out


def word_docx(out: Path) -> Path:
    import docx

    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.core_properties.title = "测试公司年度经营报告"
    d.add_paragraph("测试公司年度经营报告", style="Title")
    # A contents page typed in (its entries in the toc styles) is left out.
    d.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    for entry in ("经营概况\t1", "风险\t2"):
        d.add_paragraph(entry, style="toc 1")
    # Headings in styles of the writer's own: one based on Heading 2, one setting an outline level.
    d.styles.add_style("小节标题", WD_STYLE_TYPE.PARAGRAPH).base_style = d.styles["Heading 2"]
    chapter = d.styles.add_style("一级标题", WD_STYLE_TYPE.PARAGRAPH)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    chapter.element.get_or_add_pPr().append(outline)
    d.add_paragraph("本报告总结测试公司全年的经营情况。")
    d.add_heading("经营概况", level=1)
    d.add_heading("收入", level=2)
    revenue = d.add_paragraph("全年营业收入 58 亿元，同比增长 12%。")
    # A text box anchored in that paragraph, written twice as Word writes it: a drawing, and its VML
    # copy under mc:Fallback (read once).
    box = "<w:txbxContent><w:p><w:r><w:t>云服务客户超过 2 万家，续费率 92%。</w:t></w:r></w:p></w:txbxContent>"
    revenue._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">'
        f'<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    ))
    d.add_paragraph("主要收入来源如下：")
    for item in ("云服务收入 30 亿元", "软件授权收入 20 亿元", "咨询收入 8 亿元"):
        d.add_paragraph(item, style="List Bullet")
    d.add_paragraph("区域分布", style="小节标题")
    table = d.add_table(rows=5, cols=3)
    for r, row in enumerate((("区域", "收入（亿元）", "占比"), ("华东", "25", "43%"), ("华南", "18", "31%"), ("其他", "", "26%"), ("说明", "明细：", ""))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    # A cell's text in a content control, and a table nested in a cell (read as its rows).
    table.cell(3, 1)._tc.append(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>15</w:t></w:r></w:p></w:sdtContent></w:sdt>'
    ))
    inner = table.cell(4, 1).add_table(rows=2, cols=2)
    for r, row in enumerate((("项目", "金额"), ("政府项目", "5 亿元"))):
        for c, value in enumerate(row):
            inner.cell(r, c).text = value
    d.add_paragraph("风险", style="一级标题")
    d.add_paragraph("主要风险是市场竞争加剧和人才流失。")
    # A template may wrap a section in a content control (w:sdt), as Word wraps its own contents.
    control = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    risk_heading, risk_text = d.paragraphs[-2]._p, d.paragraphs[-1]._p
    risk_heading.addprevious(control)
    content = control.find(qn("w:sdtContent"))
    content.append(risk_heading)
    content.append(risk_text)
    d.add_paragraph("附  录")  # a named part in a plain paragraph: beside the chapters, not in 风险
    # Text python-docx alone would drop: a word in an inline content control, a tracked insertion (and a
    # tracked deletion, which is no longer text), a simple field's shown result.
    definition = d.add_paragraph()
    definition._p.append(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:r><w:t>云服务</w:t></w:r></w:sdtContent></w:sdt>'
    ))
    definition._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>指按需提供的计算资源</w:t></w:r>'))
    definition._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>（含存储）</w:t></w:r></w:ins>'))
    definition._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="a"><w:r><w:delText>，不含网络</w:delText></w:r></w:del>'))
    definition._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>，见第 3 页</w:t></w:r></w:fldSimple>'))
    definition._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>。</w:t></w:r>'))
    # A footnote and an endnote the body refers to (numbered 1 and i, as Word shows them), a footnote it
    # does not refer to, and Word's separator, which is no note.
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    def note_part(kind: str, notes: dict[int, str]) -> None:
        body = f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>' + "".join(
            f'<w:{kind} w:id="{i}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{kind}>' for i, text in notes.items()
        )
        xml = f"<w:{kind}s {nsdecls('w')}>{body}</w:{kind}s>"
        content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode(), d.part.package)
        d.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)

    note_part("footnote", {1: "未被引用的脚注。", 2: "数据来源：公司年报。"})
    note_part("endnote", {1: "云服务收入含政府项目。"})
    revenue = next(p for p in d.paragraphs if p.text.startswith("全年营业收入"))
    revenue._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="2"/></w:r>'))
    d.paragraphs[-1]._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:endnoteReference w:id="1"/></w:r>'))
    d.save(out)
    return out
