"""Problem codes: the one catalogue of stable error codes shared by phone, server and CLI.

A code never changes meaning once released; retired codes stay here as comments. Every
code has a Chinese and an English default message; callers add specifics in `details`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ProblemCode(StrEnum):
    # checklist templates
    TEMPLATE_INVALID = "template.invalid"
    TEMPLATE_NOT_FOUND = "template.not_found"
    # answers given to the scoring engine
    ANSWERS_INVALID = "answers.invalid"
    ANSWERS_NOT_OBJECT = "answers.not_object"
    ANSWERS_UNKNOWN_ITEM = "answers.unknown_item"
    ANSWERS_UNKNOWN_FIELD = "answers.unknown_field"
    ANSWERS_INVALID_RESULT = "answers.invalid_result"
    ANSWERS_NA_NOT_ALLOWED = "answers.na_not_allowed"
    ANSWERS_INVALID_COUNT = "answers.invalid_count"
    ANSWERS_INVALID_VALUE = "answers.invalid_value"
    ANSWERS_VALUE_REQUIRED = "answers.value_required"
    ANSWERS_RESULT_CONTRADICTS_VALUE = "answers.result_contradicts_value"
    ANSWERS_ITEM_NOT_IN_MODE = "answers.item_not_in_mode"
    ANSWERS_MODE_NOT_ALLOWED = "answers.mode_not_allowed"
    # aggregation of scores
    AGGREGATE_INVALID = "aggregate.invalid"
    TEMPLATE_VERSION_EXISTS = "template.version_exists"
    # template drafts (the console's checklist editor)
    TEMPLATE_DRAFT_STALE = "template.draft_stale"
    TEMPLATE_DRAFT_CLOSED = "template.draft_closed"
    TEMPLATE_DRAFT_EXISTS = "template.draft_exists"
    # appraisal (考核): periods and the organisation's formula settings
    APPRAISAL_PERIOD_INVALID = "appraisal.period_invalid"
    APPRAISAL_SETTING_INVALID = "appraisal.setting_invalid"
    # requests
    REQUEST_INVALID = "request.invalid"
    REQUEST_MALFORMED_JSON = "request.malformed_json"
    REQUEST_TOO_LARGE = "request.too_large"
    REQUEST_UNSUPPORTED_MEDIA = "request.unsupported_media_type"
    REQUEST_NOT_FOUND = "request.not_found"
    REQUEST_METHOD_NOT_ALLOWED = "request.method_not_allowed"
    SERVER_ERROR = "server.error"
    SERVER_UNAVAILABLE = "server.unavailable"
    SERVER_STORAGE_FAILED = "server.storage_failed"
    # accounts and devices
    AUTH_INVALID_CREDENTIALS = "auth.invalid_credentials"
    AUTH_TOKEN_MISSING = "auth.token_missing"
    AUTH_TOKEN_INVALID = "auth.token_invalid"
    AUTH_TOKEN_EXPIRED = "auth.token_expired"
    AUTH_TOKEN_REVOKED = "auth.token_revoked"
    AUTH_THROTTLED = "auth.throttled"
    AUTH_DEVICE_TAKEN = "auth.device_taken"
    AUTH_FORBIDDEN = "auth.forbidden"
    # scope: a row or parent outside what the caller may see (deliberately vague)
    SCOPE_DENIED = "scope.denied"
    # sync protocol
    SYNC_SCHEMA_UNSUPPORTED = "sync.schema_unsupported"
    SYNC_MUTATION_GAP = "sync.mutation_gap"
    SYNC_BATCH_NOT_CONTIGUOUS = "sync.batch_not_contiguous"
    SYNC_TOO_MANY_MUTATIONS = "sync.too_many_mutations"
    SYNC_UNKNOWN_FIELD = "sync.unknown_field"
    SYNC_FIELD_NOT_OWNED = "sync.field_not_owned"
    SYNC_FIELD_IMMUTABLE = "sync.field_immutable"
    SYNC_MISSING_FIELD = "sync.missing_field"
    SYNC_INVALID_VALUE = "sync.invalid_value"
    SYNC_ROW_DELETED = "sync.row_deleted"
    SYNC_DELETE_NOT_ALLOWED = "sync.delete_not_allowed"
    SYNC_ID_MISMATCH = "sync.id_mismatch"
    # workflow
    WORKFLOW_LOCKED = "workflow.locked"
    WORKFLOW_TRANSITION_NOT_ALLOWED = "workflow.transition_not_allowed"
    WORKFLOW_INCOMPLETE = "workflow.incomplete"
    # photos: blobs and resumable uploads
    BLOB_NOT_FOUND = "blob.not_found"
    BLOB_NOT_REFERENCED = "blob.not_referenced"
    BLOB_HASH_MISMATCH = "blob.hash_mismatch"
    BLOB_NOT_JPEG = "blob.not_jpeg"
    BLOB_TOO_LARGE = "blob.too_large"
    BLOB_BOMB = "blob.decompression_bomb"
    UPLOAD_NOT_FOUND = "upload.not_found"
    UPLOAD_OFFSET_MISMATCH = "upload.offset_mismatch"
    UPLOAD_CHECKSUM_MISMATCH = "upload.checksum_mismatch"
    UPLOAD_EXPIRED = "upload.expired"
    UPLOAD_TOO_LONG = "upload.too_long"
    UPLOAD_QUOTA_EXCEEDED = "upload.quota_exceeded"
    # evidence rules (fieldcore/evidence.py)
    PHOTO_CAMERA_REQUIRED = "photo.camera_required"
    # marked-up evidence (fieldcore/annotation.py)
    PHOTO_ANNOTATION_INVALID = "photo.annotation_invalid"
    # operator commands
    IMPORT_INVALID = "import.invalid"
    USER_EXISTS = "user.exists"
    USER_NOT_FOUND = "user.not_found"
    # organisation administration (regions, sites, staff, accounts)
    ORG_NOT_FOUND = "org.not_found"
    ORG_EXISTS = "org.exists"
    ADMIN_LAST_ADMIN = "admin.last_admin"
    # reports and exports (明细测评表, 汇总表, 质检日报, PDF)
    REPORT_EMBARGOED = "report.embargoed"


MESSAGES: dict[ProblemCode, tuple[str, str]] = {
    ProblemCode.TEMPLATE_INVALID: ("检查表模板无效", "The checklist template is invalid"),
    ProblemCode.TEMPLATE_NOT_FOUND: ("找不到检查表模板", "Checklist template not found"),
    ProblemCode.ANSWERS_INVALID: ("检查结果有误", "The answers are invalid"),
    ProblemCode.ANSWERS_NOT_OBJECT: (
        "检查结果必须是以条目编号为键的对象",
        "Answers must be an object keyed by item code",
    ),
    ProblemCode.ANSWERS_UNKNOWN_ITEM: ("模板中没有该条目", "No such item in the template"),
    ProblemCode.ANSWERS_UNKNOWN_FIELD: ("不认识的字段", "Unknown field"),
    ProblemCode.ANSWERS_INVALID_RESULT: (
        "结果只能是 pass、fail 或 na",
        "Result must be pass, fail or na",
    ),
    ProblemCode.ANSWERS_NA_NOT_ALLOWED: ("该条目不允许“不适用”", "This item cannot be N/A"),
    ProblemCode.ANSWERS_INVALID_COUNT: ("次数无效", "Invalid count"),
    ProblemCode.ANSWERS_INVALID_VALUE: ("数值无效", "Invalid value"),
    ProblemCode.ANSWERS_VALUE_REQUIRED: ("该条目需要填写数值", "This item needs a value"),
    ProblemCode.ANSWERS_RESULT_CONTRADICTS_VALUE: (
        "结果与填写的数值矛盾",
        "The result contradicts the value entered",
    ),
    ProblemCode.ANSWERS_ITEM_NOT_IN_MODE: (
        "暗访时不检查该条目",
        "This item is not checked in this mode",
    ),
    ProblemCode.ANSWERS_MODE_NOT_ALLOWED: (
        "该模板不支持此检查方式",
        "The template does not allow this mode",
    ),
    ProblemCode.AGGREGATE_INVALID: ("汇总数据无效", "Invalid data for aggregation"),
    ProblemCode.TEMPLATE_VERSION_EXISTS: (
        "该模板版本已发布且内容不同;请发布新版本",
        "This template version is already published with other content; publish a new version",
    ),
    ProblemCode.TEMPLATE_DRAFT_STALE: (
        "草稿已被他人修改,您的保存基于旧版本,未保存;请查看对方的修改后重新编辑",
        "Someone else changed the draft since you opened it; nothing was saved",
    ),
    ProblemCode.APPRAISAL_PERIOD_INVALID: (
        "考核周期无效,应为 2026-11、2026-Q4 或 2026-H2",
        "Invalid appraisal period: give 2026-11, 2026-Q4 or 2026-H2",
    ),
    ProblemCode.APPRAISAL_SETTING_INVALID: (
        "考核设置无效,未保存",
        "Invalid appraisal setting; nothing was saved",
    ),
    ProblemCode.TEMPLATE_DRAFT_CLOSED: (
        "该草稿已发布或已放弃,不能再修改",
        "This draft was published or discarded and cannot change",
    ),
    ProblemCode.TEMPLATE_DRAFT_EXISTS: (
        "该模板版本已有未发布的草稿;请在草稿中编辑,或先放弃该草稿",
        "An open draft of this template version exists; edit it, or discard it first",
    ),
    ProblemCode.REQUEST_INVALID: ("请求内容不符合要求", "The request is invalid"),
    ProblemCode.REQUEST_MALFORMED_JSON: (
        "请求不是有效的 JSON",
        "The request body is not valid JSON",
    ),
    ProblemCode.REQUEST_TOO_LARGE: ("请求过大", "The request is too large"),
    ProblemCode.REQUEST_UNSUPPORTED_MEDIA: ("不支持的内容类型", "Unsupported content type"),
    ProblemCode.REQUEST_NOT_FOUND: ("地址不存在", "No such endpoint"),
    ProblemCode.REQUEST_METHOD_NOT_ALLOWED: ("不支持该请求方法", "Method not allowed"),
    ProblemCode.SERVER_ERROR: ("服务器内部错误", "Internal server error"),
    ProblemCode.SERVER_UNAVAILABLE: ("服务器暂时不可用,请稍后重试", "Server busy, retry later"),
    ProblemCode.SERVER_STORAGE_FAILED: (
        "服务器存储失败,请稍后重试",
        "Server storage failed, retry later",
    ),
    ProblemCode.AUTH_INVALID_CREDENTIALS: ("用户名或密码错误", "Wrong username or password"),
    ProblemCode.AUTH_TOKEN_MISSING: ("请先登录", "Sign-in required"),
    ProblemCode.AUTH_TOKEN_INVALID: ("登录凭证无效,请重新登录", "Invalid token; sign in again"),
    ProblemCode.AUTH_TOKEN_EXPIRED: ("登录已过期,请重新登录", "Token expired; sign in again"),
    ProblemCode.AUTH_TOKEN_REVOKED: ("该设备已被注销,请重新登录", "Device revoked; sign in again"),
    ProblemCode.AUTH_THROTTLED: ("登录失败次数过多,请稍后再试", "Too many failed sign-ins; wait"),
    ProblemCode.AUTH_DEVICE_TAKEN: ("该设备已登记给其他用户", "Device enrolled by another user"),
    ProblemCode.AUTH_FORBIDDEN: ("无权执行此操作", "Your role may not do this"),
    ProblemCode.SCOPE_DENIED: ("不存在或不在您的权限范围内", "Not found or outside your scope"),
    ProblemCode.SYNC_SCHEMA_UNSUPPORTED: ("应用版本过旧或过新,请更新", "App version not supported"),
    ProblemCode.SYNC_MUTATION_GAP: ("同步记录缺失,需从断点重发", "Mutation gap; resend from last"),
    ProblemCode.SYNC_BATCH_NOT_CONTIGUOUS: ("同步批次编号不连续", "Batch seqs are not contiguous"),
    ProblemCode.SYNC_TOO_MANY_MUTATIONS: ("一次同步的记录过多", "Too many mutations in one push"),
    ProblemCode.SYNC_UNKNOWN_FIELD: ("不认识的字段", "Unknown field"),
    ProblemCode.SYNC_FIELD_NOT_OWNED: (
        "您的角色不能修改该字段",
        "Your role does not own this field",
    ),
    ProblemCode.SYNC_FIELD_IMMUTABLE: (
        "该字段创建后不能修改",
        "Field cannot change after creation",
    ),
    ProblemCode.SYNC_MISSING_FIELD: ("缺少必填字段", "A required field is missing"),
    ProblemCode.SYNC_INVALID_VALUE: ("字段值无效", "Invalid field value"),
    ProblemCode.SYNC_ROW_DELETED: ("该记录已被删除", "The record was deleted"),
    ProblemCode.SYNC_DELETE_NOT_ALLOWED: ("不能删除该记录", "This record cannot be deleted"),
    ProblemCode.SYNC_ID_MISMATCH: ("记录编号与内容不符", "Record id does not match its content"),
    ProblemCode.WORKFLOW_LOCKED: (
        "检查已提交或已审核,不能再修改",
        "The visit is submitted or reviewed and locked",
    ),
    ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED: ("不允许的状态变更", "Status change not allowed"),
    ProblemCode.WORKFLOW_INCOMPLETE: ("检查未完成,不能提交", "The visit is incomplete"),
    ProblemCode.BLOB_NOT_FOUND: ("照片不存在", "Photo not found"),
    ProblemCode.BLOB_NOT_REFERENCED: (
        "没有照片记录引用该文件",
        "No photo record in your scope references this file",
    ),
    ProblemCode.BLOB_HASH_MISMATCH: ("照片校验值不符", "Photo bytes do not match their sha256"),
    ProblemCode.BLOB_NOT_JPEG: ("照片不是完整的 JPEG", "Not a complete JPEG image"),
    ProblemCode.BLOB_TOO_LARGE: ("照片过大", "Photo too large"),
    ProblemCode.BLOB_BOMB: ("照片像素过多", "Image has too many pixels"),
    ProblemCode.UPLOAD_NOT_FOUND: ("上传任务不存在", "Upload not found"),
    ProblemCode.UPLOAD_OFFSET_MISMATCH: (
        "上传位置不符,请从服务器位置续传",
        "Offset mismatch; resume",
    ),
    ProblemCode.UPLOAD_CHECKSUM_MISMATCH: ("数据块校验失败", "Chunk checksum mismatch"),
    ProblemCode.UPLOAD_EXPIRED: ("上传任务已过期", "Upload expired"),
    ProblemCode.UPLOAD_TOO_LONG: ("上传超出声明的长度", "Upload exceeds its declared length"),
    ProblemCode.UPLOAD_QUOTA_EXCEEDED: (
        "未完成的照片上传已占满服务器为您保留的空间,请先完成已开始的上传,稍后再试",
        "Your unfinished photo uploads fill the space the server keeps for you;"
        " finish them first and retry later",
    ),
    ProblemCode.PHOTO_CAMERA_REQUIRED: (
        "此项须现场拍照,不能使用相册中的照片",
        "This item needs a photo shot with the camera on the spot, not one from the gallery",
    ),
    ProblemCode.PHOTO_ANNOTATION_INVALID: (
        "标注无效:须标在同一检查项下本人拍摄的原图上,且标记在图内",
        "Invalid annotation: it marks your own original photo of the same item, inside it",
    ),
    ProblemCode.IMPORT_INVALID: (
        "导入文件有错误,未导入任何数据",
        "Import file invalid; nothing imported",
    ),
    ProblemCode.USER_EXISTS: ("用户已存在", "User already exists"),
    ProblemCode.USER_NOT_FOUND: ("用户不存在", "No such user"),
    ProblemCode.ORG_NOT_FOUND: ("找不到该区域、场所或人员", "No such region, site or staff member"),
    ProblemCode.ORG_EXISTS: ("该编号已被使用", "That code is already in use"),
    ProblemCode.ADMIN_LAST_ADMIN: (
        "不能停用或降级最后一位启用的管理员,未做修改",
        "The last active admin cannot be disabled or demoted; nothing changed",
    ),
    ProblemCode.REPORT_EMBARGOED: (
        "检查结果尚未发布(暗访结果发布前仅限督导和管理员导出)",
        "The result is not published yet (unpublished covert visits: supervisors and admins only)",
    ),
}


def message(code: ProblemCode, lang: str = "zh") -> str:
    """Default user-facing message of a code, Chinese first."""
    zh, en = MESSAGES[code]
    return en if lang == "en" else zh


class DomainError(Exception):
    """A rule of the domain was broken; carries a stable code and machine-readable details."""

    def __init__(self, code: ProblemCode, detail: str = "", **details: Any) -> None:
        self.code = code
        self.detail = detail
        self.details = details
        super().__init__(f"{code}: {detail}" if detail else str(code))

    def to_problem(self, lang: str = "zh") -> dict[str, Any]:
        """The wire shape every edge uses: {"code", "message", "details"}."""
        msg = message(self.code, lang)
        return {
            "code": str(self.code),
            "message": f"{msg}: {self.detail}" if self.detail else msg,
            "details": self.details,
        }
