//! A minimal W3C WebDriver client for the browser tests: it spawns Debian's `chromedriver`
//! on a loopback port chosen by chromedriver itself, opens one headless Chromium session and
//! speaks JSON over a hand-written HTTP/1.1 client (one `Connection: close` request per
//! call), so the tests need no HTTP or base64 crate.
//!
//! Invariant: dropping a [`Browser`] ends the session and kills chromedriver and every
//! Chromium process it started (they share chromedriver's own process group), even when
//! the test failed half-way.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Where Debian's `chromium` package puts the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's `chromium-driver` package puts the driver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a single HTTP exchange with chromedriver may take; page loads are bounded by
/// the session's own page-load timeout, which is shorter.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Keys of the WebDriver key table used by the tests.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
}

/// Everything that can go wrong while driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum WdError {
    /// Occurs when chromedriver cannot be reached or answers something that is not HTTP.
    #[error("talking to chromedriver: {0}")]
    Io(#[from] std::io::Error),
    /// Occurs when chromedriver answers with a body that is not the expected JSON.
    #[error("chromedriver answered {0}")]
    Protocol(String),
    /// Occurs when a WebDriver command fails (no such element, stale element, timeout, …).
    #[error("webdriver `{command}`: {error}: {message}")]
    Command {
        command: String,
        error: String,
        message: String,
    },
    /// Occurs when a wait helper gives up.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
    /// Occurs when a test's own check fails.
    #[error("{0}")]
    Check(String),
}

pub type WdResult<T> = Result<T, WdError>;

/// Fails with a [`WdError::Check`] unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::webdriver::WdError::Check(format!($($fmt)+)));
        }
    };
}

/// One response from chromedriver: its status code and JSON body.
struct Reply {
    status: u16,
    body: Value,
}

/// Sends one HTTP/1.1 request to `127.0.0.1:port` and reads the whole answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> WdResult<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if body.is_some() {
        request.push_str("Content-Type: application/json; charset=utf-8\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    stream.write_all(request.as_bytes())?;
    stream.write_all(payload.as_bytes())?;
    let (status, body) = read_response(&mut BufReader::new(stream))?;
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            WdError::Protocol(format!(
                "non-JSON body ({e}): {}",
                String::from_utf8_lossy(&body)
            ))
        })?
    };
    Ok(Reply { status, body })
}

/// Reads one HTTP/1.1 response: its status and body, framed by `Content-Length` or chunked
/// encoding (chromedriver keeps connections open despite `Connection: close`, so reading to
/// the end of the stream would wait for the timeout).
fn read_response(reader: &mut impl BufRead) -> WdResult<(u16, Vec<u8>)> {
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| WdError::Protocol(format!("a bad status line {status_line:?}")))?;
    let mut length = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size_text = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| WdError::Protocol(format!("a bad chunk size {size_line:?}")))?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok((status, body))
}

/// Decodes standard base64 (screenshots), ignoring whitespace.
pub fn base64_decode(text: &str) -> WdResult<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = value(c).ok_or_else(|| WdError::Protocol(format!("bad base64 byte {c}")))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// A page element found by a CSS selector. Two handles are equal when WebDriver gave them
/// the same id, i.e. they are the same node of the same page.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    id: String,
    /// The selector that found it, for error messages.
    selector: String,
}

impl Element {
    /// The W3C reference to pass the element as a script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// A running chromedriver with one headless Chromium session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    /// Chromium's profile: fresh per run, removed on drop.
    _profile: tempfile::TempDir,
}

/// Whether Debian's Chromium and its driver are installed.
pub fn chromium_installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a `width`×`height` window.
    pub fn start(width: u32, height: u32) -> WdResult<Browser> {
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Its own process group, so that drop can kill Chromium's processes with it.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut driver = command.spawn()?;
        let port = match read_port(&mut driver) {
            Ok(port) => port,
            Err(e) => {
                kill_group(&mut driver);
                return Err(e);
            }
        };
        let profile = tempfile::tempdir()?;
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", browser._profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 20_000, "script": 10_000, "implicit": 0},
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let value = browser.command("POST", "/session", Some(&capabilities))?;
        browser.session = value["sessionId"]
            .as_str()
            .ok_or_else(|| WdError::Protocol(format!("a session without an id: {value}")))?
            .to_owned();
        Ok(browser)
    }

    /// Sends one command; returns the reply's `value`, or its error.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> WdResult<Value> {
        let reply = http(self.port, method, path, body)?;
        let value = reply.body.get("value").cloned().unwrap_or(Value::Null);
        if reply.status >= 400 {
            return Err(WdError::Command {
                command: format!("{method} {}", path.replace(&self.session, "…")),
                error: value["error"].as_str().unwrap_or("unknown").to_owned(),
                message: value["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            });
        }
        Ok(value)
    }

    fn session_command(&self, method: &str, rel: &str, body: Option<&Value>) -> WdResult<Value> {
        self.command(method, &format!("/session/{}{rel}", self.session), body)
    }

    /// A command on one element; a failure names the element's selector.
    fn element_command(
        &self,
        method: &str,
        element: &Element,
        rel: &str,
        body: Option<&Value>,
    ) -> WdResult<Value> {
        self.session_command(method, &format!("/element/{}{rel}", element.id), body)
            .map_err(|e| match e {
                WdError::Command { error, message, .. } => WdError::Command {
                    command: format!("{method} {rel} on `{}`", element.selector),
                    error,
                    message,
                },
                other => other,
            })
    }

    /// Navigates to `url` and waits for the load to finish.
    pub fn goto(&self, url: &str) -> WdResult<()> {
        self.session_command("POST", "/url", Some(&json!({ "url": url })))
            .map(drop)
    }

    /// The current page's address.
    pub fn url(&self) -> WdResult<String> {
        let v = self.session_command("GET", "/url", None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The current page's `<title>`.
    pub fn title(&self) -> WdResult<String> {
        let v = self.session_command("GET", "/title", None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The first element matching `selector`, or a `no such element` error.
    pub fn find(&self, selector: &str) -> WdResult<Element> {
        let v = self.session_command(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": selector})),
        )?;
        element_from(&v, selector)
    }

    /// Every element matching `selector`, in document order.
    pub fn find_all(&self, selector: &str) -> WdResult<Vec<Element>> {
        let v = self.session_command(
            "POST",
            "/elements",
            Some(&json!({"using": "css selector", "value": selector})),
        )?;
        v.as_array()
            .ok_or_else(|| WdError::Protocol(format!("elements: {v}")))?
            .iter()
            .map(|e| element_from(e, selector))
            .collect()
    }

    /// Clicks `element` (scrolling it into view first, as WebDriver does).
    pub fn click(&self, element: &Element) -> WdResult<()> {
        self.element_command("POST", element, "/click", Some(&json!({})))
            .map(drop)
    }

    /// Types `text` into `element` (which WebDriver focuses first).
    pub fn send_keys(&self, element: &Element, text: &str) -> WdResult<()> {
        self.element_command("POST", element, "/value", Some(&json!({ "text": text })))
            .map(drop)
    }

    /// Empties a text field.
    pub fn clear(&self, element: &Element) -> WdResult<()> {
        self.element_command("POST", element, "/clear", Some(&json!({})))
            .map(drop)
    }

    /// The element's rendered text.
    pub fn text(&self, element: &Element) -> WdResult<String> {
        let v = self.element_command("GET", element, "/text", None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The element's attribute `name`, `None` when absent.
    pub fn attr(&self, element: &Element, name: &str) -> WdResult<Option<String>> {
        let v = self.element_command("GET", element, &format!("/attribute/{name}"), None)?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub fn script(&self, script: &str, args: &[Value]) -> WdResult<Value> {
        self.session_command(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": args})),
        )
    }

    /// Presses and releases each key of `keys` on whatever has the focus, as a user would
    /// (unlike [`Browser::send_keys`], which moves the focus to its element first).
    pub fn press(&self, keys: &[&str]) -> WdResult<()> {
        let actions: Vec<Value> = keys
            .iter()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.session_command("POST", "/actions", Some(&body))?;
        self.session_command("DELETE", "/actions", None).map(drop)
    }

    /// A Chrome DevTools Protocol command, through chromedriver's `goog/cdp` extension.
    pub fn cdp(&self, cmd: &str, params: Value) -> WdResult<Value> {
        self.session_command(
            "POST",
            "/goog/cdp/execute",
            Some(&json!({"cmd": cmd, "params": params})),
        )
    }

    /// The browser console's messages since the last call (CSP violations, script errors,
    /// failed requests), as `LEVEL message` lines; chromedriver's `se/log` extension.
    pub fn console(&self) -> WdResult<Vec<String>> {
        let v = self.session_command("POST", "/se/log", Some(&json!({"type": "browser"})))?;
        Ok(v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or("?"),
                            e["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> WdResult<Vec<u8>> {
        let v = self.session_command("GET", "/screenshot", None)?;
        base64_decode(v.as_str().unwrap_or_default())
    }

    /// Saves a PNG of the viewport to `path` (creating its directory).
    pub fn save_screenshot(&self, path: &Path) -> WdResult<()> {
        let png = self.screenshot()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Polls `probe` every 50 ms until it yields `Some`, for at most `timeout`. Errors from
    /// the probe (an element not there yet) count as "not yet".
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Browser) -> WdResult<Option<T>>,
    ) -> WdResult<T> {
        let start = Instant::now();
        let mut last_error = None;
        loop {
            match probe(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_error = Some(e),
            }
            if start.elapsed() > timeout {
                let detail = last_error
                    .map(|e| format!(" (last: {e})"))
                    .unwrap_or_default();
                return Err(WdError::Timeout(timeout, format!("{what}{detail}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until an element matches `selector` and returns it.
    pub fn wait_element(&self, selector: &str, timeout: Duration) -> WdResult<Element> {
        self.wait_for(&format!("an element `{selector}`"), timeout, |b| {
            b.find(selector).map(Some)
        })
    }

    /// Waits until the page address satisfies `pred`, and returns it.
    pub fn wait_url(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> WdResult<String> {
        self.wait_for(what, timeout, |b| {
            let url = b.url()?;
            Ok(pred(&url).then_some(url))
        })
    }
}

fn element_from(value: &Value, selector: &str) -> WdResult<Element> {
    let id = value[ELEMENT_KEY]
        .as_str()
        .ok_or_else(|| WdError::Protocol(format!("not an element: {value}")))?;
    Ok(Element {
        id: id.to_owned(),
        selector: selector.to_owned(),
    })
}

/// Reads chromedriver's stdout until it says which port it listens on.
fn read_port(driver: &mut Child) -> WdResult<u16> {
    let stdout = driver
        .stdout
        .take()
        .ok_or_else(|| WdError::Protocol("chromedriver without stdout".into()))?;
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let marker = "started successfully on port ";
    while Instant::now() < deadline {
        let Some(line) = lines.next() else { break };
        let line = line?;
        if let Some(rest) = line.split(marker).nth(1) {
            let port = rest.trim_end_matches('.').trim().parse().map_err(|_| {
                WdError::Protocol(format!("chromedriver printed an odd port line: {line}"))
            })?;
            // Keep draining stdout so chromedriver never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(port);
        }
    }
    Err(WdError::Protocol(
        "chromedriver did not report its port".into(),
    ))
}

/// Kills the process group led by `child` (chromedriver and the Chromium it started).
fn kill_group(child: &mut Child) {
    // Best effort: the group may already be gone; `kill` on the leader alone follows.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // A clean quit lets chromedriver close Chromium; errors are moot at this point.
            let _ = self.command("DELETE", &format!("/session/{}", self.session), None);
        }
        kill_group(&mut self.driver);
    }
}

/// The directory for screenshots: `target/e2e-screenshots`, next to the binary under test.
pub fn screenshot_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_aktovka"));
    exe.parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("target"))
        .join("e2e-screenshots")
}
