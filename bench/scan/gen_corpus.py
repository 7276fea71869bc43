#!/usr/bin/env python3
"""Labelled synthetic corpus for the publication scanner (fixed seeds, so every run is the same).

Writes OUT/docs/*.txt (rosters, notices, narratives, marked documents, exam papers and hard-negative
documents), OUT/labels.jsonl (one object per expected finding: file, kind, start, end in characters, and
expect = "block" for values that must stop publication or "show" for ones that are only shown), OUT/terms.txt,
and two throughput inputs: OUT/clean.txt (Chinese prose with dates and amounts but no identifiers) and
OUT/dense.txt (rosters, one identifier every few dozen characters).

usage: gen_corpus.py OUT [--docs N] [--clean-mb N] [--dense-mb N]
"""

import argparse
import json
import os
import random

PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
             "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
MOBILE_PREFIXES = [p for p in range(130, 200) if p // 10 in (13, 15, 18)] + [145, 147, 149, 166, 170, 171, 173, 175, 176, 177, 178, 191, 193, 195, 198, 199]
MOBILE_PREFIXES = [p for p in MOBILE_PREFIXES if p != 154]
BINS = ["622202", "622848", "621700", "623668", "622588", "621226", "622908", "625965"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然子涵欣怡梓轩诗雨晨曦佳琪思远博文俊杰雅婷"
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
          "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
          "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
          "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老"
          "头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即"
          "保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场"
          "身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律"
          "叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克"
          "何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满"
          "县局照参红细引听该铁价严龙飞")
PUNCT = "，，，。、；："


def id18(rng, valid=True, good_date=True):
    area = rng.choice(PROVINCES) + "%04d" % rng.randint(101, 9999)
    y = rng.randint(1950, 2015)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    if not good_date:
        m, d = rng.choice([(2, 30), (2, 31), (4, 31), (13, 1), (0, 10), (6, 31), (11, 31)])
    first = "%s%04d%02d%02d%03d" % (area, y, m, d, rng.randint(0, 999))
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    c = (12 - sum(int(a) * b for a, b in zip(first, w)) % 11) % 11
    ch = "X" if c == 10 else str(c)
    if not valid:
        ch = rng.choice([x for x in "0123456789X" if x != ch])
    return first + ch


def id15(rng):
    area = rng.choice(PROVINCES) + "%04d" % rng.randint(101, 9999)
    return "%s%02d%02d%02d%03d" % (area, rng.randint(30, 99), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 999))


def luhn_digit(payload):
    s = 0
    for i, ch in enumerate(reversed(payload)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        s += v
    return str((10 - s % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


def card(rng, length=None, bin_=None):
    length = length or rng.choice([16, 19, 19])
    b = bin_ or rng.choice(BINS)
    payload = b + "".join(rng.choice("0123456789") for _ in range(length - len(b) - 1))
    return payload + luhn_digit(payload)


def mobile(rng):
    return "%d%08d" % (rng.choice(MOBILE_PREFIXES), rng.randint(0, 99999999))


def fullwidth(s):
    return "".join(chr(ord(c) - 0x30 + 0xFF10) if c.isdigit() else ("Ｘ" if c == "X" else c) for c in s)


def name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def prose(rng, n):
    out = []
    for i in range(n):
        out.append(rng.choice(COMMON))
        if i % rng.randint(6, 14) == 0 and i:
            out.append(rng.choice(PUNCT))
    return "".join(out) + "。"


def harmless_numbers(rng):
    return rng.choice([
        "%d年%d月%d日" % (rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)),
        "共%d人" % rng.randint(2, 3000),
        "金额%d.%02d元" % (rng.randint(1, 999999), rng.randint(0, 99)),
        "第%d条" % rng.randint(1, 60),
        "占比%d%%" % rng.randint(1, 100),
        "%d:%02d" % (rng.randint(0, 23), rng.randint(0, 59)),
    ])


class Doc:
    def __init__(self, name):
        self.name = name
        self.parts = []
        self.len = 0
        self.labels = []

    def add(self, s):
        self.parts.append(s)
        self.len += len(s)

    def value(self, s, kind, expect="block", span=None):
        """Adds s; the labelled span is s itself or (offset, length) inside it."""
        off, ln = span if span else (0, len(s))
        self.labels.append({"file": self.name, "kind": kind, "start": self.len + off,
                            "end": self.len + off + ln, "expect": expect})
        self.add(s)

    def text(self):
        return "".join(self.parts)


def id_variant(rng):
    v = id18(rng)
    form = rng.random()
    if form < 0.55:
        return v
    if form < 0.65 and v.endswith("X"):
        return v[:-1] + "x"
    if form < 0.75:
        return fullwidth(v)
    if form < 0.88:
        return "%s %s %s" % (v[:6], v[6:14], v[14:])
    return "%s-%s-%s" % (v[:6], v[6:14], v[14:])


def mobile_variant(rng):
    m = mobile(rng)
    form = rng.random()
    if form < 0.5:
        return m
    if form < 0.6:
        return "+86 %s %s %s" % (m[:3], m[3:7], m[7:])
    if form < 0.68:
        return "+86" + m
    if form < 0.76:
        return "0086-" + m
    if form < 0.88:
        return "%s-%s-%s" % (m[:3], m[3:7], m[7:])
    if form < 0.94:
        return "%s %s %s" % (m[:3], m[3:7], m[7:])
    return fullwidth(m)


def card_variant(rng):
    c = card(rng)
    if rng.random() < 0.4:
        return " ".join(c[i:i + 4] for i in range(0, len(c), 4))
    return c


def roster(rng, d):
    d.add(rng.choice(["2024年度国家助学金拟资助学生名单\n", "三好学生名单公示\n", "新生录取名单\n", "奖学金发放名单\n"]))
    d.add("序号\t姓名\t身份证号\t联系电话\t银行卡号\n")
    for i in range(rng.randint(5, 25)):
        d.add("%d\t%s\t" % (i + 1, name(rng)))
        if rng.random() < 0.15:
            v = id18(rng)
            d.add(v[:6] + "********" + v[14:])  # already masked: not a finding
        elif rng.random() < 0.05:
            d.value(id15(rng), "cn_resident_id")
        else:
            d.value(id_variant(rng), "cn_resident_id")
        d.add("\t")
        if rng.random() < 0.15:
            m = mobile(rng)
            d.add(m[:3] + "****" + m[7:])
        else:
            d.value(mobile_variant(rng), "cn_mobile")
        d.add("\t")
        if rng.random() < 0.15:
            c = card(rng)
            d.add(c[:4] + " **** **** " + c[-4:])
        else:
            d.value(card_variant(rng), "bank_card")
        d.add("\n")
    d.add("公示期%s，如有异议请联系学生处。\n" % harmless_numbers(rng))


def notice(rng, d):
    d.add(rng.choice(["关于开展2024年秋季学期安全检查的通知\n", "关于做好寒假放假工作的通知\n", "招生工作简报\n"]))
    for _ in range(rng.randint(2, 5)):
        d.add(prose(rng, rng.randint(40, 120)) + harmless_numbers(rng) + prose(rng, 20) + "\n")
    d.add(rng.choice(["联系人：", "联系电话：", "咨询电话：", "手机："]) + name(rng) + "老师，")
    d.value(mobile_variant(rng), "cn_mobile")
    d.add("；办公电话：0%d-%d。\n" % (rng.randint(10, 999), rng.randint(20000000, 89999999)))
    if rng.random() < 0.3:
        d.add("监督邮箱及电话：")
        d.value(mobile(rng), "cn_mobile")
        d.add("\n")


def narrative(rng, d):
    who = name(rng)
    d.add("%s同学，%s，" % (who, harmless_numbers(rng)))
    d.add(rng.choice(["身份证号", "公民身份号码", "证件号码"]) + rng.choice(["：", "为", " "]))
    d.value(id18(rng), "cn_resident_id")
    d.add("，" + prose(rng, 30))
    d.add("其工资卡号为")
    d.value(card(rng), "bank_card")
    d.add("，" + prose(rng, 20))
    if rng.random() < 0.5:
        d.add("出国访学护照号码：")
        p = rng.choice(["E%08d" % rng.randint(0, 99999999), "E%s%07d" % (rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"), rng.randint(0, 9999999)), "G%08d" % rng.randint(0, 99999999)])
        d.value(p, "cn_passport")
        d.add("。")
    if rng.random() < 0.3:
        d.add("Visa 信用卡卡号 ")
        d.value(card(rng, 16, "4" + str(rng.randint(10000, 99999))), "bank_card")
        d.add("。")
    d.add(prose(rng, 40) + "\n")


MARKS = ["机密★1年", "秘密★6个月", "绝密★长期", "秘密★10年", "机密★5年", "秘密★", "机密 ★ 2年", "机密★１年", "秘密★２０年"]
HEADING_PHRASES = ["内部资料，注意保存", "内部资料", "涉密文件", "内部文件", "【内部资料】", "内部资料 注意保存 不得外传",
                   "内部资料 严禁外传", "【涉密】", "（内部资料）", "注意保存", "内部资料　注意保存",
                   "内部资料，仅供参考，不得外传", "（内部资料，请勿外传）", "内部文件，注意保存"]
# Sentences in running text where the document speaks of itself: (prefix, marked span, suffix).
SELF_REFERENCE = [("本文件", "注意保存，不得外传", "。"), ("本材料为", "内部资料，请勿外传", "。"), ("此件", "不得外传", "。"),
                  ("（此件", "不得外传", "）"), ("本书为", "内部资料", "，仅供参考。"), ("本简报属", "内部资料", "，请妥善保管。"),
                  ("本文件为", "涉密文件", "，阅后收回。"), ("本表", "严禁外传", "。"), ("本通知", "注意保存", "，不要转发。"),
                  ("本材料属", "内部资料，请妥善保管，不得外传", "。"), ("注：此材料", "不得外传", "。")]
# Marking phrases joined in running text, without the document naming itself.
JOINED = [("会议材料", "注意保存，不得外传", "。"), ("以上内容为", "内部资料，注意保存", "。"), ("此类", "内部资料，严禁外传", "。")]


def heading_marking(rng, d):
    """A marking in the heading zone: the first lines, with or without a 份号 line above it."""
    if rng.random() < 0.3:
        d.add("%06d\n" % rng.randint(1, 999999))
    form = rng.random()
    if form < 0.4:
        d.value(rng.choice(MARKS), "secrecy_marking")
    elif form < 0.55:
        d.add("密级：")
        d.value(rng.choice(["机密", "秘密", "绝密"]), "secrecy_marking")
    elif form < 0.65:
        d.value(rng.choice(["机密", "秘密"]), "secrecy_marking")
    else:
        p = rng.choice(HEADING_PHRASES)
        inner = p.strip("【】（）")
        d.value(p, "secrecy_marking", span=(p.index(inner), len(inner)))
    d.add("\n")
    if rng.random() < 0.3:
        d.add(rng.choice(["特急\n", "平急\n", "加急\n"]))


def body_marking(rng, d):
    """A marking in running text or on a line of its own below the heading zone."""
    form = rng.random()
    if form < 0.45:
        pre, span, post = rng.choice(SELF_REFERENCE)
        d.add(prose(rng, rng.randint(10, 40)))
        d.add(pre)
        d.value(span, "secrecy_marking")
        d.add(post + "\n")
    elif form < 0.6:
        pre, span, post = rng.choice(JOINED)
        d.add(pre)
        d.value(span, "secrecy_marking")
        d.add(post + "\n")
    elif form < 0.75:
        p = rng.choice(["机密", "秘密", "【内部资料】", "内部资料", "涉密文件", "（内部资料）"])
        inner = p.strip("【】（）")
        d.value(p, "secrecy_marking", span=(p.index(inner), len(inner)))
        d.add("\n")
    elif form < 0.85:
        d.add("附件：%s名单（" % rng.choice(["工作人员", "参会人员", "考察对象"]))
        d.value("内部资料", "secrecy_marking")
        d.add("）\n")
    else:
        d.value(rng.choice(MARKS), "secrecy_marking")
        d.add("\n")


def marked(rng, d):
    where = rng.random()
    if where < 0.6:
        heading_marking(rng, d)
        d.add("关于%s的报告\n" % prose(rng, 8))
        for _ in range(rng.randint(2, 4)):
            d.add(prose(rng, rng.randint(50, 150)) + "\n")
        if rng.random() < 0.3:
            body_marking(rng, d)
    else:
        d.add("关于%s的通知\n各单位：\n" % prose(rng, 8))
        for _ in range(rng.randint(3, 6)):
            d.add(prose(rng, rng.randint(50, 150)) + "\n")
        body_marking(rng, d)
        d.add(prose(rng, rng.randint(30, 80)) + "\n")


def marking_negatives(rng, d):
    """Prose about secrecy that is not a marking: nothing, or a low finding that is only shown."""
    if rng.random() < 0.3:
        # The title of a regulation about classified material: shown, never blocking.
        d.value("涉密文件", "secrecy_marking", expect="show")
        d.add("管理办法\n")
    for _ in range(rng.randint(2, 5)):
        k = rng.randrange(12)
        if k == 0:
            d.add("本文件不涉密，可以公开。")
        elif k == 1:
            d.add("非涉密文件，可公开发布。")
        elif k == 2:
            d.add("内部资料室开放时间为工作日。")
        elif k == 3:
            d.add("各单位要执行内部文件管理规定。")
        elif k == 4:
            d.add("本办法所称内部资料，是指本单位编印的资料。")
        elif k == 5:
            d.add("请妥善保管，注意保存发票。")
        elif k == 6:
            d.add("严禁将")
            d.value("涉密文件", "secrecy_marking", expect="show")
            d.add("带回家中。")
        elif k == 7:
            d.value("涉密", "secrecy_marking", expect="show")
            d.add("人员上岗前应当经过保密教育培训。")
        elif k == 8:
            d.add("会议内容一律")
            d.value("不得外传", "secrecy_marking", expect="show")
            d.add("。")
        elif k == 9:
            d.add("秘密花园读书会本周六举行，欢迎参加。")
        elif k == 10:
            d.add("档案分为机密级别和一般级别。")
        else:
            d.add("不得泄露商业机密，注意保护知识产权。")
        d.add(prose(rng, rng.randint(10, 40)) + "\n")


def exam(rng, d):
    # 绝密★启用前 on a published exam paper: shown, never blocking.
    d.value("绝密★启用前", "secrecy_marking", expect="show")
    d.add("\n%d年普通高等学校招生全国统一考试\n数学\n注意事项：\n1.答卷前，考生务必将自己的姓名、准考证号填写在答题卡上。\n" % rng.randint(2015, 2025))
    for i in range(rng.randint(3, 8)):
        d.add("%d．%s（%d分）\n" % (i + 1, prose(rng, 40), rng.randint(4, 12)))


def hard_negatives(rng, d):
    for _ in range(rng.randint(8, 16)):
        k = rng.randrange(14)
        if k == 0:
            d.add("错误校验码：%s；" % id18(rng, valid=False))
        elif k == 1:
            d.add("日期不存在：%s；" % id18(rng, good_date=False))
        elif k == 2:
            v = id18(rng)
            d.add("已脱敏：%s；%s****%s；" % (v[:4] + "*" * 10 + v[-4:], mobile(rng)[:3], mobile(rng)[-4:]))
        elif k == 3:
            d.add("办公电话：0%d-%d，(0%d)%d；" % (rng.randint(10, 99), rng.randint(20000000, 89999999), rng.randint(10, 99), rng.randint(20000000, 89999999)))
        elif k == 4:
            d.add("订单号：%s；" % card(rng, rng.choice([16, 18, 19])))
        elif k == 5:
            d.add("准考证号：%s；" % rng.choice([id15(rng), mobile(rng), "%015d" % rng.randint(0, 10 ** 15 - 1)]))
        elif k == 6:
            d.add("流水号%s；" % "".join(rng.choice("0123456789") for _ in range(rng.randint(21, 40))))
        elif k == 7:
            c = card(rng)
            bad = c[:-1] + str((int(c[-1]) + rng.randint(1, 9)) % 10)
            d.add("卡号有误：%s；" % bad)
        elif k == 8:
            d.add(rng.choice(["保守国家秘密是每个公民的义务。", "不得泄露商业机密和技术秘密。", "请注意保存好收据。", "数据的机密性、完整性和可用性。"]))
        elif k == 9:
            d.add("学号%s；" % mobile(rng))
        elif k == 10:
            d.add("无效号段：1%d%08d；" % (rng.choice([0, 1, 2]), rng.randint(0, 99999999)))
        elif k == 11:
            d.add("编号A%s；" % id18(rng))
        elif k == 12:
            d.add("%s，%s。" % (harmless_numbers(rng), harmless_numbers(rng)))
        else:
            d.add("型号E%08d；" % rng.randint(0, 99999999))
        if rng.random() < 0.2:
            d.add("\n")
    # 涉密 in prose is shown (low), never blocking.
    if rng.random() < 0.5:
        d.add("加强")
        d.value("涉密", "secrecy_marking", expect="show")
        d.add("人员管理。\n")
    d.add("\n")


def custom(rng, d, terms):
    d.add(prose(rng, 30))
    t = rng.choice(terms)
    d.value(t, "custom_term")
    d.add(prose(rng, 30) + "\n")


TERMS = ["星火计划内部代号", "红旗工程", "青蓝项目组"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--clean-mb", type=int, default=64)
    ap.add_argument("--dense-mb", type=int, default=16)
    a = ap.parse_args()
    rng = random.Random(20241129)
    docs_dir = os.path.join(a.out, "docs")
    os.makedirs(docs_dir, exist_ok=True)
    kinds = [roster, notice, narrative, marked, exam, hard_negatives, custom, marked, marking_negatives]
    with open(os.path.join(a.out, "labels.jsonl"), "w", encoding="utf-8") as labels:
        for i in range(a.docs):
            gen = kinds[i % len(kinds)]
            d = Doc(os.path.join(docs_dir, "%05d_%s.txt" % (i, gen.__name__)))
            if gen is custom:
                gen(rng, d, TERMS)
            else:
                gen(rng, d)
            with open(d.name, "w", encoding="utf-8") as f:
                f.write(d.text())
            for l in d.labels:
                labels.write(json.dumps(l, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "terms.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(TERMS) + "\n")

    clean_rng = random.Random(7)
    with open(os.path.join(a.out, "clean.txt"), "w", encoding="utf-8") as f:
        size = 0
        block = []
        while size < a.clean_mb * 1_000_000:
            para = prose(clean_rng, clean_rng.randint(60, 300)) + harmless_numbers(clean_rng) + prose(clean_rng, 40) + "\n"
            block.append(para)
            size += len(para.encode("utf-8"))
            if len(block) > 2000:
                f.write("".join(block))
                block = []
        f.write("".join(block))
    dense_rng = random.Random(11)
    with open(os.path.join(a.out, "dense.txt"), "w", encoding="utf-8") as f:
        size = 0
        while size < a.dense_mb * 1_000_000:
            d = Doc("dense")
            roster(dense_rng, d)
            t = d.text()
            f.write(t)
            size += len(t.encode("utf-8"))


if __name__ == "__main__":
    main()
