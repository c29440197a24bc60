"""jieba's dictionary read through the memory-mapped table: the same entries, the same cuts, made again when
damaged, and jieba's own dict where there is nowhere to keep it."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from qa import word_table
from qa.text import Tokenizer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def jieba_dict():
    jieba.setLogLevel(logging.WARNING)
    dictionary = jieba.Tokenizer()
    dictionary.initialize()
    return dictionary


def test_the_table_holds_exactly_jiebas_entries(jieba_dict, tmp_path):
    path = tmp_path / "words.bin"
    word_table.write(path, jieba_dict.FREQ, jieba_dict.total)
    table = word_table.WordTable(path)
    assert table.total == jieba_dict.total
    # Every word and prefix with its count (prefixes 0, which `in` must still find), and none besides.
    assert all(table.get(word) == count for word, count in jieba_dict.FREQ.items())
    assert [table.get(w) for w in ("不是一个词吧", "银行银行", "", "𠀀", "\ud800")] == [None] * 5


def test_cutting_through_the_table_is_cutting_through_the_dict():
    report = (ROOT / "corpus" / "qinghai_microfinance_report.md").read_text(encoding="utf-8")
    questions = ["小额贷款公司弥补了银行哪些不足？", "西部大開發對青海小微企業有什麼影響？", "闲钱放哪里收益高？"]
    tok = Tokenizer(["小微金融", "非银行金融机构", "普惠金融服务站"])
    mapped = (tok.tokens(report), tok.words(report), tok.noun_runs(report), [tok.asking_words(tok.tokens(q)) for q in questions])
    assert isinstance(tok._jieba.FREQ, word_table.Frequencies)  # the table, not the dict
    tok.load_dictionary()
    assert isinstance(tok._jieba.FREQ, dict)
    assert (tok.tokens(report), tok.words(report), tok.noun_runs(report), [tok.asking_words(tok.tokens(q)) for q in questions]) == mapped
    assert tok.tokens("普惠金融服务站") == ["普惠金融服务站", "金融", "服务", "服务站"]  # an added term, whole


SCRIPT = r"""
import sys
import jieba
from qa.text import Tokenizer
if sys.argv[1] == "mapped":
    jieba.Tokenizer.initialize = None  # any load of jieba's dict fails
tok = Tokenizer(["小微金融"])
print(tok.tokens("小微金融机构弥补了银行哪些不足"), type(tok._jieba.FREQ).__name__)
"""


def _run(mode: str, cache: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_table_is_made_once_kept_in_the_model_cache_and_made_again_when_damaged(tmp_path):
    cut = "['小微金融', '金融', '机构', '弥补', '银行', '不足']"
    assert _run("fresh", tmp_path) == f"{cut} Frequencies\n"
    (table,) = (tmp_path / "qa").glob("jieba-words-*.bin")
    assert _run("mapped", tmp_path) == f"{cut} Frequencies\n"  # read from the table alone
    size = table.stat().st_size
    table.write_bytes(table.read_bytes()[: size // 2])  # cut short
    assert _run("fresh", tmp_path) == f"{cut} Frequencies\n"
    assert table.stat().st_size == size  # written again, whole
    table.write_bytes(b"QAWORDS1 but nothing else")
    assert _run("fresh", tmp_path) == f"{cut} Frequencies\n"
    # Nowhere to keep it (the cache folder a file): jieba's own dict, the same cut.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    assert _run("fresh", blocked) == f"{cut} dict\n"
