"""The README screenshot: ask the running chat one question in Debian's Chromium and save the page.

    qa serve &   python scripts/screenshot.py [URL] [OUT]     (defaults: http://127.0.0.1:7860, docs/screenshot.png)
"""

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 960})
        page.goto(url)
        page.fill("#qa-input textarea", "小额贷款公司弥补了银行哪些不足？")
        page.keyboard.press("Enter")
        page.wait_for_selector(".qa-card", timeout=60_000)
        page.wait_for_timeout(800)
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
