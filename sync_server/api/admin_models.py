"""Request and answer bodies of the admin API (/v1/admin, api/ADMIN.md): pydantic models,
so OpenAPI documents every field."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from fieldcore.bounds import StorableText

Role = Literal["admin", "supervisor", "inspector", "site_manager"]
Code = Annotated[str, StorableText(64, min_length=1)]  # a region, site or user code
Codes = Annotated[list[Code], Field(max_length=1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegionOut(BaseModel):
    code: str
    name: str
    parent: str | None = Field(description="Parent region's code; null at the top")


class RegionCreate(Strict):
    code: Code
    name: Annotated[str, StorableText(200, min_length=1)]
    parent: Code | None = Field(None, description="Makes it a department")


class RegionPatch(Strict):
    name: Annotated[str, StorableText(200, min_length=1)] | None = None
    parent: Code | None = Field(
        None, description="Move under this region; an explicit null: top level"
    )


class SiteOut(BaseModel):
    code: str
    name: str
    type: str
    region: str
    address: str
    lat: float | None
    lon: float | None
    active: bool


class SiteCreate(Strict):
    code: Code
    name: Annotated[str, StorableText(200, min_length=1)]
    type: Annotated[str, StorableText(64, min_length=1)] = Field(
        description="Site type, e.g. store"
    )
    region: Code
    address: Annotated[str, StorableText(500)] = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class SitePatch(Strict):
    name: Annotated[str, StorableText(200, min_length=1)] | None = None
    type: Code | None = None
    region: Code | None = None
    address: Annotated[str, StorableText(500)] | None = None
    active: bool | None = None


class StaffOut(BaseModel):
    id: uuid.UUID
    site: str
    post: str = Field(description="The template's subject code, e.g. clerk")
    name: str
    active: bool


class StaffCreate(Strict):
    post: Code
    name: Annotated[str, StorableText(200)] = ""


class StaffPatch(Strict):
    post: Code | None = None
    name: Annotated[str, StorableText(200)] | None = None
    active: bool | None = None


class ImportFile(Strict):
    filename: Annotated[str, StorableText(200)] = Field("", description="sites.xlsx or sites.csv")
    content_base64: str = Field(description="The file's bytes, base64 (.xlsx or UTF-8 CSV)")


class SitesImportOut(BaseModel):
    problems: list[str] = Field(description="Every row's problem; any and nothing imports")
    created: int
    updated: int
    sites: list[str] = Field(description="The codes the import creates or updates")


class AccountOut(BaseModel):
    username: str
    display_name: str
    alias: str
    role: Role
    active: bool
    regions: list[str]
    sites: list[str]
    devices: int = Field(description="Active device tokens (phones signed in)")


class AccountCreate(Strict):
    username: Code
    role: Role
    password: Annotated[str, StorableText(200, min_length=8)]
    display_name: Annotated[str, StorableText(200)] = ""
    alias: Annotated[str, StorableText(64)] = Field("", description="Shown on photo watermarks")
    regions: Codes = []
    sites: Codes = []


class AccountPatch(Strict):
    role: Role | None = None
    active: bool | None = Field(None, description="false: disable (its devices are revoked)")


class PasswordReset(Strict):
    password: Annotated[str, StorableText(200, min_length=8)]


class Assignments(Strict):
    regions: Codes = []
    sites: Codes = []


class Revoked(BaseModel):
    revoked: int = Field(description="How many active devices were revoked")


class AccountsImportOut(BaseModel):
    problems: list[str] = Field(description="Every row's problem; any and nothing imports")
    accounts: list[str] = Field(description="The usernames the import creates")
