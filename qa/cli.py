"""`qa`: the command line. Thin: parses, calls the library, prints, maps errors to exit codes.

Exit codes: 0 ok, 1 a user-facing error (one line on stderr), 2 usage, 3 `qa build` published an
index but skipped files it could not read (listed on stderr and in --json's "skipped").
Heavy libraries are imported inside the commands, so `qa --help` is instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import QAError


def _settings(args):
    from .settings import Settings

    return Settings.from_env(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
        store=getattr(args, "store", None),
        model=getattr(args, "model", None),
    )


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- commands


def cmd_build(args) -> int:
    from .index import build
    from .schema import build_json

    settings = _settings(args)
    before = _corpus_stamp(settings.corpus_dir) if args.watch else None  # edits during this build count
    report = build(settings.corpus_dir, settings.index_location, settings, wait=args.wait, progress=not args.json)
    if args.json:
        _print_json(build_json(report))
        return EXIT_SKIPPED if report.skipped else 0
    _print_problems(report)
    if report.published:
        print(
            f"built {report.generation}: {report.documents} document(s), {report.passages} passages "
            f"(added {report.added}, changed {report.changed}, removed {report.removed}; "
            f"embedded {report.embedded}, reused {report.reused}; {report.parsed} file(s) parsed) in {report.seconds:.1f}s",
            flush=True,
        )
    else:
        print(f"index is up to date ({report.passages} passages, nothing embedded) in {report.seconds:.2f}s", flush=True)
    if args.watch:
        return _watch(settings, before)
    return EXIT_SKIPPED if report.skipped else 0


EXIT_SKIPPED = 3


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:10])) + (" …" if len(pages) > 10 else "")


def _print_problems(report) -> None:
    """Every file that could not be read, in one run, the PDF pages that had no text, files of types not read
    and files that are copies of others."""
    for s in report.skipped:
        kept = " (what the previous build read from it is still served)" if s.kept else ""  # a file or a folder
        print(f"qa: skipped {s.reason}{kept}", file=sys.stderr, flush=True)
    for file, pages in (report.pages_without_text or {}).items():
        print(f"qa: note: {file}: {len(pages)} page(s) without a text layer, not indexed (scanned? pages {_pages(pages)})", file=sys.stderr, flush=True)
    for file, pages in (report.pages_read_by_ocr or {}).items():
        print(f"qa: note: {file}: {len(pages)} scanned page(s) read by OCR (pages {_pages(pages)}): check its hits against the page", file=sys.stderr, flush=True)
    for file, hint in report.not_read:
        print(f"qa: note: {file}: {hint}", file=sys.stderr, flush=True)
    for file, first in report.copies:
        print(f"qa: note: {file}: the same file as {first}; both are indexed, a hit in one names the other (keep one)", file=sys.stderr, flush=True)


def _corpus_stamp(folder: Path):
    from .corpus import CORPUS_SUFFIXES, EXAMPLES_FILE, files_under

    folder = Path(folder)
    if not folder.is_dir():
        return None
    stamp = []
    for p in files_under(folder):
        if p.suffix.lower() in CORPUS_SUFFIXES or p == folder / EXAMPLES_FILE:
            try:
                stat = p.stat()
            except OSError:  # removed since the folder was listed: the next poll sees it gone
                continue
            stamp.append((str(p), stat.st_mtime_ns, stat.st_size))
    return stamp


def _watch(settings, last) -> int:
    """Rebuild whenever a corpus file changes (polling once a second: no extra dependency)."""
    import time

    from .index import build

    print(f"watching {settings.corpus_dir} for changes (Ctrl-C to stop)", file=sys.stderr, flush=True)
    encoder = None  # loaded at the first change and kept: loading it is most of a one-paragraph rebuild
    while True:
        now = _corpus_stamp(settings.corpus_dir)
        if now != last:
            last = now
            try:
                if encoder is None:
                    from .embed import load_encoder

                    encoder = load_encoder(settings.model)
                report = build(settings.corpus_dir, settings.index_location, settings, wait=True, encoder=encoder)
                _print_problems(report)
                print(
                    f"rebuilt: changed {report.changed}, added {report.added}, removed {report.removed}, "
                    f"embedded {report.embedded} in {report.seconds:.1f}s",
                    flush=True,
                )
            except QAError as e:  # a half-saved file must not end the watch; the index is unchanged
                print(f"qa: error: {e}", file=sys.stderr, flush=True)
        time.sleep(1.0)


def cmd_ask(args) -> int:
    import qa
    from .schema import answer_json
    from .search import check_question

    settings = _settings(args)
    conversation = not args.jsonl and not args.question and sys.stdin.isatty() and not args.json
    if not args.jsonl and not conversation:
        if not args.question:
            raise QAError("give a question, e.g. qa ask \"非银行金融机构包括哪些类型？\", or use --jsonl to read questions from stdin")
        check_question(" ".join(args.question), settings)  # refuse a bad question before loading anything
    retriever = qa.load(settings.index_location, settings)
    if conversation:
        return _converse(retriever, args)
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            if not question.strip():
                continue
            try:
                question, previous = _jsonl_request(question)
                _print_json(answer_json(retriever.ask(question, k=args.k, previous=previous, docs=args.doc)))
            except QAError as e:  # one bad line gets an error object; the stream goes on
                _print_json({"question": question, "error": str(e)})
        return 0
    answer = retriever.ask(" ".join(args.question), k=args.k, docs=args.doc)
    if args.json:
        _print_json(answer_json(answer))
    else:
        print(format_answer(answer, marked=_colour(sys.stdout), labels=retriever.data.labels))
    return 0


def _converse(retriever, args) -> int:
    """`qa ask` with no question on a terminal: ask one after another, each follow-up completed from
    the question before it (「那互联网金融呢？」, 「详细说说」), until Ctrl-D or Ctrl-C."""
    print("输入问题后回车；可以接着追问（「那……呢？」「详细说说」）。Ctrl-D 退出。")
    previous = None
    while True:
        try:
            question = input("\n问：")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            continue
        try:
            answer = retriever.ask(question, k=args.k, previous=previous, docs=args.doc)
        except QAError as e:  # a bad question is said and the conversation goes on
            print(f"qa: {e}", file=sys.stderr)
            continue
        if answer.searched != answer.question:
            print(f"（检索的问题：{answer.searched}）")
        print(format_answer(answer, marked=_colour(sys.stdout), labels=retriever.data.labels))
        previous = answer.searched


def _colour(stream) -> bool:
    """Mark the highlight in colour on a terminal, never in a pipe or file, nor with NO_COLOR set."""
    import os

    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _jsonl_request(line: str) -> tuple[str, str | None]:
    """A --jsonl line: the question as plain text, or {"question": …, "previous": …} for a follow-up."""
    if not line.lstrip().startswith("{"):
        return line, None
    try:
        request = json.loads(line)
    except ValueError:
        raise QAError('a line starting with { must be a JSON object: {"question": "…", "previous": "…"}') from None
    if not isinstance(request, dict) or not isinstance(request.get("question"), str):
        raise QAError('a JSON line needs a "question" text: {"question": "…", "previous": "…"}')
    return request["question"], request.get("previous")


def format_answer(answer, marked: bool = False, labels: dict[str, str] | None = None) -> str:
    """The answer as the terminal shows it; `marked`: each passage's highlight in bold yellow (ANSI);
    labels: the documents' names -> how to call them (IndexData.labels)."""
    from .answerable import refusal

    lines = []
    if answer.answered:
        top = answer.hits[0]
        answer_lines = top.highlight.replace("\n", "\n    ")  # a lead-in with its list
        lines.append(f"答：{answer_lines} [{top.passage.cite}]")
    elif answer.status == "related":
        lines.append(f"{answer.reason}。最接近的段落：")
    else:
        lines.append(f"{refusal(answer.reason)}最接近的段落：")
    for n, hit in enumerate(answer.hits, 1):
        p = hit.passage
        where = p.label(labels) + (f", 第 {p.page} 页" if p.page else "") + (" (scanned, read by OCR)" if hit.ocr else "")
        where += "".join(f"; also in {doc}" for doc in hit.also)
        a, b = hit.highlight_span
        mark = marked and b > a and answer.status != "not_covered"  # the nearest passages' sentences answer nothing
        text = f"{p.text[:a]}\033[1;33m{p.text[a:b]}\033[0m{p.text[b:]}" if mark else p.text
        body = text.replace("\n", "\n    ")
        section = f"  {p.section}" if p.section else ""  # none before a document's first heading
        lines += ["", f"[{n}] {p.cite}{section}  ({where}, score {hit.score:.2f})", f"    {body}"]
    return "\n".join(lines)


def cmd_docs(args) -> int:
    from .index import load, unreadable_files
    from .schema import documents_json

    settings = _settings(args)
    data = load(settings.index_location, settings)
    unreadable = unreadable_files(settings.index_location, settings)
    if args.json:
        _print_json(documents_json(data, unreadable))
        return 0
    print(f"{len(data.documents)} document(s), {len(data.passages)} passages · {data.model} · built {data.built_at} ({data.generation})")
    width = max(len(d["name"]) for d in data.documents)
    for d in data.documents:
        pages = f", {d['pages']} pages" if d.get("pages") else ""
        blank = f", {len(d['pages_without_text'])} without text" if d.get("pages_without_text") else ""
        blank += f", {len(d['pages_read_by_ocr'])} read by OCR" if d.get("pages_read_by_ocr") else ""
        count = f"{d['passages']} passage{'s' if d['passages'] != 1 else ''}"
        print(f"  {d['name']:<{width}}  {d['title']}  ({d['file']}: {count}{pages}{blank})")
    for s in unreadable:
        print(f"qa: note: not read by the last build: {s.reason}", file=sys.stderr)
    return 0


def cmd_eval(args) -> int:
    import qa
    from .evaluate import evaluate, read_questions
    from .schema import eval_json

    settings = _settings(args)
    questions = read_questions(Path(args.file))
    report = evaluate(qa.load(settings.index_location, settings), questions, k=args.k)
    if args.json:
        _print_json(eval_json(report))
        return 0
    s = report.summary()
    print(f"questions: {s['questions']} ({s['in_scope']} in scope, {s['out_of_scope']} out of scope)")
    print("  ".join(f"{key}={s[key]:.3f}" for key in s if key.startswith("R@")) + f"  MRR={s['MRR']:.3f}")
    print(
        f"out of scope: {s['out_of_scope_abstained']}/{s['out_of_scope']} refused ({s['out_of_scope_related']} as related); "
        f"in scope: {s['in_scope_abstained']}/{s['in_scope']} wrongly refused as not covered, {s['in_scope_related']} related"
    )
    for r in report.misses():
        what = r.status
        print(f"  miss {r.question.id}: {r.question.question}  gold rank {r.gold_rank}, {what}, got {', '.join(r.cites[:3])}")
    return 0


def cmd_import(args) -> int:
    from dataclasses import replace

    from .corpus import read_document, to_markdown

    settings = _settings(args)
    src = Path(args.raw)
    doc = read_document(src, settings.max_passage_chars)
    name = args.name or src.stem
    out = Path(args.output) if args.output else settings.corpus_dir / f"{name}.md"
    if out.resolve() == src.resolve():
        raise QAError(f"{out} is the file being imported; use --output to write elsewhere")
    if out.exists() and not args.force:
        raise QAError(f"{out} exists; use --force to overwrite it or --output to write elsewhere")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_markdown(replace(doc, name=name)), encoding="utf-8")
    sections = len({p.headings for p in doc.passages if p.headings})
    print(f"wrote {out}: {sections} sections, {len(doc.passages)} passages; run `qa build` to index it")
    return 0


def cmd_serve(args) -> int:
    from .web import serve

    settings = _settings(args).replace(host=args.host, port=args.port)
    serve(settings)
    return 0


# --------------------------------------------------------------------------- parser


def _k(value: str) -> int:
    from .settings import Settings

    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"k must be a whole number, not {value!r}") from None
    if not 1 <= k <= Settings.max_k:
        raise argparse.ArgumentTypeError(f"k must be from 1 to {Settings.max_k}")
    return k


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", metavar="DIR", help="report text folder (env QA_CORPUS, default corpus/)")
    common.add_argument("--index", metavar="DIR", help="index folder (env QA_INDEX, default index/)")
    common.add_argument(
        "--store", metavar="URI", help="local (default), or Milvus: http://host:19530 or a milvus-lite file x.db (env QA_STORE)"
    )
    common.add_argument("--model", help="sentence-transformers model (env QA_MODEL, default: bundled m3e-small)")

    p = argparse.ArgumentParser(
        prog="qa",
        description="报告问答: ask questions in Chinese of a folder of reports (PDF, Word, OpenDocument, RTF, PowerPoint, Excel, web pages, Markdown, text); get cited passages back.",
        epilog="Start with: qa build && qa ask \"非银行金融机构包括哪些类型？\"",
    )
    p.add_argument("--version", action="version", version=f"qa {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", parents=[common], help="build or update the index from the corpus folder")
    b.add_argument("--json", action="store_true", help="print the build report as one JSON object")
    b.add_argument("--wait", action="store_true", help="wait for a running build instead of failing")
    b.add_argument("--watch", action="store_true", help="keep running and rebuild when corpus files change")
    b.set_defaults(run=cmd_build)

    a = sub.add_parser("ask", parents=[common], help="answer a question with cited paragraphs")
    a.add_argument("question", nargs="*", help="the question (Chinese); none, on a terminal: a conversation with follow-ups")
    a.add_argument("-k", type=_k, help="paragraphs to return, 1-20 (default: QA_K, 5)")
    a.add_argument("--doc", action="append", metavar="NAME", help="search only this document (its path in the corpus folder without suffix, as `qa docs` lists); repeatable")
    mode = a.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="read questions from stdin, one per line; write JSON lines")
    a.set_defaults(run=cmd_ask)

    d = sub.add_parser("docs", parents=[common], help="list the indexed documents: names (for --doc), titles, passages, pages")
    d.add_argument("--json", action="store_true", help="print the list as one JSON object")
    d.set_defaults(run=cmd_docs)

    e = sub.add_parser("eval", parents=[common], help="measure retrieval on a labelled question file")
    e.add_argument("file", help="JSON lines: {\"question\": …, \"gold\": [{\"snippet\": …}]} (e.g. eval/dev.jsonl)")
    e.add_argument("-k", type=_k, default=5, help="hits per question (default 5)")
    e.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    e.set_defaults(run=cmd_eval)

    i = sub.add_parser("import", parents=[common], help="turn a PDF, Word, OpenDocument, RTF, PowerPoint, Excel, web page or text file into an editable Markdown corpus file")
    i.add_argument("raw", help="the file to convert (any format `qa build` reads: .pdf, .docx, .doc, .wps, .odt, .rtf, .pptx, .ppt, .dps, .odp, .xlsx, .xls, .et, .ods, .html, .mht, .txt, .md)")
    i.add_argument("-o", "--output", help="where to write (default: CORPUS/<name>.md)")
    i.add_argument("--name", help="document name (default: the file name)")
    i.add_argument("--force", action="store_true", help="overwrite an existing file")
    i.set_defaults(run=cmd_import)

    s = sub.add_parser("serve", parents=[common], help="run the web chat and HTTP JSON API")
    s.add_argument("--host", help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)")
    s.add_argument("--port", type=int, help="port (default 7860)")
    s.set_defaults(run=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except QAError as e:
        print(f"qa: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
