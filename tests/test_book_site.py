"""The built website, checked in a real browser (headless Chromium driven by Selenium).

The site in ``_build/html`` is served on 127.0.0.1 (a free port, ``http.server`` in a thread) and
every page of ``_toc.yml`` is opened in headless Chromium. On each page:

- the maths is typeset by the site's own MathJax 3 (``mjx-container`` in every ``.math`` element,
  no raw ``$$``, ``\\begin{``, ``\\(`` or ``$\\mu$`` left in the text outside code);
- every ``<img>`` has loaded (``naturalWidth > 0``) and a notebook page shows as many images as its
  notebook has image outputs;
- the Colab launch link of a notebook page opens that notebook on the repository's branch;
- exercise solutions and dropdown answers are collapsed; saved widget state covers every widget view,
  progress bars are saved in their final state, and every widget is drawn on the page by the
  site's own copy of ipywidgets' HTML manager (fetched by tools/setup_env.sh);
- no local request answers an error (the server's log) and every local ``href``/``src`` resolves;
- the page reads at every width of ``OVERFLOW_WIDTHS`` (390 px, a phone in mobile emulation, to
  1400 px): the page is never wider than the window (titles, inline code and signatures wrap);
  from ``FIT_FROM`` (1000 px) up, code, outputs, tables and display maths fit the column (long
  formulas are broken over lines by hand); below it, what does not fit scrolls inside its box
  with a visible scroll shadow; saved progress bars keep a visible bar;
- the Colab install cell is not on the page (it is for Colab only);
- screenshots are saved under ``_build/screenshots/`` for a person to look at: ``<page>.top.png`` (the
  first screen), the whole page in parts 10,000 pixels tall (``<page>.page-1.png``, ...; not
  when ``CI`` is set: no one looks at CI's copies, and they cost seconds a page) and the first
  screen at 390 and 1200 px (``<page>.w390.png``, ``<page>.w1200.png``).
The index (``genindex.html``) and the search page (with a query) are checked at every width too.

Every test runs on both editions of the site: the public one (``_build/html``) and the student
one (``bash tools/build_book.sh --student``: ``_build/student/_build/html``, built from the
student versions of the chapters). Without a browser, ``test_hidden_tests_are_not_on_the_site``
reads every file of each site (pages, ``_sources/`` downloads, the search index): no hidden test
in either, and no solution in the student edition's chapters.

The browser runs with every host name unresolvable (only 127.0.0.1 is reachable), so the site is
checked as it works offline: MathJax is part of the site (sphinx-mathjax-offline, see _config.yml),
and so is the JavaScript that draws the saved widgets (tools/book_sphinx_fixes.py).

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver``)
and the ``selenium`` package. Environment variables:

- ``VAE_COURSE_NO_BROWSER=1``: skip (instead of failing) when Chromium, its driver or selenium is missing;
- ``VAE_COURSE_NO_BOOK_BUILD=1``: skip (instead of building it) when ``_build/html`` is missing or older
  than its sources; otherwise the test builds the book with the README's command first;
- ``CHROMIUM``, ``CHROMEDRIVER``: paths of the browser and its driver, if not on ``PATH``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_student  # noqa: E402  (tools/book_student.py)
import book_toc  # noqa: E402  (tools/book_toc.py)
import colab_cell  # noqa: E402

SITE = ROOT / "_build" / "html"
STUDENT_SOURCES = ROOT / "_build" / "student-src"
STUDENT_SITE = ROOT / "_build" / "student" / "_build" / "html"
EDITIONS = ("public", "student")
"""The two editions of the site (tools/build_book.sh and its --student switch): every test that
uses the ``site`` fixture runs on both."""
SCREENSHOTS = ROOT / "_build" / "screenshots"
BUILD_COMMAND = [
    "jupyter-book",
    "build",
    ".",
    "--all",
    "-W",
    "-n",
    "--keep-going",
]
COLAB = "https://colab.research.google.com"
IMAGE_MIME = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--hide-scrollbars",
    "--mute-audio",
    "--force-device-scale-factor=1",
    "--window-size=1280,900",
    "--lang=en-US",
    # Nothing but the local server is reachable: the site must work offline.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _source(docname: str, root: Path = ROOT) -> Path:
    for suffix in (".ipynb", ".md"):
        if (root / f"{docname}{suffix}").exists():
            return root / f"{docname}{suffix}"
    raise FileNotFoundError(
        f"_toc.yml lists {docname}, but neither {docname}.ipynb nor {docname}.md exists"
    )


PAGES = book_toc.toc_files()


# ----------------------------------------------------------------------------------------- the site
def _stale_reason(site: Path = SITE) -> str | None:
    """Why the built site cannot be used as it is (None: it is up to date)."""
    index = site / "index.html"
    if not index.exists():
        return f"{index.relative_to(ROOT)} does not exist"
    built = float(
        "inf"
    )  # the oldest page (index.html is only a redirect, written once)
    inputs = [
        ROOT / "_config.yml",
        ROOT / "_toc.yml",
        ROOT / "book" / "references.bib",
        *(ROOT / "tools").glob("book_*.py"),
        *(ROOT / "tools" / "book_static").glob("*"),
    ]
    if site == STUDENT_SITE:
        inputs += [
            book_student.SETTINGS,
            *(ROOT / "grading").glob("*.py"),
        ]
    for docname in PAGES:
        page = site / f"{docname}.html"
        if not page.exists():
            return f"{page.relative_to(ROOT)} does not exist"
        inputs.append(_source(docname))
        built = min(built, page.stat().st_mtime)
    newer = [
        p.relative_to(ROOT).as_posix()
        for p in inputs
        if p.exists() and p.stat().st_mtime > built
    ]
    if newer:
        return f"the built site is older than {', '.join(newer)}"
    return None


class Edition:
    """One edition of the site: its name, its built pages and the sources they were built from."""

    def __init__(self, name: str):
        self.name = name
        self.html = STUDENT_SITE if name == "student" else SITE
        self.root = STUDENT_SOURCES if name == "student" else ROOT

    def build(self) -> None:
        executable = Path(sys.executable).with_name("jupyter-book")
        jupyter_book = (
            str(executable) if executable.exists() else "jupyter-book"
        )
        if self.name == "public":
            command = [jupyter_book, *BUILD_COMMAND[1:]]
        else:  # as tools/build_book.sh --student does
            book_student.make(STUDENT_SOURCES)
            command = [jupyter_book, "build", str(STUDENT_SOURCES)]
            command += [*BUILD_COMMAND[3:], "--path-output"]
            command += [str(STUDENT_SITE.parents[1])]
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=1200
        )
        if result.returncode != 0:
            pytest.fail(
                f"`{' '.join(command)}` failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )

    def colab_repository(self) -> tuple[str, str]:
        if self.name == "student":
            return book_student.repository()
        return colab_cell.repository()


@pytest.fixture(scope="module", params=EDITIONS)
def site(request) -> Edition:
    edition = Edition(request.param)
    reason = _stale_reason(edition.html)
    if reason is not None:
        if _env_flag("VAE_COURSE_NO_BOOK_BUILD"):
            pytest.skip(
                f"{reason}; build it with `bash tools/build_book.sh"
                f"{' --student' if edition.name == 'student' else ''}` "
                "(VAE_COURSE_NO_BOOK_BUILD=1 is set)"
            )
        start = time.perf_counter()
        edition.build()
        print(
            f"built the {edition.name} edition in {time.perf_counter() - start:.0f} s ({reason})"
        )
    return edition


class _LoggingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site and remembers every request's path and status."""

    requests: list[tuple[str, int]]

    def log_request(self, code="-", size="-"):
        try:
            status = int(code)
        except (TypeError, ValueError):
            status = 0
        self.requests.append((self.path, status))

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass


@pytest.fixture(scope="module")
def server(site):
    requests: list[tuple[str, int]] = []
    handler = type("Handler", (_LoggingHandler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site.html))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.log = requests
    httpd.checked = {}  # local URL -> status, shared by the pages
    httpd.edition = site
    yield httpd
    httpd.shutdown()
    httpd.server_close()


# -------------------------------------------------------------------------------------- the browser
def _missing(message: str):
    if _env_flag("VAE_COURSE_NO_BROWSER"):
        pytest.skip(f"{message} (VAE_COURSE_NO_BROWSER=1 is set)")
    pytest.fail(
        f"{message}. Install it (Debian: `apt-get install -y chromium chromium-driver`; "
        f"`pip install selenium`) or set VAE_COURSE_NO_BROWSER=1 to skip this test."
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    chromium = os.environ.get("CHROMIUM") or next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which(
        "chromedriver"
    )
    if not chromium:
        _missing("Chromium is not installed")
    if not driver_path:
        _missing("chromedriver is not installed")
    os.environ.setdefault(
        "SE_OFFLINE", "true"
    )  # never let Selenium Manager look for drivers online

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options,
        service=Service(
            executable_path=driver_path, log_output=subprocess.DEVNULL
        ),
    )
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def _wait(driver, script: str, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what}"
            )
        time.sleep(0.2)


# In-page checks. Each returns a list of problems (strings).
JS_MATH = r"""
const out = {formulas: 0, typeset: 0, untypeset: [], raw: [], mathjax: null, mathjaxSrc: null};
const script = Array.from(document.scripts).find(s => /mathjax/i.test(s.src || ''));
out.mathjaxSrc = script ? script.src : null;
out.mathjax = (window.MathJax && window.MathJax.version) || null;
for (const el of document.querySelectorAll('.math')) {
  out.formulas += 1;
  if (el.querySelector('mjx-container')) out.typeset += 1;
  else out.untypeset.push(el.textContent.trim().slice(0, 80));
}
out.containers = document.querySelectorAll('mjx-container').length;
const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, NOSCRIPT, KBD, SAMP, MJX-CONTAINER, SVG';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const raw = /\$\$|\\begin\{|\\end\{|\\\(|\\\[|\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$/;
let node;
while ((node = walker.nextNode())) {
  if (node.parentElement && node.parentElement.closest(skip)) continue;
  const text = node.textContent;
  const m = text.match(raw);
  if (m) out.raw.push(text.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\s+/g, ' '));
}
return out;
"""

JS_IMAGES = r"""
const imgs = Array.from(document.images);
return {
  broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 120)),
  outputs: document.querySelectorAll('.cell_output img').length,
  total: imgs.length,
};
"""

JS_COLLAPSED = r"""
const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true})
                    && el.getBoundingClientRect().height > 0;
const open = [];
for (const ad of document.querySelectorAll('.admonition.dropdown')) {
  const body = Array.from(ad.children).filter(c => !c.classList.contains('admonition-title'));
  if (body.some(shown)) open.push('dropdown "' + (ad.querySelector('.admonition-title') || ad).textContent.trim().slice(0, 40) + '" is open');
}
for (const ad of document.querySelectorAll('.admonition')) {
  const title = ad.querySelector('.admonition-title');
  if (title && /^\s*answer/i.test(title.textContent) && !ad.classList.contains('dropdown'))
    open.push('an "Answer" admonition is not a dropdown (add `:class: dropdown`)');
}
for (const d of document.querySelectorAll('.cell.tag_hide-input details')) {
  if (d.open) open.push('a hide-input cell is open');
}
for (const pre of document.querySelectorAll('.cell_input pre')) {  // notebook code cells only
  if (pre.textContent.includes('### BEGIN SOLUTION') && shown(pre)) open.push('a solution is visible: ' + pre.textContent.trim().slice(0, 60));
  const toggle = pre.closest('.cell').querySelector('summary');
  if (pre.textContent.includes('### BEGIN SOLUTION') && !(toggle && /^\s*Show solution/.test(toggle.textContent)))
    open.push('a solution\'s toggle does not say "Show solution": ' + (toggle ? toggle.textContent.trim() : 'none'));
}
return {open: open, hidden_inputs: document.querySelectorAll('.cell.tag_hide-input').length,
        dropdowns: document.querySelectorAll('.admonition.dropdown').length};
"""

JS_WIDGETS = r"""
const problems = [];
const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
const stateScript = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
let state = {};
if (stateScript) { try { state = JSON.parse(stateScript.textContent).state || {}; } catch (e) { problems.push('widget state is not valid JSON'); } }
for (const v of views) {
  let id = null;
  try { id = JSON.parse(v.textContent).model_id; } catch (e) {}
  if (!id || !(id in state)) problems.push('a widget view has no saved state (model ' + id + ')');
}
for (const [id, model] of Object.entries(state)) {
  const s = model.state || {};
  if (/ProgressModel$/.test(s._model_name || '') && s.max !== undefined && s.value !== s.max && s.bar_style !== 'danger')
    problems.push('a progress bar was saved at ' + s.value + '/' + s.max + ' (not its final state)');
}
const rendered = views.filter(v => v.previousElementSibling && v.previousElementSibling.classList.contains('widget-subarea')
                                   && v.previousElementSibling.querySelector('.jupyter-widgets')).length;
const script = Array.from(document.scripts).find(s => /embed-amd\.js/.test(s.src || ''));
return {views: views.length, rendered: rendered, embedSrc: script ? script.src : null, problems: problems};
"""

JS_WIDGETS_DRAWN = r"""
const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
return views.every(v => v.previousElementSibling && v.previousElementSibling.classList.contains('widget-subarea'));
"""

# Whether the page reads at one window width (arguments: the width, and whether everything must
# fit). Page level: nothing makes the page wider than the window (the prose would slide
# sideways). In the article: code blocks, outputs, tables and display maths either fit the column
# or, where they may not (narrow windows), scroll inside their box with scroll shadows
# (tools/book_static/reading.css) so that a reader sees there is more; nothing sticks out.
JS_OVERFLOW = r"""
const [width, mustFit] = arguments;
const problems = [];
const describe = el => {
  const cell = el.closest('.cell');
  const text = (el.textContent || '').trim().split('\n').sort((a, b) => b.length - a.length)[0] || '';
  const section = el.closest('section[id]');
  return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '')
    + (section ? ' in #' + section.id : '')
    + (cell ? ' (' + (el.closest('.cell_output') ? 'output' : 'code') + ')' : '')
    + ': "' + text.replace(/\s+/g, ' ').slice(0, 60) + '"';
};
const visible = el => {
  const st = getComputedStyle(el);
  return st.display !== 'none' && st.visibility !== 'hidden' && el.getClientRects().length > 0;
};
// 1. The page
const pageWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
if (pageWidth > width + 1) {
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || el.closest('mjx-container') && el.tagName !== 'MJX-CONTAINER') continue;
    const r = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    if (r.right > width + 1 && parent.right <= width + 1) culprits.push(describe(el) + ' reaches ' + Math.round(r.right) + ' px');
  }
  if (!culprits.length) {  // text that does not wrap: the innermost boxes it overflows
    const boxes = Array.from(document.body.querySelectorAll('*')).filter(
      el => visible(el) && getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1);
    for (const el of boxes.filter(b => !boxes.some(o => o !== b && b.contains(o))))
      culprits.push(describe(el) + ' holds ' + el.scrollWidth + ' px in ' + el.clientWidth + ' px');
  }
  problems.push('the page is ' + pageWidth + ' px wide: ' + culprits.slice(0, 4).join('; '));
}
// 2. The article
const article = document.querySelector('main article') || document.querySelector('article')
                || document.querySelector('main');  // the search page has no article
if (!article) return problems.concat(['the page has no article element']);
const right = Math.min(article.getBoundingClientRect().right, width);
const shadowed = el => {
  const st = getComputedStyle(el);
  return st.backgroundImage.includes('radial-gradient') && st.backgroundAttachment.includes('local');
};
for (const el of article.querySelectorAll('*')) {
  if (el.closest('script, style') || (el.closest('mjx-container') && el.tagName !== 'MJX-CONTAINER')) continue;
  if (!visible(el)) continue;
  // content clipped by a box that scrolls is that box's business (checked when the loop meets it)
  let clipper = el.parentElement;
  while (clipper && clipper !== article && getComputedStyle(clipper).overflowX === 'visible') clipper = clipper.parentElement;
  if (clipper && clipper !== article) continue;
  const style = getComputedStyle(el);
  const scrolls = ['auto', 'scroll'].includes(style.overflowX);
  const isMath = el.matches('mjx-container[display="true"]');
  const content = isMath && el.firstElementChild ? el.firstElementChild.getBoundingClientRect().width : el.scrollWidth;
  if (scrolls && content > el.clientWidth + 2) {
    const what = isMath ? 'display formula' : 'box';
    if (mustFit) problems.push(describe(el) + ': ' + what + ' scrolls sideways (' + Math.round(content) + ' px of content in '
      + el.clientWidth + ' px)' + (isMath ? '; break it over lines with \\begin{aligned}' : ''));
    else if (!shadowed(el)) problems.push(describe(el) + ': ' + what + ' scrolls sideways with no sign that it does (no scroll shadow)');
  } else if (el.matches('pre, table, .cell_output, .highlight, img, mjx-container, h1, h2, h3, p, li, dt, dd, code')
             && el.getBoundingClientRect().right > right + 1) {
    problems.push(describe(el) + ' sticks out of the column by ' + Math.round(el.getBoundingClientRect().right - right) + ' px');
  }
}
for (const bar of article.querySelectorAll('.widget-hprogress')) {
  if (visible(bar) && bar.getBoundingClientRect().width < 40) problems.push('a progress bar is ' + Math.round(bar.getBoundingClientRect().width) + ' px wide');
}
return problems.filter((p, i) => problems.indexOf(p) === i);
"""

OVERFLOW_WIDTHS = (390, 768, 1000, 1200, 1280, 1400)
"""Window widths (pixels) at which every page is checked; 390 is a phone (mobile emulation)."""
MOBILE_WIDTHS = (390,)
FIT_FROM = 1000
"""From this window width up, code, outputs, tables and maths fit the column: nothing scrolls."""


def _check_widths(browser, name: str) -> list[str]:
    """The page at every width of OVERFLOW_WIDTHS (JS_OVERFLOW); top screenshots at 390 and 1200."""
    problems = []
    try:
        for width in OVERFLOW_WIDTHS:
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": 844 if width in MOBILE_WIDTHS else 900,
                    "deviceScaleFactor": 1,
                    "mobile": width in MOBILE_WIDTHS,
                },
            )
            browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
            )
            problems += [
                f"at {width} px: {p}"
                for p in browser.execute_script(
                    JS_OVERFLOW, width, width >= FIT_FROM
                )
            ]
            if width in (390, 1200):
                browser.execute_script("window.scrollTo(0, 0)")
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(
                    str(SCREENSHOTS / f"{name}.w{width}.png")
                )
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return problems


JS_LOCAL_REFS = r"""
const base = arguments[0];
const urls = new Set();
for (const el of document.querySelectorAll('a[href], link[href], script[src], img[src], source[src], iframe[src]')) {
  const url = el.href || el.src;
  if (typeof url === 'string' && url.startsWith(base)) urls.add(url.split('#')[0]);
}
return Array.from(urls);
"""


def _notebook_facts(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    images = sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if any(m in output.get("data", {}) for m in IMAGE_MIME)
    )
    solutions = sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("solution")
    )
    return {"images": images, "solutions": solutions}


def _status(server, url: str) -> int:
    if url not in server.checked:
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, method="HEAD"), timeout=30
            ) as response:
                server.checked[url] = response.status
        except urllib.error.HTTPError as error:
            server.checked[url] = error.code
    return server.checked[url]


def _screenshot(driver, name: str, part_height: int = 10000) -> list[Path]:
    """Save ``<name>.top.png`` (the first screen) and the whole page as ``<name>.page-N.png`` parts."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{name}.*png"):
        old.unlink()
    driver.execute_script("window.scrollTo(0, 0)")
    files = [SCREENSHOTS / f"{name}.top.png"]
    driver.save_screenshot(str(files[0]))
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return files  # no one looks at CI's copies; 10,000-px shots cost
    # The whole page: a window part_height pixels tall (so the layout is the one a reader scrolls
    # through, sidebars included), scrolled down one part at a time.
    width = driver.execute_script("return window.innerWidth")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": width,
            "height": part_height,
            "deviceScaleFactor": 1,
            "mobile": False,
        },
    )
    try:
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
        )
        for number, top in enumerate(
            range(0, int(height), part_height), start=1
        ):
            driver.execute_script(f"window.scrollTo(0, {top})")
            time.sleep(0.2)
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot", {"format": "png"}
            )
            files.append(SCREENSHOTS / f"{name}.page-{number}.png")
            files[-1].write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_script("window.scrollTo(0, 0)")
    return files


# ------------------------------------------------------------------- what the site must not show
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def _hidden_test_lines(
    begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS"
) -> set[str]:
    """Lines of the chapters' hidden tests that appear nowhere else in the notebooks (their cells
    and outputs, such as the package source that ``vc.show_source`` prints)."""
    hidden: set[str] = set()
    shown: set[str] = set()
    for path in book_toc.chapter_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                texts = [output.get("text", "")]
                texts += [
                    v
                    for v in output.get("data", {}).values()
                    if isinstance(v, str)
                ]
                shown.update(
                    line.strip()
                    for text in texts
                    for line in html.unescape(
                        re.sub(r"<[^>]+>", "", text)
                    ).splitlines()
                )
            inside = False
            for line in cell.source.splitlines():
                if begin in line:
                    inside = True
                elif end in line:
                    inside = False
                elif len(line.strip()) >= 25:
                    (hidden if inside else shown).add(line.strip())
    return hidden - shown


def _site_text(path: Path) -> str | None:
    """The text a reader or a search gets from a file of the site (None: not text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix == ".html":
        # prose may name the marker in inline code (the instructors' page does)
        text = re.sub(
            r'<code class="docutils literal[^"]*">.*?</code>',
            "",
            text,
            flags=re.S,
        )
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def test_hidden_tests_are_not_on_the_site(site):
    """No page, ``_sources/`` download or search index shows a hidden test (they are for grading);
    the student edition shows no solution either."""
    markers = [HIDDEN_BEGIN]
    lines = hidden = _hidden_test_lines()
    assert len(lines) > 100, "the chapters' hidden tests were not found"
    if site.name == "student":
        markers.append("BEGIN SOLUTION")
        solutions = _hidden_test_lines("BEGIN SOLUTION", "END SOLUTION")
        assert len(solutions) > 20, "the chapters' solutions were not found"
        lines = hidden | solutions
    chapters = {
        path.relative_to(ROOT).with_suffix("").as_posix()
        for path in book_toc.chapter_notebooks()
    }
    problems = []
    files = [
        p
        for p in site.html.rglob("*")
        if p.is_file() and "_static" not in p.parts
    ]
    assert any(p.name == "searchindex.js" for p in files)
    for path in files:
        text = _site_text(path)
        if text is None:
            continue
        where = path.relative_to(site.html).as_posix()
        if path.suffix == ".ipynb":
            cells = nbformat.reads(text, as_version=4).cells
            text = "\n".join(cell.source for cell in cells)
        elif path.suffix == ".md":
            # prose sources of pages: only the marker as a line of code counts
            text = "\n".join(
                line
                for line in text.splitlines()
                if re.match(r"^\s*#+\s*BEGIN ", line)
            )
        # the solution marker counts in the chapters (the instructors' page shows an example)
        chapter = (
            path.suffix == ".ipynb" or where.removesuffix(".html") in chapters
        )
        problems += [
            f"{where} contains '### {marker}'"
            for marker in markers
            if marker in text and (marker == HIDDEN_BEGIN or chapter)
        ]
        # (solution lines: in the chapters; the instructors' page shows an example answer)
        leaked = sorted(
            (lines if chapter else hidden)
            & {line.strip() for line in text.splitlines()}
        )
        if leaked:
            problems.append(
                f"{where} shows {len(leaked)} lines of hidden tests"
                f"{' or solutions' if site.name == 'student' else ''},"
                f" e.g. {leaked[0]!r}"
            )
    assert not problems, "\n".join(problems)


def test_exercise_list_matches_the_notebooks(site):
    """book/exercises.md's table is made from the nbgrader metadata: every chapter, every points."""
    page = _site_text(site.html / "book" / "exercises.html")
    total = 0.0
    for path in book_toc.chapter_notebooks():
        points = [
            float(cell.metadata["nbgrader"].get("points", 0))
            for cell in nbformat.read(path, as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("grade")
        ]
        if points:
            assert f"chapter total\n{sum(points):g}" in page, path.name
        total += sum(points)
    assert f"course total\n{total:g}" in page
    assert total > 0


def test_home_page_opens_the_intro(server, browser):
    browser.get(server.base_url + "/")
    _wait(
        browser,
        "return document.readyState === 'complete' && location.pathname.endsWith('.html')",
        30,
        "the redirect from index.html",
    )
    assert (
        browser.execute_script("return location.pathname")
        == f"/{PAGES[0]}.html"
    )
    assert "Variational Autoencoders" in browser.title


@pytest.mark.slow
@pytest.mark.parametrize("page", ["genindex.html", "search.html?q=beta"])
def test_generated_page_fits(page, server, browser):
    """The index and the search results read at every width too."""
    browser.get(f"{server.base_url}/{page}")
    _wait(
        browser,
        "return document.readyState === 'complete'",
        60,
        f"{page} to load",
    )
    if page.startswith("search"):
        _wait(
            browser,
            "return document.querySelectorAll('#search-results li').length > 0",
            60,
            "search results",
        )
        _wait(
            browser,
            "return document.querySelectorAll('#search-results p.context').length > 0",
            60,
            "search snippets",
        )
    name = server.edition.name + "_" + page.split(".")[0]
    problems = []
    if page.startswith("search"):
        snippets = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results p.context'))"
            ".map(p => p.textContent)"
        )
        problems += [
            f"raw TeX in a search snippet: {t[:120]!r}"
            for t in snippets
            if re.search(r"\\[A-Za-z(\[]|\$\$", t)
        ]
    problems += _check_widths(browser, name)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("docname", PAGES)
def test_page_in_browser(docname, server, browser):
    edition = server.edition
    source = _source(docname, edition.root)
    is_notebook = source.suffix == ".ipynb"
    url = f"{server.base_url}/{docname}.html"
    first_request = len(server.log)
    browser.get_log("browser")  # drop messages of earlier pages

    browser.get(url)
    _wait(
        browser,
        "return document.readyState === 'complete'",
        60,
        f"{docname}.html to load",
    )
    browser.execute_script(
        "for (const i of document.images) i.loading = 'eager';"
    )
    _wait(
        browser,
        "return Array.from(document.images).every(i => i.complete)",
        60,
        "the images to load",
    )
    problems: list[str] = []
    if browser.execute_script(
        "return document.querySelectorAll('.math').length"
    ):
        try:
            _wait(
                browser,
                "return !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                30,
                "MathJax to start (is it served by the site? see mathjax_path in _config.yml)",
            )
            state = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "MathJax.startup.promise.then(() => done('ok'), e => done('error: ' + e));"
            )
            if state != "ok":
                problems.append(f"MathJax failed: {state}")
        except AssertionError as error:
            problems.append(str(error))
    browser.execute_script("return document.fonts.ready")
    with contextlib.suppress(
        AssertionError
    ):  # widgets drawn before the screenshot; checked below
        _wait(browser, JS_WIDGETS_DRAWN, 30, "the saved widgets to be drawn")
    name = docname.replace("/", "_")
    if edition.name == "student":
        name = "student_" + name
    _screenshot(browser, name)

    math = browser.execute_script(JS_MATH)
    if math["formulas"]:
        if not (math["mathjaxSrc"] or "").startswith(server.base_url):
            problems.append(
                f"MathJax is not served by the site: {math['mathjaxSrc']}"
            )
        if not str(math["mathjax"]).startswith("3."):
            problems.append(f"expected MathJax 3, found {math['mathjax']}")
        problems += [f"formula not typeset: {t!r}" for t in math["untypeset"]]
    elif is_notebook:
        problems.append("no maths on a chapter page")
    problems += [f"raw TeX in the text: {t!r}" for t in math["raw"]]

    images = browser.execute_script(JS_IMAGES)
    problems += [f"image did not load: {src}" for src in images["broken"]]
    collapsed = browser.execute_script(JS_COLLAPSED)
    problems += collapsed["open"]
    widgets = browser.execute_script(JS_WIDGETS)
    problems += widgets["problems"]
    if widgets["views"]:
        if not (widgets["embedSrc"] or "").startswith(server.base_url):
            problems.append(
                f"the widget JavaScript is not served by the site ({widgets['embedSrc']}); "
                "tools/setup_env.sh fetches it with npm: is npm installed?"
            )
        else:
            try:
                _wait(
                    browser,
                    JS_WIDGETS_DRAWN,
                    30,
                    "the saved widgets to be drawn",
                )
            except AssertionError as error:
                problems.append(str(error))
            widgets = browser.execute_script(JS_WIDGETS)
            if widgets["rendered"] < widgets["views"]:
                problems.append(
                    f"{widgets['views'] - widgets['rendered']} of {widgets['views']} widgets were not drawn"
                )

    if is_notebook:
        facts = _notebook_facts(source)
        if images["outputs"] < facts["images"]:
            problems.append(
                f"the page shows {images['outputs']} output images, the notebook has {facts['images']}"
            )
        if (
            edition.name == "public"
            and collapsed["hidden_inputs"] < facts["solutions"]
        ):
            problems.append(
                f"{facts['solutions']} solution cells but only {collapsed['hidden_inputs']} collapsed "
                "(tag solution cells 'hide-input')"
            )
        repo_url, branch = edition.colab_repository()
        expected = f"{COLAB}/github/{repo_url.removeprefix('https://github.com/')}/blob/{branch}/{docname}.ipynb"
        links = set(
            browser.execute_script(
                "return Array.from(document.querySelectorAll('a[href*=\"colab.research.google.com\"]'))"
                ".map(a => a.getAttribute('href'))"
            )
        )
        if links != {expected}:
            problems.append(f"Colab links {sorted(links)} != [{expected!r}]")

    problems += _check_widths(browser, name)
    if not browser.execute_script(
        "return !!document.querySelector('link[rel=\"icon\"]')"
    ):
        problems.append(
            "the page names no favicon (html: favicon in _config.yml)"
        )
    if browser.execute_script(
        "return document.body.innerText.includes('import google.colab')"
    ):
        problems.append(
            "the Colab install cell shows on the page (tag it remove-cell: "
            "python tools/colab_cell.py --fix)"
        )

    for path, status in server.log[first_request:]:
        if status >= 400 and path != "/favicon.ico":
            problems.append(
                f"the browser's request for {path} answered {status}"
            )
    for ref in browser.execute_script(JS_LOCAL_REFS, server.base_url):
        status = _status(server, ref)
        if status >= 400:
            problems.append(
                f"link or asset {ref.removeprefix(server.base_url)} answers {status}"
            )
    for entry in browser.get_log("browser"):
        message = entry.get("message", "")
        # JavaScript exceptions and failed loads from the site (not the theme's own console chatter,
        # such as pydata-sphinx-theme's "Got invalid theme mode" on a fresh browser profile).
        if (
            entry.get("level") == "SEVERE"
            and server.base_url in message
            and "favicon.ico" not in message
            and ("Uncaught" in message or "Failed to load resource" in message)
        ):
            problems.append(f"browser console: {message[:300]}")

    summary = (
        f"{docname}: {math['typeset']}/{math['formulas']} formulas typeset, {images['total']} images, "
        f"{widgets['views']} widget views; "
        f"screenshots: _build/screenshots/{name}.*.png"
    )
    print(summary)
    assert not problems, summary + "\n" + "\n".join(problems)
