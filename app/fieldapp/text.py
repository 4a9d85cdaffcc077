"""Every user-facing string of the phone app, Chinese first, English beside it.

`t("key", n=3)` formats the string of the current language. Problem codes from the server
or the domain use fieldcore.problems' messages (`problem_text`), so the same code reads the
same everywhere.
"""

from __future__ import annotations

from typing import Any

from fieldcore.problems import MESSAGES, ProblemCode

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("明察", "Mingcha"),
    "app.neutral_title": ("备忘", "Notes"),
    # login
    "login.title": ("登录", "Sign in"),
    "login.server": ("服务器地址", "Server address"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.busy": ("正在登录…", "Signing in…"),
    "login.failed": (
        "登录失败,请重试({detail})。",
        "Sign-in failed; try again ({detail}).",
    ),
    "login.once": (
        "首次登录需要联网;之后可离线工作。",
        "The first sign-in needs the network; afterwards everything works offline.",
    ),
    "login.unsynced": (
        "本机还有 {n} 项 {user} 的数据未同步,不能切换账号或服务器。请先用原账号同步。",
        "{n} unsynced items of {user} are on this phone; sync them with that "
        "account before switching account or server.",
    ),
    "login.expired": (
        "登录已过期,请重新登录(未同步的数据都还在)。",
        "Your sign-in expired; sign in again (unsynced work is kept).",
    ),
    # home
    "home.title": ("检查任务", "Inspections"),
    "home.title.site_manager": ("整改任务", "Corrective actions"),
    "home.new_visit": ("新建检查", "New inspection"),
    "home.tasks": ("指派任务", "Assigned tasks"),
    "home.returned": ("被退回,待修改", "Returned for correction"),
    "home.drafts": ("草稿", "Drafts"),
    "home.submitted": ("已提交", "Submitted"),
    "home.rectifications": ("整改任务", "Corrective actions"),
    "home.empty": ("暂无内容", "Nothing here yet"),
    "home.overdue": ("已逾期", "Overdue"),
    "home.due": ("截止 {date}", "Due {date}"),
    # sync badge and screen
    "sync.title": ("同步", "Sync"),
    "sync.now": ("立即同步", "Sync now"),
    "sync.pending": (
        "待同步 {records} 条记录 · {photos} 张照片",
        "{records} records · {photos} photos to sync",
    ),
    "sync.all_done": ("已全部同步", "Everything is synced"),
    "sync.pending_visits": ("待发送的检查", "Inspections with changes to send"),
    "sync.pending_photos": ("待上传的照片", "Photos to upload"),
    "sync.visit_pending": ("{n} 条更改待发送", "{n} changes to send"),
    "sync.photo_progress": ("已上传 {sent}% · {kb} KB", "{sent}% uploaded · {kb} KB"),
    "sync.relogin": (
        "点此重新登录(数据都还在)",
        "tap to sign in again (your work is kept)",
    ),
    "sync.last": ("上次同步 {when}", "Last sync {when}"),
    "sync.never": ("尚未同步", "Never synced"),
    "sync.error": ("同步失败:{reason}", "Sync failed: {reason}"),
    "sync.running": ("正在同步…", "Syncing…"),
    "sync.phase.push": ("上传记录 {done}/{total}", "Sending records {done}/{total}"),
    "sync.phase.upload": ("上传照片 {done}/{total}", "Uploading photos {done}/{total}"),
    "sync.phase.pull": ("下载更新 {done} 条", "Receiving {done} changes"),
    "sync.phase.download": (
        "下载整改前照片 {done}/{total}",
        "Fetching evidence photos {done}/{total}",
    ),
    "sync.phase.done": ("同步完成", "Sync complete"),
    "sync.rejected": ("服务器未接受的修改", "Changes the server refused"),
    "sync.offline": ("无法连接服务器,稍后自动重试", "Server unreachable; will retry"),
    "sync.bad_answer": (
        "服务器的回复无法识别,稍后自动重试",
        "The server's answer could not be read; will retry",
    ),
    # site picker and new visit
    "sites.title": ("选择检查点", "Choose a site"),
    "sites.search": ("搜索编号、名称或地址", "Search code, name or address"),
    "sites.recent": ("最近", "Recent"),
    "visit.new": ("开始检查", "Start inspection"),
    "visit.template": ("检查表", "Checklist"),
    "visit.mode": ("检查方式", "Mode"),
    "visit.mode.overt": ("明查", "Announced"),
    "visit.mode.covert": ("暗访", "Covert"),
    "visit.kind": ("类型", "Kind"),
    "visit.kind.routine": ("例行", "Routine"),
    "visit.kind.surprise": ("突击", "Surprise"),
    "visit.start": ("开始", "Start"),
    "visit.no_template": ("没有适用于该方式的检查表", "No checklist allows this mode"),
    # checklist
    "check.pass": ("合格", "Pass"),
    "check.fail": ("不合格", "Fail"),
    "check.na": ("不适用", "N/A"),
    "check.count": ("次数", "Count"),
    "check.less": ("减少", "Fewer"),
    "check.more": ("增加", "More"),
    "check.value": ("填报值({unit})", "Value ({unit})"),
    "check.note": ("备注", "Note"),
    "check.subject": ("责任人/岗位", "Person / post"),
    "check.photo": ("拍照", "Photo"),
    "check.pick": ("相册", "Pick"),
    "check.photo_required": ("不合格须拍照取证", "A photo is required when failed"),
    # camera-only evidence (fieldcore.evidence)
    "check.camera_only": ("仅限现场拍照", "Camera only, no gallery"),
    "check.no_camera": (
        "此项须现场拍照,本设备无法拍照",
        "This item needs a photo taken on the spot; this device has no camera",
    ),
    "check.photo_warning": ("照片提醒:{text}", "Photo warning: {text}"),
    "check.progress": ("已检查 {done}/{total}", "{done}/{total} checked"),
    "check.score": (
        "得分 {total}/{max} · {percent} · {grade}",
        "Score {total}/{max} · {percent} · {grade}",
    ),
    "check.veto": ("一票否决:{items}", "Veto: {items}"),
    "check.finish": ("完成检查", "Finish"),
    "check.pass_rest": ("其余全部合格", "Mark the rest as pass"),
    "check.pass_rest_confirm": (
        "把 {n} 个未判定的项目标为合格?需要填写数值的项目仍由您填写。",
        "Mark {n} unanswered items as pass? Items that need a figure are left for you.",
    ),
    "check.pass_rest_none": ("没有可标记的未判定项目", "No unanswered items to mark"),
    "check.hide": ("隐藏", "Hide"),
    "check.review_comment": ("督察意见:{text}", "Reviewer: {text}"),
    "check.returned": ("退回原因:{text}", "Returned: {text}"),
    "check.locked": ("已提交,只读", "Submitted: read only"),
    "check.guidance": ("检查方法", "How to check"),
    # last time at hand (fieldcore.history)
    "check.last_time": ("上次:{result} · {date}", "Last time: {result} · {date}"),
    "check.repeat": ("重复问题", "Repeat problem"),
    "check.only_repeats": ("只看重复问题({n})", "Repeat problems only ({n})"),
    # 标注: marking the defect on a photo (ui/annotator.py)
    "annot.open": ("标注", "Mark up"),
    "annot.title": ("标注照片", "Mark up the photo"),
    "annot.circle": ("圈", "Circle"),
    "annot.rect": ("框", "Box"),
    "annot.arrow": ("箭头", "Arrow"),
    "annot.text": ("文字", "Text"),
    "annot.move": ("移动/缩放", "Move/zoom"),
    "annot.zoom_in": ("放大", "Zoom in"),
    "annot.zoom_reset": ("看全图", "Whole photo"),
    "annot.words": ("文字(先输入,再点图片)", "Text (type, then tap the photo)"),
    "annot.words_first": ("请先输入文字,再点图片", "Type the text first, then tap the photo"),
    "annot.count": ("已标记 {n} 处", "{n} marks"),
    "annot.undo": ("撤销", "Undo"),
    "annot.save": ("保存标注", "Save"),
    "annot.nothing": ("还没有标记", "Nothing marked yet"),
    "annot.no_bytes": ("本机没有这张照片的原图,无法标注", "The photo is not on this phone"),
    "annot.showing_marked": ("显示:标注(关闭看原图)", "Showing: marked (off: original)"),
    "annot.showing_original": ("显示:原图(打开看标注)", "Showing: original (on: marked)"),
    "check.last_photos_fetch": ("下载上次照片({n})", "Get last time's photos ({n})"),
    # finish
    "finish.title": ("检查汇总", "Summary"),
    "finish.failed": ("不合格项", "Failed items"),
    "finish.ack_name": ("现场负责人签认(姓名)", "Acknowledged on site by (name)"),
    "finish.ack_refused": ("负责人拒绝签认", "The person in charge refused to sign"),
    "finish.signature": ("签名", "Signature"),
    "finish.clear": ("清除", "Clear"),
    "finish.submit": ("提交", "Submit"),
    "finish.submitted": ("已提交,将在联网时同步", "Submitted; it syncs when online"),
    "finish.missing": (
        "还有 {n} 项未检查,{m} 项缺少照片",
        "{n} items unanswered, {m} photos missing",
    ),
    "finish.unanswered_items": ("未检查", "Unanswered"),
    "finish.photo_warnings": (
        "照片提醒(仍可提交,督察会看到):",
        "Photo warnings (you can still submit; the reviewer sees them):",
    ),
    "finish.visit_photo": ("整体照片", "Visit photo"),
    "finish.photo_items": ("缺照片", "Photo missing"),
    "finish.passed": ("达标", "Passed"),
    "finish.incomplete": ("尚未检查完,暂无结论", "Not complete yet: no verdict"),
    "finish.not_passed": ("未达标", "Not passed"),
    # rectification (site manager)
    "rect.title": ("整改", "Corrective action"),
    "rect.before": ("整改前", "Before"),
    "rect.after": ("整改后", "After"),
    "rect.before_waiting": (
        "还有 {n} 张检查照片未下载,同步后显示",
        "{n} evidence photos not here yet; they appear after a sync",
    ),
    "rect.no_photo": ("暂无照片", "No photos"),
    "rect.photo": ("照片", "Photo"),
    "rect.response": ("整改说明", "What was done"),
    "rect.submit": ("提交整改", "Submit the fix"),
    "rect.status.open": ("待整改", "Open"),
    "rect.status.submitted": ("待复查", "Awaiting verification"),
    "rect.status.verified": ("已通过复查", "Verified"),
    "rect.status.reopened": ("复查未通过", "Reopened"),
    # statuses
    "status.draft": ("草稿", "Draft"),
    "status.submitted": ("已提交", "Submitted"),
    "status.returned": ("被退回", "Returned"),
    "status.resubmitted": ("已重新提交", "Resubmitted"),
    "status.approved": ("已审核", "Approved"),
    "status.published": ("已通报", "Published"),
    "status.voided": ("已作废", "Voided"),
    # misc
    "common.back": ("返回", "Back"),
    "common.save": ("保存", "Save"),
    "common.cancel": ("取消", "Cancel"),
    "common.confirm": ("确定", "OK"),
    "common.delete": ("删除", "Delete"),
    "common.language": ("English", "中文"),
    # the menu offers the theme not in use (as it offers the other language)
    "common.contrast_on": ("高对比度(强光下)", "High contrast (sunlight)"),
    "common.contrast_off": ("标准配色", "Standard colours"),
    "common.sign_out": ("退出登录", "Sign out"),
    "common.error": ("出错了:{reason}", "Something went wrong: {reason}"),
    "common.saved": ("已保存", "Saved"),
    "hide.tap": ("", ""),
}

LANGS = ("zh", "en")
# the phone's own sync failures (fieldapp/sync/errors.py), which are no problem codes
CLIENT_REASONS = {"client.offline": "sync.offline", "client.bad_answer": "sync.bad_answer"}


class Text:
    """The strings of one language; switchable at run time."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang if lang in LANGS else "zh"

    def __call__(self, key: str, **values: Any) -> str:
        zh, en = STRINGS[key]
        text = en if self.lang == "en" else zh
        return text.format(**values) if values else text

    def problem(self, code: str, detail: str = "") -> str:
        """The message of a problem code (domain or server), with its detail if any."""
        try:
            zh, en = MESSAGES[ProblemCode(code)]
            text = en if self.lang == "en" else zh
        except ValueError:
            text = code
        return (
            f"{text}({detail})"
            if detail and self.lang == "zh"
            else (f"{text} ({detail})" if detail else text)
        )

    def reason(self, code: str) -> str:
        """Why a sync or sign-in failed, in words: the phone's own failures (no route, an
        answer it could not read) or the server's problem code."""
        key = CLIENT_REASONS.get(code)
        return self(key) if key else self.problem(code)

    def pick(self, zh: str, en: str = "") -> str:
        """Template text in the current language (templates carry *_en beside Chinese)."""
        return en if self.lang == "en" and en else zh

    def toggle(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
