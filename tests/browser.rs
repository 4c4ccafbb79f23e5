//! End-to-end tests in a real headless Chromium (Debian's `chromium` + `chromium-driver`,
//! installed by `.ci/run`), driven through the WebDriver client in `webdriver.rs`.
//!
//! Without Chromium and outside CI (`CI` unset) these tests skip with a loud message; with
//! `CI` set a missing browser is a failure. Every step saves a screenshot to
//! `target/e2e-screenshots/<step>.png`, so a failing step leaves a picture of what the pupil
//! would have seen.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::ensure;
use crate::webdriver::{Browser, WdResult, chromium_installed, keys, screenshot_dir};

/// How long to wait for anything the page does on its own.
const WAIT: Duration = Duration::from_secs(10);

/// Starts a browser, or returns `None` (after saying so loudly) when Chromium is missing
/// outside CI.
fn browser_or_skip(width: u32, height: u32) -> Option<Browser> {
    if !chromium_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Chromium is missing: install `chromium` and `chromium-driver` (.ci/run does)"
        );
        eprintln!(
            "\n\n*** SKIPPED: browser tests need /usr/bin/chromium and /usr/bin/chromedriver \
             (apt-get install chromium chromium-driver); set CI=1 to make this a failure ***\n"
        );
        return None;
    }
    match Browser::start(width, height) {
        Ok(b) => Some(b),
        Err(e) => panic!("starting headless Chromium: {e}"),
    }
}

/// Runs one named step; saves a screenshot either way and fails the test with the step's
/// name, its error and the screenshot's path when it fails.
fn step(browser: &Browser, name: &str, body: impl FnOnce(&Browser) -> WdResult<()>) {
    let result = body(browser);
    let shot = screenshot_dir().join(format!("{name}.png"));
    let saved = browser.save_screenshot(&shot);
    if let Err(e) = result {
        let url = browser.url().unwrap_or_default();
        let where_shot = match saved {
            Ok(()) => format!("screenshot: {}", shot.display()),
            Err(s) => format!("no screenshot ({s})"),
        };
        panic!("browser step `{name}` failed at {url}: {e}\n{where_shot}");
    }
}

/// A tiny HTTP server for the client's self-test: `/` is a form page, `/done` echoes the
/// request line of the form's submission.
fn serve_static() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // A broken connection only fails that request; the test notices.
            let _ = answer(stream);
        }
    });
    port
}

const FORM_PAGE: &str = "<!doctype html><html lang=cs><head><meta charset=utf-8>\
<title>Zkušební stránka</title></head><body>\
<h1 id=nadpis>Ahoj, Karle</h1>\
<a id=prvni href=\"/done?odkaz=1\">první odkaz</a>\
<form id=f action=/done method=get><input id=jmeno name=jmeno value=puvodni>\
<button id=odeslat type=submit>Odeslat</button></form>\
<div id=pozde></div>\
<script src=/late.js></script></body></html>";

const LATE_JS: &str = "setTimeout(function(){document.getElementById('pozde').innerHTML='<p class=hotovo>hotovo</p>'},300);";

fn answer(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (kind, body) = if target == "/" {
        ("text/html; charset=utf-8", FORM_PAGE.to_owned())
    } else if target == "/late.js" {
        ("text/javascript", LATE_JS.to_owned())
    } else {
        (
            "text/html; charset=utf-8",
            format!("<!doctype html><title>hotovo</title><p id=echo>{target}</p>"),
        )
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The WebDriver client itself, against a page served from this test: every command the
/// app scenario relies on does what it says.
#[test]
fn webdriver_client_drives_a_static_page() {
    let Some(browser) = browser_or_skip(800, 600) else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", serve_static());

    step(&browser, "selftest-01-open", |b| {
        b.goto(&format!("{base}/"))?;
        ensure!(b.title()? == "Zkušební stránka", "title {:?}", b.title()?);
        let heading = b.find("#nadpis")?;
        ensure!(
            b.text(&heading)? == "Ahoj, Karle",
            "text {:?}",
            b.text(&heading)?
        );
        ensure!(
            b.attr(&b.find("#prvni")?, "href")?.as_deref() == Some("/done?odkaz=1"),
            "href attribute"
        );
        ensure!(b.attr(&heading, "data-nic")?.is_none(), "absent attribute");
        ensure!(b.find("#neni-tu").is_err(), "a missing element is an error");
        ensure!(b.find_all("a, button")?.len() == 2, "find_all count");
        let sum = b.script("return arguments[0] + arguments[1];", &[2.into(), 3.into()])?;
        ensure!(sum == 5, "script result {sum}");
        let late = b.wait_element(".hotovo", WAIT)?;
        ensure!(b.text(&late)? == "hotovo", "late element");
        Ok(())
    });

    step(&browser, "selftest-02-type-and-submit", |b| {
        let field = b.find("#jmeno")?;
        b.clear(&field)?;
        b.send_keys(&field, "Žofie")?;
        b.click(&b.find("#odeslat")?)?;
        let url = b.wait_url("the form's target", WAIT, |u| u.contains("/done"))?;
        ensure!(
            url.ends_with("/done?jmeno=%C5%BDofie"),
            "submitted to {url}"
        );
        Ok(())
    });

    step(&browser, "selftest-03-keyboard", |b| {
        b.goto(&format!("{base}/"))?;
        // From the top of the page, Tab reaches the link first; Enter follows it.
        b.press(&[keys::TAB])?;
        let focused = b.script("return document.activeElement.id;", &[])?;
        ensure!(focused == "prvni", "Tab focused {focused}");
        b.press(&[keys::ENTER])?;
        b.wait_url("the link's target", WAIT, |u| u.ends_with("/done?odkaz=1"))?;
        Ok(())
    });

    step(&browser, "selftest-04-screenshot", |b| {
        let png = b.screenshot()?;
        ensure!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        ensure!(png.len() > 500, "a suspiciously small PNG");
        let metrics = b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 400, "height": 300, "deviceScaleFactor": 2, "mobile": false}),
        );
        ensure!(metrics.is_ok(), "CDP command: {metrics:?}");
        let width = b.script("return window.innerWidth;", &[])?;
        ensure!(width == 400, "emulated width {width}");
        b.cdp(
            "Emulation.clearDeviceMetricsOverride",
            serde_json::json!({}),
        )?;
        Ok(())
    });
}
