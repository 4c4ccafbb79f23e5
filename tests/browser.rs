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

/// How long to wait for anything the page does on its own: generous, because CI runs this
/// beside the other tests on two cores; a passing run waits far less.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// Starts a browser, or returns `None` (after saying so loudly) when Chromium is missing
/// outside CI.
pub(crate) fn browser_or_skip(width: u32, height: u32) -> Option<Browser> {
    if !chromium_installed() {
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !in_ci,
            "CI is set but Chromium is missing: install `chromium` and `chromium-driver` (.ci/run does)"
        );
        eprintln!(
            "\n\n*** SKIPPED: browser tests need /usr/bin/chromium and /usr/bin/chromedriver \
             (apt-get install chromium chromium-driver); set CI=1 to make this a failure ***\n"
        );
        return None;
    }
    // One retry: on a loaded machine Chromium occasionally misses chromedriver's start-up
    // deadline; a second failure is real.
    match Browser::start(width, height) {
        Ok(b) => Some(b),
        Err(first) => {
            eprintln!("starting headless Chromium failed, retrying once: {first}");
            match Browser::start(width, height) {
                Ok(b) => Some(b),
                Err(e) => panic!("starting headless Chromium: {e} (first try: {first})"),
            }
        }
    }
}

/// Runs one named step; saves a screenshot either way and fails the test with the step's
/// name, its error and the screenshot's path when it fails.
pub(crate) fn step(browser: &Browser, name: &str, body: impl FnOnce(&Browser) -> WdResult<()>) {
    let mut result = body(browser);
    // Every console error (a CSP violation, a failed fetch, a script error) fails the step.
    if result.is_ok() {
        let errors: Vec<String> = browser
            .console()
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.starts_with("SEVERE"))
            .collect();
        if !errors.is_empty() {
            result = Err(crate::webdriver::WdError::Check(format!(
                "the browser console reported errors:\n{}",
                errors.join("\n")
            )));
        }
    } else if let Ok(lines) = browser.console() {
        for line in lines {
            eprintln!("console: {line}");
        }
    }
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
        // The zoom step's overflow probe sees a page that is too wide.
        ensure!(sideways_overflow(b)?.is_null(), "the echo page fits");
        b.script("var d = document.createElement('div'); d.className = 'breit'; d.style.width = '900px'; d.textContent = 'x'; document.body.appendChild(d);", &[])?;
        let wide = sideways_overflow(b)?;
        ensure!(
            wide.to_string().contains("div.breit"),
            "the overflow probe missed a 900px div: {wide}"
        );
        b.cdp(
            "Emulation.clearDeviceMetricsOverride",
            serde_json::json!({}),
        )?;
        Ok(())
    });
}

/// The sample course every scenario step works on.
const COURSE: &str = "digitalni-gramotnost";

/// A path inside the sample course's source directory.
fn course_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("courses")
        .join(COURSE)
        .join(rel)
}

fn course_source(rel: &str) -> std::io::Result<std::fs::ReadDir> {
    std::fs::read_dir(course_path(rel))
}

/// A running `aktovka learn` on the sample course with a fresh data directory; killed on
/// drop.
struct LearnerApp {
    child: std::process::Child,
    base: String,
    data: tempfile::TempDir,
}

impl LearnerApp {
    fn start() -> LearnerApp {
        let data = tempfile::tempdir().expect("temp dir");
        let course = course_path("");
        let log = std::fs::File::create(data.path().join("learn.log")).expect("log file");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aktovka"))
            .arg("learn")
            .arg(&course)
            .args(["--no-open", "--port", "0", "--data"])
            .arg(data.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("run aktovka learn");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            // Keep draining so the app never blocks on a full pipe.
            lines.for_each(drop);
        });
        let mut app = LearnerApp {
            child,
            base: String::new(),
            data,
        };
        let first = rx.recv_timeout(Duration::from_secs(120));
        match first {
            Ok(Some(Ok(line))) if line.starts_with("http://127.0.0.1:") => {
                app.base = line.trim().trim_end_matches('/').to_owned();
            }
            other => panic!(
                "`aktovka learn` did not print its address: {other:?}\n{}",
                app.log()
            ),
        }
        app
    }

    /// `base` + `path`.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The app's stderr so far, for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(self.data.path().join("learn.log")).unwrap_or_default()
    }

    /// The bundle `learn` built from the course directory.
    fn built_bundle(&self) -> Option<std::path::PathBuf> {
        walk(self.data.path())
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "aktovka"))
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

impl Drop for LearnerApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// [`step`], adding the app's stderr to a failure.
fn app_step(
    browser: &Browser,
    app: &LearnerApp,
    name: &str,
    body: impl FnOnce(&Browser) -> WdResult<()>,
) {
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(browser, name, body)));
    if let Err(panic) = outcome {
        eprintln!("--- aktovka learn's stderr\n{}", app.log());
        std::panic::resume_unwind(panic);
    }
}

/// The selector of exercise `id`'s form.
fn exercise_form(id: &str) -> String {
    format!("form.exercise[data-exercise=\"{id}\"]")
}

/// Submits the exercise `id` and waits for its feedback to say `passed`.
fn submit_and_expect(b: &Browser, id: &str, passed: bool) -> WdResult<()> {
    let form = exercise_form(id);
    let old = b.find(&format!("{form} .feedback")).ok();
    b.click(&b.find(&format!("{form} button[type=submit].submit"))?)?;
    let feedback = format!("{form} .feedback[data-passed=\"{passed}\"]");
    b.wait_for(&format!("feedback `{feedback}`"), WAIT, |b| {
        // A feedback element from before the submission does not count.
        let now = b.find(&feedback)?;
        let fresh = match &old {
            Some(old) => now != *old,
            None => true,
        };
        Ok(fresh.then_some(()))
    })
}

/// The whole pupil's path through the app in one browser session: library, learners,
/// course, lesson, search, quiz, Karel, progress, a second learner with a PIN, then
/// keyboard-only use, 200% zoom and a tablet's width.
#[test]
fn pupil_path_through_the_learner_app() {
    let Some(browser) = browser_or_skip(1366, 768) else {
        return;
    };
    // Pictures of this scenario's steps from an earlier run would mislead.
    for old in walk(&screenshot_dir()) {
        if old
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        {
            let _ = std::fs::remove_file(old);
        }
    }
    let app = LearnerApp::start();
    let lesson = "05-robot-karel";
    let lesson_path = format!("/c/{COURSE}/l/{lesson}");

    app_step(&browser, &app, "01-library", |b| {
        b.goto(&app.url("/"))?;
        b.wait_element("form#add-learner", WAIT)?;
        b.find("form#search-form input#search[name=q]")?;
        b.find("a#lang-switch")?;
        let lang = b.script("return document.documentElement.lang;", &[])?;
        ensure!(lang == "cs", "the page language is {lang}, not Czech");
        // The language switch goes to English and back, on the same page.
        for (to, button_cs) in [("en", false), ("cs", true)] {
            b.click(&b.find("a#lang-switch")?)?;
            b.wait_for(&format!("the page in {to}"), WAIT, |b| {
                let lang = b.script("return document.documentElement.lang;", &[])?;
                Ok((lang == to).then_some(()))
            })?;
            let button = b.text(&b.find("form#add-learner button[type=submit]")?)?;
            let czech = button.chars().any(|c| "áčďéěíňóřšťúůýž".contains(c));
            ensure!(
                czech == button_cs,
                "in {to} the add button reads {button:?}"
            );
            b.save_screenshot(&screenshot_dir().join(format!("01-library-{to}.png")))?;
        }
        Ok(())
    });

    app_step(&browser, &app, "02-add-learner", |b| {
        let name = b.find("form#add-learner input[name=name]")?;
        b.send_keys(&name, "Žofie")?;
        b.click(&b.find("form#add-learner button[type=submit]")?)?;
        b.wait_element("button#switch-learner", WAIT)?;
        let card = b.wait_element(&format!(".course-card[data-course=\"{COURSE}\"]"), WAIT)?;
        ensure!(!b.text(&card)?.is_empty(), "an empty course card");
        Ok(())
    });

    app_step(&browser, &app, "03-switch-and-pick-learner", |b| {
        b.click(&b.find("button#switch-learner")?)?;
        let pick = b.wait_element("button.learner-pick[data-learner=\"Žofie\"]", WAIT)?;
        ensure!(
            b.find("button#switch-learner").is_err(),
            "still a learner after switching"
        );
        b.click(&pick)?;
        b.wait_element("button#switch-learner", WAIT)?;
        Ok(())
    });

    app_step(&browser, &app, "04-course", |b| {
        b.click(&b.find(&format!(
            ".course-card[data-course=\"{COURSE}\"] a[href=\"/c/{COURSE}\"]"
        ))?)?;
        b.wait_url("the course page", WAIT, |u| {
            u.ends_with(&format!("/c/{COURSE}"))
        })?;
        let lessons = b.find_all("a.lesson-link")?;
        let expected = course_source("lessons")
            .map(|dir| {
                dir.filter(|f| {
                    f.as_ref()
                        .is_ok_and(|f| f.path().extension().is_some_and(|e| e == "md"))
                })
                .count()
            })
            .unwrap_or(0);
        ensure!(
            lessons.len() == expected,
            "{} lessons in the table of contents, {expected} in the course",
            lessons.len()
        );
        b.find("a#next-lesson")?;
        Ok(())
    });

    app_step(&browser, &app, "05-lesson", |b| {
        b.click(&b.find(&format!("a.lesson-link[data-lesson=\"{lesson}\"]"))?)?;
        b.wait_url("the lesson page", WAIT, |u| u.ends_with(&lesson_path))?;
        let heading = b.find("article.lesson h1")?;
        ensure!(
            b.text(&heading)?.contains("Karel"),
            "lesson heading {:?}",
            b.text(&heading)?
        );
        b.find("a#prev-lesson")?;
        b.find("a#next-lesson")?;
        let forms = b.find_all("form.exercise")?;
        let source = std::fs::read_to_string(course_path(&format!("lessons/{lesson}.md")))?;
        let expected = source.matches("```exercise").count();
        ensure!(
            forms.len() == expected,
            "{} exercise forms in lesson {lesson}, {expected} in its source",
            forms.len()
        );
        let images_ok = b.script(
            "return Array.from(document.querySelectorAll('article.lesson img')).every(i => i.complete && i.naturalWidth > 0);",
            &[],
        )?;
        ensure!(images_ok == true, "a lesson picture did not load");
        Ok(())
    });

    app_step(&browser, &app, "06-search", |b| {
        let expected = expected_search_hit(&app, "skola");
        let input = b.find("input#search")?;
        b.send_keys(&input, "skola")?;
        // Live results appear while typing (progressive JS).
        b.wait_element("#search-results:not([hidden]) a", WAIT)?;
        b.save_screenshot(&screenshot_dir().join("06a-live-results.png"))?;
        b.press(&[crate::webdriver::keys::ENTER])?;
        b.wait_url("the search page", WAIT, |u| {
            u.contains("/search?") && u.contains("q=skola")
        })?;
        let hits = b.find_all("a.search-hit")?;
        ensure!(!hits.is_empty(), "no search hits for skola");
        b.save_screenshot(&screenshot_dir().join("06b-results-page.png"))?;
        ensure!(
            !b.find_all(".snippet mark")?.is_empty(),
            "no highlighted snippet"
        );
        let href = b.attr(&hits[0], "href")?.unwrap_or_default();
        ensure!(
            href.contains(&format!("/c/{COURSE}/l/{}", expected.0)) && href.contains('#'),
            "first hit {href:?}, the CLI's first hit is lesson {:?}",
            expected.0
        );
        b.click(&hits[0])?;
        let url = b.wait_url("the hit's lesson", WAIT, |u| u.contains("/l/"))?;
        ensure!(
            url.ends_with(&href) || url.contains(&href),
            "landed on {url}, hit was {href}"
        );
        let anchor = href.rsplit('#').next().unwrap_or_default();
        let target = b.find(&format!("[id=\"{anchor}\"]"))?;
        if let Some(heading) = expected.1 {
            let text = b.text(&target)?;
            ensure!(
                text.contains(&heading),
                "section {anchor:?} reads {text:?}, expected heading {heading:?}"
            );
        }
        let top = b.script(
            "return arguments[0].getBoundingClientRect().top;",
            &[target.to_json()],
        )?;
        ensure!(
            top.as_f64().is_some_and(|t| (-5.0..400.0).contains(&t)),
            "the section is not scrolled into view (top {top})"
        );
        Ok(())
    });

    let quiz = "karel-zaklady-2";
    app_step(&browser, &app, "07-quiz-wrong", |b| {
        b.goto(&app.url(&lesson_path))?;
        let form = exercise_form(quiz);
        b.click(&b.find(&format!("{form} input[name=answer][value=\"0\"]"))?)?;
        submit_and_expect(b, quiz, false)?;
        Ok(())
    });

    app_step(&browser, &app, "08-quiz-right", |b| {
        let form = exercise_form(quiz);
        b.click(&b.find(&format!("{form} input[name=answer][value=\"3\"]"))?)?;
        submit_and_expect(b, quiz, true)?;
        let score = b.attr(&b.find(&format!("{form} .feedback"))?, "data-score")?;
        ensure!(score.as_deref() == Some("1"), "score {score:?}");
        Ok(())
    });

    let karel = "karel-zaklady-cesta";
    app_step(&browser, &app, "09-karel-draft-survives-reload", |b| {
        let form = exercise_form(karel);
        let editor = b.find(&format!("{form} textarea.code[name=answer]"))?;
        b.clear(&editor)?;
        // Typed as a pupil would; the language ignores indentation.
        b.send_keys(
            &editor,
            "OPAKUJ 3-KRÁT\nKROK\nKONEC\nVLEVO-VBOK\nOPAKUJ 2-KRÁT\nKROK\nKONEC\nPOLOŽ",
        )?;
        b.goto(&app.url(&lesson_path))?;
        let editor = b.wait_element(&format!("{form} textarea.code[name=answer]"), WAIT)?;
        let value = b.script("return arguments[0].value;", &[editor.to_json()])?;
        ensure!(
            value.as_str().is_some_and(|v| v.contains("POLOŽ")),
            "the draft was lost on reload: {value}"
        );
        b.find(&format!("{form} .gutter"))?;
        Ok(())
    });

    app_step(&browser, &app, "10-karel-solved", |b| {
        submit_and_expect(b, karel, true)?;
        let form = exercise_form(karel);
        let svg = b.find(&format!("{form} .feedback img.plugin-svg"))?;
        let src = b.attr(&svg, "src")?.unwrap_or_default();
        ensure!(
            src.starts_with("data:image/svg+xml"),
            "Karel's world is {src:.40}"
        );
        let drawn = b.script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0;",
            &[svg.to_json()],
        )?;
        ensure!(drawn == true, "Karel's world picture did not render");
        b.script(
            "arguments[0].scrollIntoView({block: 'center'});",
            &[svg.to_json()],
        )?;
        Ok(())
    });

    app_step(&browser, &app, "11-progress", |b| {
        b.click(&b.find("nav.main-nav a[href=\"/progress\"]")?)?;
        b.wait_url("the progress page", WAIT, |u| u.ends_with("/progress"))?;
        let quiz_row = format!("tr[data-exercise=\"{quiz}\"]");
        let attempts = b.text(&b.find(&format!("{quiz_row} td.attempts"))?)?;
        ensure!(attempts.trim() == "2", "quiz attempts {attempts:?}");
        let best = b.attr(&b.find(&format!("{quiz_row} td.best-score"))?, "data-score")?;
        ensure!(best.as_deref() == Some("1"), "quiz best score {best:?}");
        let karel_row = format!("tr[data-exercise=\"{karel}\"]");
        let attempts = b.text(&b.find(&format!("{karel_row} td.attempts"))?)?;
        ensure!(attempts.trim() == "1", "Karel attempts {attempts:?}");
        Ok(())
    });

    app_step(&browser, &app, "12-second-learner-with-pin", |b| {
        b.click(&b.find("button#switch-learner")?)?;
        let name = b.wait_element("form#add-learner input[name=name]", WAIT)?;
        b.send_keys(&name, "Kryštof")?;
        b.send_keys(&b.find("form#add-learner input[name=pin]")?, "1234")?;
        b.click(&b.find("form#add-learner button[type=submit]")?)?;
        b.wait_element("button#switch-learner", WAIT)?;
        // Žofie's attempts are hers: Kryštof starts with none, so no table row, only the
        // folded "Zbývá N cvičení" line, which opens to a link to the quiz.
        b.goto(&app.url("/progress"))?;
        ensure!(
            b.find_all("tr[data-exercise]")?.is_empty(),
            "a new learner sees rows of attempts"
        );
        let untried = b.find("details.untried")?;
        let total = b.attr(&untried, "data-untried")?.unwrap_or_default();
        let summary = b.text(&b.find("details.untried summary")?)?;
        ensure!(
            summary == format!("Zbývá {total} cvičení"),
            "the untried summary reads {summary:?} for {total} exercises"
        );
        b.click(&b.find("details.untried summary")?)?;
        b.save_screenshot(&screenshot_dir().join("12-untried-opened.png"))?;
        let link = b.find(&format!("details.untried a[data-exercise=\"{quiz}\"]"))?;
        ensure!(
            b.attr(&link, "href")?
                .is_some_and(|h| h.ends_with(&format!("{lesson_path}#x-{quiz}"))),
            "the untried quiz links to {:?}",
            b.attr(&link, "href")?
        );
        // Picking a learner with a PIN asks for it; a wrong PIN keeps the door shut.
        b.click(&b.find("button#switch-learner")?)?;
        b.click(&b.wait_element("button.learner-pick[data-learner=\"Kryštof\"]", WAIT)?)?;
        let pin = b.wait_element("form#pin-form input[name=pin]", WAIT)?;
        b.send_keys(&pin, "9999")?;
        b.click(&b.find("form#pin-form button[type=submit]")?)?;
        b.wait_element(".error-message", WAIT)?;
        ensure!(
            b.find("button#switch-learner").is_err(),
            "a wrong PIN let the learner in"
        );
        // The refusal comes with 403, which the console reports; nothing else may be there.
        let unexpected: Vec<String> = b
            .console()?
            .into_iter()
            .filter(|l| l.starts_with("SEVERE") && !(l.contains("/learner ") && l.contains("403")))
            .collect();
        ensure!(unexpected.is_empty(), "console errors: {unexpected:?}");
        let pin = b.find("form#pin-form input[name=pin]")?;
        b.send_keys(&pin, "1234")?;
        b.click(&b.find("form#pin-form button[type=submit]")?)?;
        let who = b.wait_element(".learner-name", WAIT)?;
        ensure!(
            b.text(&who)?.contains("Kryštof"),
            "signed in as {:?}",
            b.text(&who)?
        );
        Ok(())
    });

    app_step(&browser, &app, "13-keyboard-only", |b| {
        b.goto(&app.url(&format!("/c/{COURSE}")))?;
        tab_until(b, "the search box", 12, "el.id === 'search'")?;
        b.save_screenshot(&screenshot_dir().join("13-keyboard-focus-on-search.png"))?;
        let focus_visible = b.script(
            "var s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' || s.boxShadow !== 'none';",
            &[],
        )?;
        ensure!(
            focus_visible == true,
            "the focused search box shows no focus ring"
        );
        let href = tab_until(
            b,
            "a lesson link",
            40,
            "el.classList.contains('lesson-link')",
        )?;
        b.save_screenshot(&screenshot_dir().join("13-keyboard-focus-on-lesson-link.png"))?;
        b.press(&[crate::webdriver::keys::ENTER])?;
        b.wait_url("the lesson opened by Enter", WAIT, |u| u.ends_with(&href))?;
        Ok(())
    });

    app_step(&browser, &app, "14-zoom-200", |b| {
        // 200% zoom of a 1366×768 screen: a 683×384 CSS-pixel viewport at twice the density.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 683, "height": 384, "deviceScaleFactor": 2, "mobile": false}),
        )?;
        let pages = [
            format!("/c/{COURSE}/l/05-robot-karel"),
            format!("/c/{COURSE}/l/07-tabulky-a-vzorce"),
            format!("/c/{COURSE}"),
            "/".to_owned(),
            "/progress".to_owned(),
            "/search?q=skola".to_owned(),
        ];
        for page in &pages {
            b.goto(&app.url(page))?;
            let overflow = sideways_overflow(b)?;
            ensure!(
                overflow.is_null(),
                "{page} scrolls sideways at 200% zoom; too wide: {overflow}"
            );
        }
        Ok(())
    });

    app_step(&browser, &app, "15-tablet", |b| {
        // A portrait tablet: 768 CSS pixels wide, as a mobile browser lays pages out.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 768, "height": 1024, "deviceScaleFactor": 1, "mobile": true}),
        )?;
        for page in [format!("/c/{COURSE}/l/{lesson}"), "/progress".to_owned()] {
            b.goto(&app.url(&page))?;
            let overflow = sideways_overflow(b)?;
            ensure!(
                overflow.is_null(),
                "{page} scrolls sideways on a tablet; too wide: {overflow}"
            );
        }
        Ok(())
    });
    let _ = browser.cdp(
        "Emulation.clearDeviceMetricsOverride",
        serde_json::json!({}),
    );

    app_step(&browser, &app, "16-print", |b| {
        // A printed lesson is the lesson alone: no header, search or lesson navigation.
        b.goto(&app.url(&lesson_path))?;
        b.cdp(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": "print"}),
        )?;
        let shown = b.script(
            "return ['.site-header', '.lesson-nav', 'article.lesson'].map(s => {\
               var e = document.querySelector(s); return e ? getComputedStyle(e).display : 'missing'; });",
            &[],
        )?;
        let shown: Vec<&str> = shown
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        ensure!(
            shown.len() == 3 && shown[0] == "none" && shown[1] == "none" && shown[2] != "none",
            "printing shows header, lesson navigation, lesson as {shown:?}"
        );
        Ok(())
    });
    let _ = browser.cdp("Emulation.setEmulatedMedia", serde_json::json!({}));

    app_step(&browser, &app, "17-wide-1280", |b| {
        // On a common laptop screen Karel's world fills the exercise column rather than
        // sitting as a thumbnail.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        b.goto(&app.url(&lesson_path))?;
        let svg = b.find(&format!("{} img.exercise-svg", exercise_form(karel)))?;
        b.script(
            "arguments[0].scrollIntoView({block: 'center'});",
            &[svg.to_json()],
        )?;
        let size = b.script(
            "var r = arguments[0].getBoundingClientRect();\
             return [r.width, r.height, arguments[0].naturalWidth, arguments[0].naturalHeight];",
            &[svg.to_json()],
        )?;
        let px = |i: usize| size[i].as_f64().unwrap_or(0.0);
        let (w, h, natural_w, natural_h) = (px(0), px(1), px(2), px(3));
        let wide = w > 400.0;
        ensure!(wide, "Karel's world is {w} px wide in a 1280 px window");
        // The world's own proportions, not stretched.
        ensure!(
            natural_h > 0.0 && (w / h - natural_w / natural_h).abs() < 0.02,
            "Karel's world ({natural_w} × {natural_h}) is drawn {w} × {h}"
        );
        header_rows(b, 1280)?;
        Ok(())
    });

    app_step(&browser, &app, "18-narrow-640", |b| {
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 640, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        for page in ["/".to_owned(), lesson_path.clone(), "/progress".to_owned()] {
            b.goto(&app.url(&page))?;
            header_rows(b, 640)?;
            let overflow = sideways_overflow(b)?;
            ensure!(
                overflow.is_null(),
                "{page} scrolls sideways at 640 px: {overflow}"
            );
        }
        // English labels are longer; the rows hold in both languages.
        b.goto(&app.url("/?lang=en"))?;
        header_rows(b, 640)?;
        b.save_screenshot(&screenshot_dir().join("18-narrow-640-library-en.png"))?;
        b.goto(&app.url("/?lang=cs"))?;
        header_rows(b, 640)?;
        b.save_screenshot(&screenshot_dir().join("18-narrow-640-library.png"))?;
        b.goto(&app.url("/progress"))?;
        Ok(())
    });

    app_step(&browser, &app, "19-phone-360", |b| {
        // A phone: the header stacks one thing per row and nothing sticks out sideways,
        // with a learner and on the picker without one.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": true}),
        )?;
        b.goto(&app.url(&lesson_path))?;
        let overflow = sideways_overflow(b)?;
        ensure!(
            overflow.is_null(),
            "the lesson scrolls sideways on a phone: {overflow}"
        );
        b.click(&b.find("button#switch-learner")?)?;
        b.wait_element("form#add-learner", WAIT)?;
        let overflow = sideways_overflow(b)?;
        ensure!(
            overflow.is_null(),
            "the picker scrolls sideways on a phone: {overflow}"
        );
        Ok(())
    });
    let _ = browser.cdp(
        "Emulation.clearDeviceMetricsOverride",
        serde_json::json!({}),
    );
}

/// The header takes two tidy rows: brand, navigation and learner on the first; the sync
/// line on the second, beside the search box (narrow) or under the learner (wide).
fn header_rows(b: &Browser, width: u32) -> WdResult<()> {
    let rects = b.script(
        "return ['.brand', '.main-nav', '#search-form', '#sync-status', '#lang-switch', '.site-header']\
           .map(s => { var e = document.querySelector(s); if (!e) return null;\
                       var r = e.getBoundingClientRect(); return [r.top, r.bottom]; });",
        &[],
    )?;
    let row = |i: usize| -> (f64, f64) {
        (
            rects[i][0].as_f64().unwrap_or(-1.0),
            rects[i][1].as_f64().unwrap_or(-1.0),
        )
    };
    let (brand, nav, search, sync, lang, header) = (row(0), row(1), row(2), row(3), row(4), row(5));
    let mid = |r: (f64, f64)| (r.0 + r.1) / 2.0;
    let same_row = |a: (f64, f64), b: (f64, f64)| mid(b) > a.0 && mid(b) < a.1;
    ensure!(
        same_row(brand, nav) && same_row(brand, lang),
        "at {width} px the brand {brand:?}, navigation {nav:?} and language switch {lang:?} are not on one row"
    );
    let has_sync = sync.1 > sync.0;
    ensure!(has_sync, "no sync line in the header");
    let sync_below = sync.0 >= brand.1 - 1.0;
    ensure!(
        sync_below,
        "at {width} px the sync line {sync:?} is not below the title {brand:?}"
    );
    if width < 1024 {
        ensure!(
            search.0 >= brand.1 - 1.0 && same_row(search, sync),
            "at {width} px the search box {search:?} and the sync line {sync:?} do not share the second row"
        );
    } else {
        ensure!(
            same_row(brand, search),
            "at {width} px the search box {search:?} left the title's row {brand:?}"
        );
    }
    let height = header.1 - header.0;
    let low = height < 150.0;
    ensure!(low, "at {width} px the header is {height} px tall");
    Ok(())
}

/// `null` when the page fits its viewport's width, else the first few elements that stick
/// out on the right (for the failure message).
fn sideways_overflow(b: &Browser) -> WdResult<serde_json::Value> {
    b.script(
        "var w = document.documentElement.clientWidth;\
         if (document.documentElement.scrollWidth <= w) return null;\
         return Array.from(document.querySelectorAll('body *'))\
           .filter(e => e.getBoundingClientRect().right > w + 1)\
           .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));",
        &[],
    )
}

/// Presses Tab until the focused element satisfies `test` (JS over `el`); returns its href.
fn tab_until(b: &Browser, what: &str, max: usize, test: &str) -> WdResult<String> {
    let script = format!(
        "var el = document.activeElement; return ({test}) ? (el.getAttribute('href') || '') : null;"
    );
    for _ in 0..max {
        b.press(&[crate::webdriver::keys::TAB])?;
        if let Some(href) = b.script(&script, &[])?.as_str() {
            return Ok(href.to_owned());
        }
    }
    let at = b.script(
        "var e = document.activeElement; return e.tagName + '#' + e.id + '.' + e.className;",
        &[],
    )?;
    Err(crate::webdriver::WdError::Check(format!(
        "{max} presses of Tab did not reach {what}; focus is on {at}"
    )))
}

/// The sample course's best hit for `query` by `aktovka search --json`: its lesson and heading.
fn expected_search_hit(app: &LearnerApp, query: &str) -> (String, Option<String>) {
    let bundle = app
        .built_bundle()
        .expect("learn built the course into its data directory");
    let run = crate::util::aktovka(&[
        "search",
        bundle.to_str().expect("utf-8 path"),
        query,
        "--json",
        "--limit",
        "1",
    ])
    .expect_code(0);
    let hits: serde_json::Value =
        serde_json::from_str(&run.stdout()).expect("search --json output");
    let hit = &hits[0];
    (
        hit["lesson"].as_str().expect("a hit's lesson").to_owned(),
        hit["heading"]
            .as_str()
            .filter(|h| !h.is_empty())
            .map(str::to_owned),
    )
}
