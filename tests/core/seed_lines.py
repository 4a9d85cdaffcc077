"""The seed lines the courier-service and property-services templates cite, copied verbatim.

Copied from /work/shared/seeds/004_*.txt (第二章 服务质量规范, L821-869; L877 后勤保障部 looks
after the vehicles; L880-881 the A/B/C grades) and 001_*.txt (L246 the grade bands of another
regulation in the same file; L302-304 服务品质管理办法 第三章). Long lines are split into
adjacent literals only to fit the line length. `test_the_copied_lines_are_the_seeds` compares
them with the seed files where those are present (MINGCHA_SEEDS_DIR, else /work/shared/seeds).
"""

from __future__ import annotations

import os
import re
import unicodedata
from io import BytesIO
from pathlib import Path
from typing import cast

from openpyxl import load_workbook

from fieldcore.checklist import Template

SEED_LINES: dict[str, dict[int, str]] = {
    "004": {
        821: "第二章服务质量规范",
        822: (
            "第一条公司在充分认识快递行业特点并兼顾其他行业要求的基础上制定了服务质量标准服务"
            "质量标准包括了管理人员服务标准、快"
        ),
        823: "递从业人员服务标准和运输机动车辆规范为规范化服务提供共同执",
        824: "行的蓝本",
        825: (
            "第二条经营管理人员服务质量标准应做到:公正廉洁、诚信务实让快递人员放心;热情礼貌"
            "、语言规范让快递人员舒心;及时高效、倾力而为让快递人员称心;急之所急、想之所想让"
            "快递人员安心;人本关怀、温馨入微让快递人员顺心"
        ),
        826: "第三条快递从业人员基本要求:",
        827: "一、仪态端庄举止大方衣着整洁发型朴实",
        828: "二、按规定着工装女性束发",
        829: "三、语气和蔼可亲语言文明礼貌",
        830: "四、快递人员应使用规范文明用语:",
        831: (
            "“您好!我是xx快递公司的您的xx快件已到请问今天有时间接收”、“请问什么时候上"
            "门方便”、“请仔细查收你的快件!”、“对快件有疑问请拨打xxxxxxx”、“再见"
            "!”"
        ),
        832: "第四条快递人员在服务过程中不发生以下所列行为:",
        833: "一、与顾客约定好时间却不按时达到也没有及时与顾客联系的",
        834: "二、在送(收)上门过程中私自收取顾客加急费",
        835: "三、在送(收)过程中私吞顾客赠品",
        836: "四、在送件过程中没有等顾客检查完快件就离开的",
        837: "五、在送(收)过程中对顾客言语不礼貌的以及与顾客发生争执的",
        838: "第五条热情服务细致周到",
        839: "一、主动解决顾客在送(收)快件后的疑虑",
        840: "二、按照顾客要求的时间准时达到并安全送(收)快件",
        841: "三、快递人员上门时自带鞋套和水杯做到不给顾客增添任何麻",
        842: "",
        843: "四、因故不能按时到达顾客指定地方的要提前给顾客打电话或",
        844: "另约时间以免顾客等待",
        845: "第六条诚信服务童叟无欺",
        846: "一、主动了解顾客对服务的需求和期望并尽量予以满足因客观",
        847: ("原因不能满足时应与顾客沟通说明原因提出合理建议引导“服务提供”与“顾客期望”达成一致"),
        848: "二、主动告知行业关于由顾客支付服务过程中可能发生的费用",
        849: "的规定",
        850: "三、选择最有利于顾客送(收)件的收费方式告知顾客并征得",
        851: "顾客的同意",
        852: "四、按规定或约定收取送(收)费自觉主动出具发票",
        853: "五、在送件过程中要主动要求顾客清点所收的快件(货物)对",
        854: "于代收款的客户要当面给顾客验货若有赠品要明白的告知顾客在顾",
        855: "客无疑问的情况下方可收款离开",
        856: "六、在送代收款顾客的时候若有顾客在验货后因为质量问题拒",
        857: "不付款的情况不可与顾客发生争执",
        858: "第七条文明服务礼貌待客",
        859: (
            "一、当非主观原因使服务提供不能满足顾客诉求时须如实告知求得谅解并友好协商变更服务方案"
        ),
        860: (
            "二、冷静对待矛盾或纠纷耐心听取顾客意见以诚恳的态度从和谐稳定大局出发做好解释工作"
            "不激化矛盾"
        ),
        861: "第八条特色服务、创立品牌",
        862: "一、执行预约服务时应严守时间并在规定时间内耐心等候",
        863: "二、了解快递行业的相关知识在顾客有需求时向其讲解",
        864: "三、掌握向不同顾客提供差异化服务的技能",
        865: "第九条快递车辆服务质量标准:",
        866: (
            "一、车身(包括前后保险杠)颜色鲜亮、无明显擦痕漆面无脱落或单点脱落但面积不超过1"
            "cm2线条和车门字迹清晰、无缺损"
        ),
        867: "二、机盖中央黏贴专用图案标志平整、无卷边、无破损",
        868: "三、仪表板、内饰板、顶棚、后隔物板完好无伤损且洁净无积尘",
        869: "四、车辆技术状况良好安全设施有效",
        877: (
            "4、后勤保障部负责提供快递运输车辆技术状况保持、车辆故障或事故救援、车容车貌整改"
            "等服务支持"
        ),
        880: (
            "第六条公司对快递员的服务质量状况实行等级管理安营部依据相关记录对快递员的服务状况"
            "进行评价确定快递员的服务质量等级"
        ),
        881: (
            "等级由高到低分为A、B、C三级服务质量等级为动态管理与之相对应的奖惩从《快递员管"
            "理制度》相关条款之规定"
        ),
    },
    "001": {
        246: (
            "商场物业部服务质量评分办法(试行) 为了更好地维护中心的购物环境,提升中心形象,"
            "有效地监督和促进物业服务水准的提高,为顾客和各营业部提供优质的服务,特制订本评分"
            "办法。 1、评分以月为单位,由现场管理部人员对卖场各项服务设施综合评分, 考核商"
            "场物业部的服务水平。 2、评分内容为十项:清洁卫生、环境绿化、服务态度、维修及时"
            "率、 维修质量、空调供应、节能管理、外围管理、专柜调整配合、劳动纪律。 3、总分"
            "为100分,每项为10分,每发现一项不合格扣1分,直至扣完。 4、评分标准(双方"
            "合同及相关要求为标准,附后),优秀(96-100分)、 优良(91-95分)、良"
            "好(81-90分)、合格(70-80分)、不合格(70分以下)。 5、每月评分于"
            "次月10号以前通报物业公司,抄报购物中心总经理室。"
        ),
        302: (
            "服务品质管理办法 第一章总则 第一条为了提高后勤服务水平,做好公司生产经营的有力"
            "支撑,加强对外委物业、保安公司的管理、考核力度,推进全面实施服务品质管理,特制定"
            "本办法。 第二条本办法中所述外委物业、保安公司是指与我单位签订相关服务合同及协议"
            "的单位。 第二章组织机构 第三条设立由单位相关领导任组长的服务品质管理领导小组,"
            "领导小组下设服务品质管理办公室,负责对服务工作进行全面综合的管理、考核。 第三章"
            "服务品质考核内容 第四条秩序维护 1.保安人员要着装整洁,站姿端正,仪态严谨;要"
            "严于律己,团结一致,服从协作,文明礼节;应按要求对院落、楼宇进行巡查;门岗保安人"
            "员应按要求对出入院区、楼宇的车辆及人员进行通行证件的检查,不得空岗,不得无故脱岗"
            ",按要求换岗;保安人员在处理问题时,要以维护公司安全和利益为前提,遵循依法办事、"
            "依法执行的原则,不徇私情。 2.监控值守人员要着装整洁,应保持监控室内环境及设备"
            "的"
        ),
        304: (
            "清洁卫生;应遵纪守法、持证上岗;应时刻保持高度警惕;如遇突发事件,应严格按照操作"
            "规程安全操作并如实记录;应按要求做好监控室进出记录、设备运行记录和交接班记录,不"
            "得空岗,不得无故脱岗。 第五条接待、收发、会议服务 1.接待、收发、会议服务人员"
            "要着装整洁,姿态端正,微笑服务,礼貌热情。 2.接待人员应按要求对来访人员进行身"
            "份核实、联系被访人员并做好登记记录。 3.收发人员应按要求对快递/信函/报纸/杂"
            "志等进行登记、联系收件人/收件单位并做好取件确认工作。 4.会议服务人员应按要求"
            "做好会前准备、会中操作、会后清洁等工作。 第六条保洁 1.保洁人员要着装整洁,保"
            "持朴素、大方;工作时注意“三轻”,即操作轻、走路轻、说话轻;工作使用的工具等要放"
            "置在不显眼的地方;应按相关要求进行清扫、巡视。 2.院落整洁,无暴露垃圾;院落绿"
            "化修剪整齐;车行道、人行道等公共区域无落叶、积雪、积水堆积;人工河道和水景里的水"
            "质应保持清洁无异味。 3.楼宇内公共区域地面、楼梯、通道整洁,无杂物;墙壁、"
        ),
    },
}

SOURCE_PART = re.compile(r"(?:(\d{3}):)?L(\d+)(?:-(\d+))?")


def seeds_dir() -> Path:
    return Path(os.environ.get("MINGCHA_SEEDS_DIR") or "/work/shared/seeds")


def seed_file_lines(seed: str) -> list[str] | None:
    """The seed file's lines (line n at index n - 1), or None where the seeds are not here."""
    found = sorted(seeds_dir().glob(f"{seed}_*.txt"))
    return found[0].read_text(encoding="utf-8").split("\n") if found else None


def cited_lines(source: str) -> list[tuple[str, int]]:
    """("004", 830), ("004", 831) for "004:L830-831"; "001:L302, L304" names two lines."""
    cited: list[tuple[str, int]] = []
    seed = ""
    for part in re.split(r"[,;]\s*", source):
        match = SOURCE_PART.fullmatch(part.strip())
        assert match, f"{source!r}: {part!r} is not seed:Lline"
        seed = match[1] or seed
        first = int(match[2])
        last = int(match[3] or first)
        assert seed and first <= last, source
        cited += [(seed, n) for n in range(first, last + 1)]
    return cited


def cited_text(source: str) -> str:
    """The cited lines joined, as the seed reads across them (a KeyError: not copied here)."""
    return "".join(SEED_LINES[seed][n] for seed, n in cited_lines(source))


def words(text: str) -> str:
    """Letters and digits only: the seed's wording without its (or our) punctuation."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def unquoted_items(template: Template, completed: dict[str, str] | None = None) -> list[str]:
    """Items whose 检查内容 is not the wording of the lines they cite.

    `completed` maps an item code to the characters the template adds at the end where the
    seed's text breaks off (a line break inside a word); the rest must be the seed's.
    """
    completed = completed or {}
    bad = []
    for _, item in template.iter_items():
        text = item.text.removesuffix(completed.get(item.code, ""))
        if words(text) not in words(cited_text(item.source)):
            bad.append(f"{item.code} {item.text} ({item.source})")
    return bad


def rules_in_workbook(data: bytes) -> dict[str, tuple[str, str | None]]:
    """Item code → (扣分标准, 扣分方式) as typed in the workbook's 检查项 sheet."""
    sheet = load_workbook(BytesIO(data), read_only=True)["检查项"]
    rows = sheet.iter_rows(values_only=True)
    header = {name: n for n, name in enumerate(next(rows))}
    return {
        str(row[header["编号"]]): (
            cast(str, row[header["扣分标准"]]),
            cast("str | None", row[header["扣分方式"]]),
        )
        for row in rows
        if row[header["编号"]] is not None
    }
