"""Read a 扣分标准 written in Chinese (as in the seeds' tables) into a Deduction.

An organisation's spreadsheet says how an item takes points in words: 一项不符扣1分,
出现一次扣2分,最多扣6分, 每少1%扣2分, 不得分, 一票否决. The workbook importer fills a blank
扣分方式 cell from these words, and the editor shows what was understood. A phrase the
reader does not understand is an error for the author to fix, never a silent guess:
`read_deduction` then returns a reading without a deduction and says why.

Pure: no I/O; shared by the server's importer and any client that previews a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fieldcore.checklist import Deduction

_NUMBER = r"(\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class RuleReading:
    """What the reader understood of one phrase.

    deduction   the rule, or None when the phrase was not understood
    explanation what was understood, in Chinese (e.g. "一项不符扣1分"), for the author
    problem     why the phrase was not understood (None when it was)
    """

    text: str
    deduction: Deduction | None
    explanation: str = ""
    problem: str | None = None

    @property
    def understood(self) -> bool:
        return self.deduction is not None


def read_deduction(text: str) -> RuleReading:
    """The deduction a 扣分标准 phrase describes, or a reading that says it was not understood."""
    phrase = _normalise(text)
    if not phrase:
        return RuleReading(text, None, problem="扣分标准为空")
    fixed = re.fullmatch(rf"(?:一项不符|不符合|未做到|违反)?扣{_NUMBER}分", phrase)
    if fixed:
        points = Decimal(fixed[1])
        return RuleReading(
            text, Deduction(kind="fixed", points=points), explanation=f"一项不符扣{fixed[1]}分"
        )
    return RuleReading(text, None, problem=f"未能识别扣分标准:{text.strip()}")


def _normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII, no spaces, no trailing full stop."""
    table = str.maketrans("0123456789.%,;:()", "0123456789.%,;:()")
    return re.sub(r"[。.;]+$", "", re.sub(r"\s+", "", text.translate(table)))
