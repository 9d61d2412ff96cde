#!/usr/bin/env python3
"""Drives `listen --ui`'s page in headless Chromium (Debian's chromium and chromium-driver,
through python3-selenium) and checks what a user sees: live rows with Segment's verdicts,
counters, a row that expands to its body and headers, a filter, and every hostile string as
inert text. Sends only to the listen address it is given (loopback).

Usage: listen_browser.py URL WRITE_KEY SCREENSHOT.png
Exit 0 when every check passed; otherwise 1, each failed check on stderr."""
import base64
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

URL, KEY, SCREENSHOT = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAILED: " + what, file=sys.stderr)


def send(path, body, headers=None):
    request = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Basic " + base64.b64encode((KEY + ":").encode()).decode())
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


HOSTILE_ID = '<img src=x onerror="window.__pwned=1">'
HOSTILE_EVENT = "<svg onload=window.__pwned=2>"
HOSTILE_TRAIT = "<script>window.__pwned=3</script>"
JS_URL = "javascript:window.__pwned=4"
RTL = "\u202eexe.gnp"


def click(driver, element):
    """A click where the user's lands: on the row, even when the sticky header covers it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",
                          element)


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "tr.row")


def wait_rows(driver, n, seconds):
    """The time until the page shows n rows, or None after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if len(rows(driver)) >= n:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def main():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--window-size=1280,860",
                "--user-data-dir=" + tempfile.mkdtemp(prefix="ory-segment-chromium.")]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        run(driver)
    finally:
        driver.quit()
    print("%d check(s) failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


def check_copy(driver, button, body):
    """The copy button puts the body on the clipboard (or, without one, selects it)."""
    click(driver, button)
    deadline = time.monotonic() + 5
    while button.text == "copy body" and time.monotonic() < deadline:
        time.sleep(0.02)
    if button.text == "copied":
        copied = driver.execute_async_script(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(null));")
    else:
        copied = driver.execute_script("return window.getSelection().toString()")
    print("copy body: the button says %r" % button.text)
    check(copied is not None and json.loads(copied) == json.loads(body),
          "the copy button gives the body (%s)" % button.text)


def run(driver):
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": URL, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    driver.get(URL + "/")
    # The history: the --jsonl file's messages (one with a 1 MB trait) before this run's.
    history = wait_rows(driver, 2, 10)
    check(history is not None, "the --jsonl history shows as rows")
    # Live: kept, dropped (no event), duplicate messageId, then hostile strings everywhere.
    t0 = time.monotonic()
    check(send("/v1/batch", {"batch": [
        {"type": "identify", "userId": "alice", "messageId": "m-1",
         "traits": {"email": "alice@example.com", "name": "Alice"}},
        {"type": "track", "userId": "alice"},
        {"type": "identify", "userId": "alice-again", "messageId": "m-1"},
    ]}, {"Ory-Webhook-Trigger-ID": "trigger-1", "User-Agent": "Ory-Kratos-test"}) == 200,
        "the batch is answered 200")
    check(send("/v1/identify", {"userId": HOSTILE_ID, "traits": {
        HOSTILE_TRAIT: "<b>bold</b>", "link": JS_URL, "rtl": RTL}},
        {"User-Agent": "<script>window.__pwned=5</script>",
         "Ory-Webhook-Request-ID": '"><img src=x onerror=window.__pwned=6>'}) == 200,
        "the hostile identify is answered 200")
    check(send("/v1/track", {"userId": RTL, "event": HOSTILE_EVENT}) == 200,
          "the hostile track is answered 200")
    shown = wait_rows(driver, 7, 2.0)
    check(shown is not None, "the 5 live rows appear within 2 s of sending (rows: %d)"
          % len(rows(driver)))
    print("live rows shown %.2f s after the first send" % (time.monotonic() - t0))

    all_rows = rows(driver)
    verdicts = [r.get_attribute("data-verdict") for r in all_rows]
    check(verdicts == ["kept", "kept", "kept", "dropped", "duplicate", "kept", "kept"],
          "verdicts in order: %s" % verdicts)
    dropped_text = all_rows[3].find_elements(By.TAG_NAME, "td")[4].text
    check("dropped" in dropped_text and "event" in dropped_text,
          "the dropped row gives the reason: %r" % dropped_text)
    counters = driver.find_element(By.ID, "counters").text
    for expected in ["kept 5", "dropped 1", "duplicate 1", "identify 5", "track 2"]:
        check(expected in counters, "counter %r in %r" % (expected, counters))

    # Every hostile string is text, not markup, and nothing ran.
    check(driver.execute_script("return window.__pwned === undefined"), "no payload ran")
    check(driver.execute_script(
        "return document.querySelectorAll('img, svg, a, b, iframe, object, embed').length") == 0,
        "no payload became an element")
    check(driver.execute_script("return document.scripts.length") == 1, "one script: the page's")
    hostile_row = all_rows[5].find_elements(By.TAG_NAME, "td")
    check(hostile_row[2].text == HOSTILE_ID, "the hostile user id shows as its text")
    check(HOSTILE_TRAIT in hostile_row[3].text, "the hostile trait name shows as its text")
    rtl_row = all_rows[6].find_elements(By.TAG_NAME, "td")
    check(rtl_row[2].text == "\\u202eexe.gnp", "the RTL override shows as \\u202e: %r"
          % rtl_row[2].text)
    check(rtl_row[3].text == HOSTILE_EVENT, "the hostile event name shows as its text")

    # A row expands to its body, headers (the key redacted) and sender; twice closes it.
    click(driver, all_rows[2])
    detail = driver.find_elements(By.CSS_SELECTOR, "tr.more:not(.hidden) td.detail")
    check(len(detail) == 1, "a click expands the row")
    if detail:
        text = detail[0].text
        body = detail[0].find_element(By.TAG_NAME, "pre").text
        check('{\n  "type": "identify",\n  "userId": "alice",' in body,
              "the expanded body is pretty-printed: %r" % body[:80])
        check("Basic <redacted>" in text and KEY not in text, "Authorization is redacted")
        check("Ory-Webhook-Trigger-ID trigger-1" in text, "the sender is the Ory web hook")
        buttons = detail[0].find_elements(By.TAG_NAME, "button")
        check(len(buttons) == 1, "a copy button")
        if buttons:
            check_copy(driver, buttons[0], body)
    click(driver, all_rows[5])
    hostile_detail = driver.find_elements(By.CSS_SELECTOR, "tr.more:not(.hidden) td.detail")
    check(len(hostile_detail) == 2 and "<script>window.__pwned=5</script>" in hostile_detail[1].text,
          "a hostile header value shows as its text")
    check(driver.execute_script("return window.__pwned === undefined") and
          driver.execute_script("return document.querySelectorAll('img, svg, a, b').length") == 0,
          "expanded hostile rows stay inert")
    click(driver, all_rows[0])
    big = driver.execute_script(
        "return document.querySelector('tr.more:not(.hidden) pre').textContent.length")
    check(big > 1000000, "the 1 MB trait is in its expanded body (%d characters)" % big)
    cell = all_rows[0].find_elements(By.TAG_NAME, "td")[3].text
    check(len(cell) <= 160, "a 1 MB string is clipped in its row (%d characters)" % len(cell))
    click(driver, all_rows[0])
    click(driver, all_rows[5])

    # The filter: user id, event, verdict.
    box = driver.find_element(By.ID, "filter")
    box.send_keys("alice")
    visible = [r for r in rows(driver) if r.is_displayed()]
    check(len(visible) == 3, "filter 'alice' shows 3 rows (%d)" % len(visible))
    box.clear()
    box.send_keys("duplicate")
    visible = [r for r in rows(driver) if r.is_displayed()]
    check(len(visible) == 1, "filter 'duplicate' shows 1 row (%d)" % len(visible))
    box.clear()
    driver.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'))")
    check(len([r for r in rows(driver) if r.is_displayed()]) == 7, "an empty filter shows all")
    click(driver, all_rows[2])
    driver.save_screenshot(SCREENSHOT)


if __name__ == "__main__":
    sys.exit(main())
