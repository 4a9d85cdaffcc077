"""Every phrase in the seeds that states a deduction, with the reading expected of it.

Gathered from /work/shared/seeds/*.txt (grep for 扣, 罚, 不得分, 否决, 奖金, 每少, 每超, then read
around each hit) and checked against /work/shared/docs/seeds-digest.md §3.1–3.3. Each phrase is
copied as written (Traditional script and pinyin residue of seed 003 included), a substring of
the cited line, cut where the rule's own sentence ends; where one line holds several rules, each
rule is a case and the whole line is a case too (it must be refused, not half read).

`expected` is the Deduction the reader must return; when None, `problem` is the exact reason it
must give. Lines with 扣/罚 words that state no deduction are in NOT_DEDUCTIONS, with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fieldcore.checklist import Deduction


@dataclass(frozen=True)
class SeedPhrase:
    source: str  # seed:line, e.g. "001:L42"
    phrase: str  # as written in the seed
    expected: Deduction | None
    problem: str | None = None


def _fixed(points: float) -> Deduction:
    return Deduction(kind="fixed", points=Decimal(str(points)))


def _counted(points: float, cap: float | None = None) -> Deduction:
    capped = Decimal(str(cap)) if cap is not None else None
    return Deduction(kind="per_occurrence", points=Decimal(str(points)), cap=capped)


def _figure(points: float, low: float | None = None, step: float = 1, unit: str = "%") -> Deduction:
    return Deduction(
        kind="figure",
        points=Decimal(str(points)),
        min=Decimal(str(low)) if low is not None else None,
        step=Decimal(str(step)),
        unit=unit,
    )


VETO = Deduction(kind="veto")
ZERO = Deduction(kind="zero_category")

CASES: list[SeedPhrase] = [
    # 000: the guard company's appraisal (000:L881-1011)
    SeedPhrase(
        "000:L895",
        "在考核周期内若发生安全事故或偷窃、火灾等事故,取消当月的月度考核奖金和当季的季度考核奖金",
        VETO,
    ),
    SeedPhrase(
        "000:L907",
        "在考核周期内发生安全事故或偷窃、火灾责任等事故,取消当月的月度考核奖金和当季的季度考核奖金",
        VETO,
    ),
    SeedPhrase(
        "000:L957",
        "未按公司车辆放行规定,擅自放行车辆者,取消当月的月度考核奖金和当季的季度考核奖金",
        VETO,
    ),
    SeedPhrase(
        "000:L959",
        "予以书面警告或扣罚当月工资50-100元",
        None,
        "“扣罚当月工资50-100元”以元计,不是扣分:请写明扣几分;“书面警告”是处理方式,不是扣分:请写明扣几分",
    ),
    SeedPhrase(
        "000:L973",
        "予以通报批评或扣罚当月工资100-200元",
        None,
        "“扣罚当月工资100-200元”以元计,不是扣分:请写明扣几分;“通报批评”是处理方式,不是扣分:请写明扣几分",
    ),
    SeedPhrase(
        "000:L989",
        "属严重违规违纪,公司可依法与其解除劳动关系,并视其情节追究其法律及经济责任,"
        "随即取消当月/当季绩效考核奖金",
        VETO,
    ),
    SeedPhrase(
        "000:L1011",
        "有5.5.2所列情形的,扣罚当月工资100元/人次",
        None,
        "“扣罚当月工资100元/人次”以元计,不是扣分:请写明扣几分",
    ),
    SeedPhrase(
        "000:L1011",
        "有5.5.3所列情形的,扣罚当月工资200元/人次",
        None,
        "“扣罚当月工资200元/人次”以元计,不是扣分:请写明扣几分",
    ),
    SeedPhrase(
        "000:L1011",
        "有5.5.4所列情形的(5.5.4 的第K项不纳入本范围),扣罚当月工资300元/人次",
        None,
        "“扣罚当月工资300元/人次”以元计,不是扣分:请写明扣几分",
    ),
    SeedPhrase(
        "000:L1011",
        "有5.5.2所列情形的,扣罚当月工资100元/人次;有5.5.3所列情形的,扣罚当月工资200元/人次;"
        "有5.5.4所列情形的(5.5.4 的第K项不纳入本范围),扣罚当月工资300元/人次",
        None,
        "包含多档处理(扣罚当月工资100元/人次、扣罚当月工资200元/人次、扣罚当月工资300元/人次),"
        "请拆分为多项;“扣罚当月工资100元/人次”以元计,不是扣分:请写明扣几分;“扣罚当月工资200元/人次”以元计,"
        "不是扣分:请写明扣几分;“扣罚当月工资300元/人次”以元计,不是扣分:请写明扣几分",
    ),
    # 001: the tobacco company's service appraisal (001:L22-182)
    SeedPhrase(
        "001:L42",
        "卷烟陈列干净、整齐;按主导性、成长性和过渡性牌号的先后次序摆放,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L44",
        "条包装陈列时要求正面面向消费者,库存卷烟要求归类整齐存放,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L46",
        "价签维护:价签与零盒卷烟做到一一对应,价签无破损、签章完整,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L48",
        "卷烟库存:通过理货,查看并记录库存(单牌号库存不超过次进货量的1.5-2倍),"
        "了解库存积压或缺货的原因,一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase(
        "001:L52",
        "订单本的填写:要求订单本的需求量、供应量、盘点数填写完整,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L54",
        "反馈对应的客户经理及时维护,确保周转数合理应用,一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase(
        "001:L56",
        "告知客户缺货和到货情况,缺货时同价位其它牌号替补的信息,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L60",
        "告知客户(非目标客户除外)新牌号上市日期、批零价格、投放标准、卖点和产地等,一项不符扣1分",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L60",
        "出现客户经理告知新品卷烟信息,但目标客户无进行上柜经营,出现一次扣1分。",
        _counted(1),
    ),
    SeedPhrase(
        "001:L60",
        "告知客户(非目标客户除外)新牌号上市日期、批零价格、投放标准、卖点和产地等,一项不符扣1分;"
        "出现客户经理告知新品卷烟信息,但目标客户无进行上柜经营,出现一次扣1分。",
        None,
        "包含多条扣分规则(一项不符扣1分;出现一次扣1分),请拆分为多项",
    ),
    SeedPhrase("001:L62", "客户新牌号上柜后一月内价格标签发放到位,一项不符扣1分。", _fixed(1)),
    SeedPhrase(
        "001:L70",
        "注明客户业态、销售金额、进货量、平均单价等,客户需在次月30日完成,一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase(
        "001:L74", "客户信息:新增客户档案信息、客户情况变动信息。一项不符扣1分。", _fixed(1)
    ),
    SeedPhrase(
        "001:L80",
        "对出现问题能够有记录登记,并向证件所反馈予以解决;一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L84",
        "价签与零盒卷烟做到一一对应,价签无破损、签章完整。一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L88",
        "政策知晓率80%:零售客户对新颁布烟草专卖许可证管理办法是否了解。一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase(
        "001:L90", "对零售客户、消费者对提出的卷烟鉴定及时给予解决。一项不符扣1分。", _fixed(1)
    ),
    SeedPhrase("001:L96", "条烟打码信息是否相符,一项不符扣1分。", _fixed(1)),
    SeedPhrase(
        "001:L98",
        "条烟漏码问题是否存,是否要求客户验收卷烟及塑膜包装的完整性,一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase("001:L100", "客户订货单是否签字确认,一项不符扣2分。", _fixed(2)),
    SeedPhrase("001:L102", "挤压破损卷烟能否及时给予兑换,一项不符扣1分", _fixed(1)),
    SeedPhrase(
        "001:L102",
        "若按照规定程序及时为零售客户更换,是否做好相关记录工作;一项不符扣1分。",
        _fixed(1),
    ),
    SeedPhrase(
        "001:L102",
        "挤压破损卷烟能否及时给予兑换,一项不符扣1分;若按照规定程序及时为零售客户更换,"
        "是否做好相关记录工作;一项不符扣1分。",
        None,
        "包含多条扣分规则(一项不符扣1分;一项不符扣1分),请拆分为多项",
    ),
    SeedPhrase(
        "001:L104",
        "收取现金进行支付货款,送货员是否愿意接受,态度是否满意,一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase(
        "001:L110",
        "片区零售客户平均经营毛利率不得低于10%,每少1%扣2分,扣完为止。",
        _figure(2, low=10),
    ),
    SeedPhrase(
        "001:L112",
        "片区存销比小于社会存销比(其中不能低于社会存销比的80%),每超(减)1%扣2分,扣完为止。",
        None,
        "“每超(减)1%扣2分”需要上下两个标准值,只读到下限80%:请写明(如 不低于80%、不高于100%)",
    ),
    SeedPhrase("001:L118", "价位目标市场户数的70%以上。每少1%扣1分,扣完为止。", _figure(1, low=70)),
    SeedPhrase(
        "001:L120",
        "有效经营指导面城市达到50%以上,农村不对于40%,为客户提供经营指导书,提升服务水平,"
        "每少1%扣2分。",
        None,
        "含有未能识别的数值(40%):如为另一标准值,请拆分为多项",
    ),
    SeedPhrase(
        "001:L122",
        "销售信息知晓率达到85%以上,主要针对总体货源投放政策、年度紧俏卷烟投放策略。"
        "货源投放知晓率=知晓货源投放政策的客户数量/实际考核全部客户数量*100%,每少1%扣1分。",
        _figure(1, low=85),
    ),
    SeedPhrase(
        "001:L126",
        "市场净化率达到98%以上;市场净化率=市场占有率+合法渠道进货率+持证经营率,"
        "以市场抽查为准,每少1%扣3分。",
        _figure(3, low=98),
    ),
    SeedPhrase(
        "001:L128",
        "持证零售户守法规范度达到100%;持证零售户守法规范度=(抽查户数-违规户数)/抽查户数*100%,"
        "一户不符扣2分。",
        _counted(2),
    ),
    SeedPhrase(
        "001:L130",
        "明码实价执行率达到90%,明码实价执行率=(抽查户数-违价户数)/抽查户数*100%,每少1%扣2分。",
        _figure(2, low=90),
    ),
    SeedPhrase(
        "001:L134",
        "送货及时率100%,实行服务承诺制,送货时间误差不超过30分钟,以送货承诺时间为依据抽样检查,"
        "每少1%扣2分。",
        _figure(2, low=100),
    ),
    SeedPhrase(
        "001:L114",
        "业态划分准确率100%,按照国家局业态划分标准,准确划分业态,"
        "按照抽样走访客户的实际经营业态对比划分是否准确进行评定,一项不符扣2分。",
        _fixed(2),
    ),
    SeedPhrase("001:L136", "货物、货款安全保障率100%,一项不符扣10分。", _fixed(10)),
    SeedPhrase(
        "001:L138",
        "送货过程中不执行安全规定,出现车辆、货物、货款及人身等安全事故不得分。",
        ZERO,
    ),
    SeedPhrase(
        "001:L140",
        "制订本单位年度配送线路优化整合计划,并完成年度配送线路优化整合工作,未完成扣5分。",
        _fixed(5),
    ),
    SeedPhrase(
        "001:L142",
        "送货作业卷烟商品破损率低于0.1‰以内,送货作业卷烟商品破损率控制,"
        "破损率=送货破损卷烟数/送货卷烟总数*100%,每少1%扣3分,。",
        None,
        "标准值单位与扣分步长单位(%)不一致:低于0.1‰以内;"
        "“低于0.1‰以内”是上限,而“每少1%扣3分”按低于标准值扣分",
    ),
    SeedPhrase("001:L146", "服务岗位人员每发生一起有理投诉扣2分。", _counted(2)),
    SeedPhrase(
        "001:L150",
        "对送货服务满意度不得低于95%,对客户经理、专管员服务满意度不得低于90%,每少1%扣2分。",
        None,
        "包含多个标准值(不得低于95%、不得低于90%),请拆分为多项,每项一个标准值",
    ),
    SeedPhrase(
        "001:L182",
        "各部(所)根据《客户服务质量测评汇总表》中服务测评总得分进行考评扣分。",
        None,
        "未写明扣几分(如 一项不符扣1分)",
    ),
    SeedPhrase(
        "001:L182",
        "各部(所)服务测评成绩低于85分,部(所)长进行考核扣分,每少1分扣考核成绩1分",
        _figure(1, low=85, unit="分"),
    ),
    SeedPhrase(
        "001:L182",
        "同时依次对岗位未达标服务人员进行相对应扣分,每少1分扣考核成绩1分。",
        None,
        "未给出标准值(如 低于95分)",
    ),
    SeedPhrase("001:L246", "总分为100分,每项为10分,每发现一项不合格扣1分,直至扣完。", _counted(1)),
    # 003: the after-sales company's incentive rules (Traditional, with pinyin residue)
    SeedPhrase(
        "003:L357",
        "服務(wù)人員當月出現(xiàn)安全事故扣罰2個績效點數(shù)。",
        None,
        "“扣罚2个绩效点数”扣的是绩效点数,不是检查得分:如按分计,请写作扣2分",
    ),
    SeedPhrase(
        "003:L395",
        "造成第二次服務(wù)的',給予扣除第二次服務(wù)的工作系數(shù);",
        None,
        "“扣除第二次服务的工作系数”扣的是工作系数,不是检查得分",
    ),
]

# The digest's table of the rule types in seed 001 (seeds-digest.md §3.1), as it writes them.
DIGEST_CASES: list[SeedPhrase] = [
    SeedPhrase("digest:L697", "一项不符扣1分", _fixed(1)),
    SeedPhrase("digest:L698", "出现一次扣1分", _counted(1)),
    SeedPhrase("digest:L699", "一户不符扣2分", _counted(2)),
    SeedPhrase("digest:L364", "每少1%扣2分", None, "未给出标准值(如 低于95%)"),
    SeedPhrase(
        "digest:L701",
        "每超(减)1%扣2分",
        None,
        "“每超(减)1%扣2分”需要上下两个标准值,未读到标准值:请写明(如 不低于80%、不高于100%)",
    ),
    SeedPhrase("digest:L702", "扣完为止", None, "未写明扣几分(如 一项不符扣1分)"),
    SeedPhrase("digest:L703", "一项不符扣10分", _fixed(10)),
    SeedPhrase("digest:L704", "不得分", ZERO),
    SeedPhrase("digest:L705", "未完成扣5分", _fixed(5)),
    SeedPhrase("digest:L706", "每起扣2分", _counted(2)),
    SeedPhrase("digest:L764", "每发现一项不合格扣1分,直至扣完", _counted(1)),
]

# Lines the grep finds that state no deduction, and why they are not cases.
NOT_DEDUCTIONS: dict[str, str] = {
    "000:L933": "奖金计算公式(月度得分/100分),不是扣分规则",
    "000:L1011 前半句": "“若经保安主管或行政部抽查发现”只说明何时扣罚,扣罚本身已列为三条",
    "001:L246 评分标准": "“优秀(96-100分)…不合格(70分以下)”是等级,不是扣分",
    "003:L249": "“包扣”是“包括”的错字",
    "003:L401": "“按照《质量考核实施规则》执行”引用另一份文件,未写扣分",
    "003:L405": "“扣个人所得税”是代扣税款,不是扣分",
    "004:L305": "“定出违反规定扣分方法”要求制定扣分方法,本身没有扣分规则",
}
