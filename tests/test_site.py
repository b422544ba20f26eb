"""The workbook's website (``make site``) in a real browser.

A session fixture runs ``make site`` into a directory of its own (the same target,
with the running interpreter and without its install steps), serves it from
localhost, and headless Chromium (Debian's package, driven by playwright) visits
every page reachable from the home page. Each page must answer 200 and load with no
console error, no failed or refused request and no request off this machine; every
image must be decoded; on a page with math, every formula must be typeset by MathJax,
without a TeX error. Every same-origin ``href``/``src`` (downloads included) must
resolve, and a ``#fragment`` must name an element of its page; external links are
only listed. Full-page screenshots go to ``build/site-screenshots/``, to be looked at.

Skipped, with the reason, when the site extra or a Chromium is missing (``make test``
installs both where it can: the site extra and ``browser-if-possible``).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "site-screenshots"
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))

for _module in ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax", "playwright"):
    pytest.importorskip(_module, reason=f"the site test needs the site extra ({_module}): "
                                        "`pip install -e '.[site]'`; `make test` installs it")


def _chromium() -> str | None:
    for candidate in (os.environ.get("HAMODEL_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install chromium; "
                       "`make test` installs it when it runs as root or with sudo)"),
    pytest.mark.skipif(shutil.which("make") is None, reason="the site is built by `make site`"),
]
# A closed network: nothing in the background may try to reach out.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MATH = ".math"  # Sphinx's math nodes: span.math (inline) and div.math (display)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """``make site`` into a temporary directory; the install stamps are stood in for
    by files as old as pyproject.toml, so make neither installs nor rebuilds for them."""
    tmp = tmp_path_factory.mktemp("site")
    mtime = (ROOT / "pyproject.toml").stat().st_mtime_ns
    stamps = []
    for name in ("installed", "site-installed"):
        stamp = tmp / f"stamp-{name}"
        stamp.touch()
        os.utime(stamp, ns=(mtime, mtime))
        stamps.append(stamp)
    out = tmp / "site"
    bindir = Path(sys.executable).parent
    cmd = ["make", "--no-print-directory", "site", f"SITE_DIR={out}",
           f"VPY={sys.executable}", f"JUPYTER={bindir / 'jupyter'}",
           f"STAMP={stamps[0]}", f"SITE_STAMP={stamps[1]}"]
    # Not a sub-make of the `make test` that may be running pytest: its flags stay out.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"make site failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert (out / "index.html").is_file()
    return out


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _is_page(url: str) -> bool:
    path = urlparse(url).path
    return path.endswith((".html", "/"))


@pytest.fixture(scope="session")
def crawl(server):
    """Every page reachable from index.html, visited in Chromium: what each showed."""
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    origin = server.rstrip("/")
    pages: dict[str, dict] = {}
    links: dict[str, set[str]] = {}  # same-origin url (with fragment) -> pages linking it
    external: set[str] = set()
    home = urljoin(server, "README.html")  # the root document; index.html redirects to it
    queue = deque([home])
    seen = {home, urljoin(server, "index.html"), server}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(
            f"console error: {m.text} ({m.location.get('url')})"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # A request the browser cancelled (net::ERR_ABORTED: a favicon fetch cut short by
        # the next navigation) is no fault of the page; a missing file answers 4xx, seen
        # below, and test_links_resolve fetches every same-origin href and src anyway.
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and problems.append(
            f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: not r.url.startswith((origin, "data:", "blob:"))
                and problems.append(f"request off this machine: {r.url}"))
        page.goto(urljoin(server, "index.html"))
        page.wait_for_url(home)
        redirect_problems = list(problems)
        while queue:
            url = queue.popleft()
            problems.clear()
            response = page.goto(url, wait_until="load")
            status = response.status if response else None
            # MathJax typesets after load; images may be lazy: make them load, then wait.
            page.evaluate("""async () => {
                if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
                for (const img of document.images) { img.loading = 'eager'; }
                await Promise.all(Array.from(document.images).map(
                    img => img.decode().catch(() => null)));
            }""")
            # Nothing in flight when the next page is opened: an aborted request would be
            # blamed on that page.
            page.wait_for_load_state("networkidle")
            info = page.evaluate(f"""() => ({{
                title: document.title,
                url: location.href,
                broken_images: Array.from(document.images)
                    .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
                images: document.images.length,
                math: document.querySelectorAll('{MATH}').length,
                untypeset: Array.from(document.querySelectorAll('{MATH}'))
                    .filter(el => !el.querySelector('mjx-container'))
                    .map(el => el.textContent.slice(0, 80)),
                tex_errors: Array.from(document.querySelectorAll('mjx-merror'))
                    .map(el => el.getAttribute('data-mjx-error') || el.textContent),
                ids: Array.from(document.querySelectorAll('[id]')).map(el => el.id)
                    .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name)),
                refs: Array.from(document.querySelectorAll('a[href], link[href]'))
                    .map(el => el.href)
                    .concat(Array.from(document.querySelectorAll('[src]')).map(el => el.src)),
            }})""")
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", urlparse(info["url"]).path.strip("/")) or "index"
            page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"), full_page=True)
            info.update(status=status, problems=list(problems))
            pages[info["url"]] = info
            for ref in info["refs"]:
                if not ref or ref.startswith(("javascript:", "mailto:", "data:", "blob:")):
                    continue
                if not ref.startswith(origin):
                    external.add(ref)
                    continue
                links.setdefault(ref, set()).add(info["url"])
                target = urldefrag(ref).url
                if _is_page(target) and target not in seen:
                    seen.add(target)
                    queue.append(target)
        browser.close()
    if external:
        print(f"\nexternal links (listed, not fetched): {sorted(external)}")
    return {"pages": pages, "links": links, "origin": origin, "redirect": redirect_problems}


def _page_for(crawl, url):
    pages = crawl["pages"]
    return pages.get(url) or pages.get(urljoin(url, "index.html"))


def test_every_notebook_and_guide_is_a_page(crawl, server):
    names = {Path(urlparse(u).path).name for u in crawl["pages"]}
    wanted = {f"{stem}.html" for stem in NOTEBOOKS} | {"README.html"}
    wanted |= {f"{p.stem}.html" for p in (ROOT / "notebooks").glob("*.md")}
    assert wanted <= names, f"not reached from the home page: {sorted(wanted - names)}"


def test_pages_load_without_errors(crawl):
    assert not crawl["redirect"], crawl["redirect"]  # index.html -> README.html
    bad = {url: (info["status"], info["problems"]) for url, info in crawl["pages"].items()
           if info["status"] != 200 or info["problems"]}
    assert not bad, json.dumps(bad, indent=1)


def test_images_render(crawl):
    broken = {url: info["broken_images"] for url, info in crawl["pages"].items()
              if info["broken_images"]}
    assert not broken, json.dumps(broken, indent=1)
    with_figures = [u for u, info in crawl["pages"].items() if info["images"]]
    assert len(with_figures) >= len(NOTEBOOKS) // 2, "hardly any page shows a figure"


def test_math_is_typeset(crawl):
    bad = {url: {"untypeset": info["untypeset"], "tex_errors": info["tex_errors"]}
           for url, info in crawl["pages"].items() if info["untypeset"] or info["tex_errors"]}
    assert not bad, json.dumps(bad, indent=1)
    assert any(info["math"] for info in crawl["pages"].values()), "no math on any page"


def test_links_resolve(crawl):
    broken, missing_anchor = {}, {}
    for ref, sources in sorted(crawl["links"].items()):
        target, fragment = urldefrag(ref)
        page = _page_for(crawl, target)
        if page is None:
            status = _status(target)
            if status != 200:
                broken[ref] = (status, sorted(sources))
        elif fragment and fragment not in page["ids"]:
            missing_anchor[ref] = sorted(sources)
    assert not broken, json.dumps(broken, indent=1)
    assert not missing_anchor, json.dumps(missing_anchor, indent=1)


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_notebook_page_offers_its_student_copy(crawl, stem):
    """The page links ``_downloads/.../<stem>.ipynb`` twice (student copy, executed
    notebook); the student copy is the one without outputs."""
    (info,) = [i for u, i in crawl["pages"].items() if urlparse(u).path.endswith(f"/{stem}.html")]
    downloads = sorted({r for r in info["refs"]
                        if "/_downloads/" in r and r.endswith(f"/{stem}.ipynb")})
    assert len(downloads) == 2, downloads
    notebooks = []
    for url in downloads:
        with urllib.request.urlopen(url, timeout=30) as response:
            notebooks.append(json.load(response))
    outputs = [sum(len(c.get("outputs", [])) for c in nb["cells"]) for nb in notebooks]
    assert sorted(outputs)[0] == 0, "no download without outputs (the student copy)"
