"""CMRC 2018 dev (Wikipedia passages, every question answerable): retrieval and refusals on a corpus
nothing was fit on. Reads ../shared/external/cmrc2018/dev.json; skipped where it is not."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import cmrc  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not cmrc.DEV.is_file(), reason=f"{cmrc.DEV} is not here (CMRC 2018 lives outside the repository)"),
]


def test_cmrc_answers_its_answerable_questions(tmp_path_factory):
    result = cmrc.measure(tmp_path_factory.mktemp("cmrc"))
    assert result["questions"] == 3219 and result["documents"] == 848
    # Measured: R@1 0.984 (0.980 before the document share of the fusion), R@5 0.999, 9 of 3,219 not
    # answered (0.28 %: 7 not covered, 2 related; 14 before verbs counted in the coverage model).
    assert result["R@1"] >= 0.982 and result["R@5"] >= 0.995, result
    assert result["refused_share"] <= 0.005, result  # issue 16's target
    # The answer's own text inside the highlight of the hit holding it: 0.850 (0.707 before a sentence
    # giving the figure, time, person or place asked for was preferred, the title's words left out and the
    # weight re-fit).
    assert result["answer_in_highlight"] >= 0.84, result
