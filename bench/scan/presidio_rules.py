"""Microsoft Presidio configured with the scanner's rules: one PatternRecognizer per kind, regular expressions
equivalent to zeren-scan's token grammar, and the same validators (GB 11643 MOD 11-2 with a real birth date,
Luhn, mobile prefixes) in validate_result. Presidio ships no Chinese recognizer; these are the fairest
equivalents we can write. Recognizers are called directly, so no spaCy model is downloaded."""

import datetime
import re
from importlib.metadata import version as _version

from presidio_analyzer import Pattern, PatternRecognizer

D = r"[0-9０-９]"
SEP = r"[ \-\u00a0\u3000－]"
LB = r"(?<![0-9０-９A-Za-z.*＊×●•_#＃@])"
RB = r"(?![0-9０-９A-Za-z*＊×●•_#＃@])"

FW = {ord(c): str(i) for i, c in enumerate("０１２３４５６７８９")}
FW[ord("Ｘ")] = "X"
FW[ord("x")] = "X"
FW[ord("ｘ")] = "X"


def digits(s):
    return "".join(c for c in s.translate(FW) if c.isdigit() or c == "X")


PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}


def real_date(y, m, d):
    try:
        datetime.date(y, m, d)
        return 1900 <= y <= 2099
    except ValueError:
        return False


def id_ok(v):
    if len(v) == 18:
        if "X" in v[:17]:
            return False
        w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        c = (12 - sum(int(a) * b for a, b in zip(v[:17], w)) % 11) % 11
        return (int(v[:2]) in PROVINCES and real_date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
                and ("X" if c == 10 else str(c)) == v[17])
    if len(v) == 15 and "X" not in v:
        return int(v[:2]) in PROVINCES and real_date(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12]))
    return False


def luhn_ok(v):
    s = 0
    for i, ch in enumerate(reversed(v)):
        x = int(ch)
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        s += x
    return s % 10 == 0


def mobile_ok(v):
    if v.startswith("0086"):
        v = v[4:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    p = int(v[:3])
    return len(v) == 11 and (p // 10 in (13, 18) or 145 <= p <= 149 or (p // 10 == 15 and p != 154)
                             or p in (162, 165, 166, 167) or 170 <= p <= 178 or (p // 10 == 19 and p != 194))


class Checked(PatternRecognizer):
    def __init__(self, entity, patterns, check):
        super().__init__(supported_entity=entity, patterns=patterns, supported_language="zh")
        self.check = check

    def validate_result(self, pattern_text):
        return self.check(pattern_text)


TERMS = ["星火计划内部代号", "红旗工程", "青蓝项目组"]


def _recognizers():
    id_re = (LB + "(?:" + D + "{17}[0-9０-９XxＸｘ]|" + D + "{6}" + SEP + D + "{8}" + SEP + D + "{3}[0-9０-９XxＸｘ]|"
             + D + "{15}|" + D + "{6}" + SEP + D + "{6}" + SEP + D + "{3})" + RB)
    mobile_re = (r"(?:(?<![0-9０-９A-Za-z])[+＋]86" + SEP + "?|" + LB + "0086" + SEP + "?|" + LB + ")"
                 + "[1１]" + D + "{2}(?:" + D + "{8}|" + SEP + D + "{4}" + SEP + D + "{4})" + RB)
    card_re = LB + "(?:" + D + "{16,19}|" + D + "{4}(?:" + SEP + D + "{4}){3}(?:" + SEP + D + "{1,3})?)" + RB
    passport_re = r"(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})(?![0-9A-Za-z])"
    # The marking phrases as patterns; Presidio cannot express the scanner's position rules (heading zone,
    # a line of its own, a sentence naming the document itself), so every occurrence counts.
    marking_re = (r"(?:绝密|机密|秘密)[ 　]*[★☆*＊](?:[ 　]*(?:[0-9０-９]{1,3}(?:个月|年|月|天|日)|长期|启用前))?"
                  r"|(?<=密级[:：])[ 　]*(?:绝密|机密|秘密)|(?:^|(?<=\n))(?:绝密|机密|秘密)(?=\n|$)"
                  r"|内部(?:资料|文件)(?:[，,、 　]*(?:注意保存|不得外传|严禁外传|请勿外传))*"
                  r"|涉密(?:文件|材料|资料)?|注意保存(?:[，,、 　]*(?:不得外传|严禁外传|请勿外传))?"
                  r"|(?:不得|严禁|请勿|禁止|不准|切勿)外传")
    return [
        Checked("cn_resident_id", [Pattern("id", id_re, 0.5)], lambda t: id_ok(digits(t))),
        Checked("cn_mobile", [Pattern("mobile", mobile_re, 0.5)], lambda t: mobile_ok(digits(t))),
        Checked("bank_card", [Pattern("card", card_re, 0.5)],
                lambda t: 16 <= len(digits(t)) <= 19 and luhn_ok(digits(t)) and not id_ok(digits(t))),
        PatternRecognizer(supported_entity="cn_passport", patterns=[Pattern("passport", passport_re, 0.5)],
                          supported_language="zh"),
        PatternRecognizer(supported_entity="secrecy_marking", patterns=[Pattern("marking", marking_re, 0.5)],
                          supported_language="zh"),
        # Not deny_list: Presidio wraps deny-list terms in \b-style boundaries, and Han characters are word
        # characters, so a term inside Chinese text would never match.
        PatternRecognizer(supported_entity="custom_term",
                          patterns=[Pattern("terms", "|".join(re.escape(t) for t in TERMS), 0.5)],
                          supported_language="zh"),
    ]


RECOGNIZERS = _recognizers()


def analyze(text):
    """Findings in the shape zeren-scan's bench driver prints (confidence from Presidio's score)."""
    out = []
    for r in RECOGNIZERS:
        for res in r.analyze(text, entities=[r.supported_entities[0]], nlp_artifacts=None):
            conf = "high" if res.score >= 0.5 else "low"
            out.append({"kind": res.entity_type, "confidence": conf, "start": res.start, "end": res.end})
    return out


def version():
    return _version("presidio-analyzer")
