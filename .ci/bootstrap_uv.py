"""Fetch a pinned uv binary with nothing but the Python standard library.

A fresh Debian machine has python3 but neither pip nor ensurepip (python3-venv), so
`python3 -m venv` fails there. uv creates virtual environments without either, so the
Makefile bootstraps uv first: download its wheel from PyPI, check the pinned sha256,
and unpack the single binary. Usage: bootstrap_uv.py VERSION DEST_DIR
"""

import hashlib
import io
import os
import platform
import shutil
import stat
import sys
import urllib.parse
import urllib.request
import zipfile

# sha256 of each uv 0.13.9 wheel on PyPI, per platform tag.
WHEELS = {
    ("Linux", "x86_64"): (
        "manylinux_2_17_x86_64.manylinux2014_x86_64",
        "d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19",
    ),
    ("Linux", "aarch64"): (
        "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
        "5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe",
    ),
    ("Darwin", "arm64"): (
        "macosx_11_0_arm64",
        "66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63",
    ),
    ("Darwin", "x86_64"): (
        "macosx_10_12_x86_64",
        "c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5",
    ),
}
PINNED_VERSION = "0.13.9"
INDEX = os.environ.get("MINGCHA_UV_INDEX", "https://pypi.org/simple")


def wheel_url(version: str, tag: str) -> str:
    name = f"uv-{version}-py3-none-{tag}.whl"
    with urllib.request.urlopen(f"{INDEX}/uv/", timeout=60) as page:
        html = page.read().decode()
    for chunk in html.split('href="')[1:]:
        href = chunk.split('"', 1)[0]
        if href.split("#", 1)[0].endswith("/" + name):
            return urllib.parse.urljoin(f"{INDEX}/uv/", href.split("#", 1)[0])
    raise SystemExit(f"bootstrap_uv: {name} not listed on {INDEX}/uv/")


def main() -> None:
    version, dest = sys.argv[1], sys.argv[2]
    if version != PINNED_VERSION:
        raise SystemExit(f"bootstrap_uv: hashes are pinned for uv {PINNED_VERSION}, not {version}")
    key = (platform.system(), platform.machine())
    if key not in WHEELS:
        raise SystemExit(
            f"bootstrap_uv: no pinned uv wheel for {key}; install uv {version} yourself"
        )
    tag, sha = WHEELS[key]
    url = wheel_url(version, tag)
    print(f"bootstrap_uv: downloading {url}", flush=True)
    with urllib.request.urlopen(url, timeout=300) as resp:
        data = resp.read()
    got = hashlib.sha256(data).hexdigest()
    if got != sha:
        raise SystemExit(f"bootstrap_uv: sha256 mismatch for {url}: {got} != {sha}")
    os.makedirs(dest, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        member = next(n for n in wheel.namelist() if n.endswith("/scripts/uv"))
        target = os.path.join(dest, "uv")
        with wheel.open(member) as src, open(target + ".tmp", "wb") as out:
            shutil.copyfileobj(src, out)
    os.chmod(target + ".tmp", os.stat(target + ".tmp").st_mode | stat.S_IXUSR | stat.S_IXGRP)
    os.replace(target + ".tmp", target)
    print(f"bootstrap_uv: uv {version} ready at {target}", flush=True)


if __name__ == "__main__":
    main()
