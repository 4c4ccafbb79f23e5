//! The learner app over real HTTP: the `aktovka learn` binary is started on a free loopback
//! port with a temp data directory and the `mini` fixture course, and every route and every
//! refusal is exercised with a small HTTP/1.1 client (which can send any `Host` header).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::util::fixture;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A running `aktovka learn`; killed (SIGKILL on Unix) when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Server {
    /// Starts the server on `args` (bundles or course dirs) with `data` as data directory.
    pub(crate) fn start(data: &Path, args: &[&Path]) -> Server {
        Server::start_with(data, args, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub(crate) fn start_with(data: &Path, args: &[&Path], env: &[(&str, &str)]) -> Server {
        let log = std::fs::File::create(data.join(format!(
            "server-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        )))
        .expect("log file");
        std::fs::create_dir_all(data).expect("data dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_aktovka"))
            .arg("learn")
            .args(args)
            .args(["--no-open", "--port", "0", "--data"])
            .arg(data)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start aktovka learn");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the address");
        let port = line
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .and_then(|r| r.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("first stdout line is the address, got {line:?}"));
        Server { child, port }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "status; body:\n{}", self.body);
        self
    }
}

/// A browser-like client: keeps cookies, sends our Host unless told otherwise.
pub(crate) struct Client<'a> {
    server: &'a Server,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Req<'c> {
    method: &'c str,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl<'c> Req<'c> {
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Some(body);
        self.header("Content-Type", "application/x-www-form-urlencoded")
    }
}

impl<'a> Client<'a> {
    pub(crate) fn new(server: &'a Server) -> Self {
        Client {
            server,
            cookies: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&self, path: &str) -> Req<'static> {
        Req {
            method: "GET",
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn post(&self, path: &str) -> Req<'static> {
        Req {
            method: "POST",
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn send(&mut self, req: Req) -> Resp {
        let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path);
        let has_host = req
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("host"));
        if !has_host {
            head.push_str(&format!("Host: {}\r\n", self.server.host()));
        }
        for (k, v) in &req.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        let body = req.body.unwrap_or_default();
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut stream = TcpStream::connect(("127.0.0.1", self.server.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        stream.write_all(head.as_bytes()).expect("send head");
        stream.write_all(body.as_bytes()).expect("send body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read response");
        let resp = parse_response(&raw);
        for (k, v) in &resp.headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    if value.is_empty() || v.contains("Max-Age=0") {
                        self.cookies.remove(name);
                    } else {
                        self.cookies.insert(name.to_owned(), value.to_owned());
                    }
                }
            }
        }
        resp
    }

    /// The per-run token, read from a page's hidden form field.
    pub(crate) fn token(&mut self) -> String {
        let page = self.send(self.get("/")).expect(200);
        let at = page
            .body
            .find("name=\"token\" value=\"")
            .expect("token field")
            + 20;
        page.body[at..at + 64].to_owned()
    }

    /// Adds a learner (and so picks them).
    fn add_learner(&mut self, name: &str, pin: &str) -> Resp {
        let token = self.token();
        let req = self
            .post("/learners")
            .header("Origin", &self.server.origin())
            .form(&[("token", &token), ("name", name), ("pin", pin)]);
        self.send(req)
    }

    /// The id of the first learner on the picker.
    pub(crate) fn first_learner_id(&mut self) -> String {
        let home = self.send(self.get("/")).expect(200);
        let at = home
            .body
            .find("name=\"learner\" value=\"")
            .expect("learner field")
            + 22;
        home.body[at..at + 36].to_owned()
    }

    /// Picks a learner, with a PIN or without.
    pub(crate) fn pick(&mut self, token: &str, id: &str, pin: Option<&str>) -> Resp {
        let mut form = vec![("token", token), ("learner", id)];
        if let Some(pin) = pin {
            form.push(("pin", pin));
        }
        let req = self.post("/learner").form(&form);
        self.send(req)
    }

    pub(crate) fn answer(&mut self, token: &str, answer: &str) -> Resp {
        let req = self
            .post("/c/mini/x/skola-1")
            .header("Origin", &self.server.origin())
            .form(&[("token", token), ("answer", answer)]);
        self.send(req)
    }
}

fn parse_response(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
                .expect("chunk size");
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn mini() -> PathBuf {
    fixture("courses/mini")
}

fn built_bundle(data: &Path) -> PathBuf {
    data.join("built").join("mini-1.2.3.aktovka")
}

#[test]
fn every_route_answers_and_every_refusal_refuses() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[&mini()]);
    let mut c = Client::new(&server);

    // The library, before anyone is picked: the picker, the security headers.
    let home = c.send(c.get("/")).expect(200);
    assert_eq!(home.header("content-security-policy"), Some(CSP));
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    for needle in [
        "id=\"add-learner\"",
        "id=\"lang-switch\"",
        "id=\"search-form\"",
        "id=\"search\"",
        "<html lang=\"cs\"",
        "Malý kurz",
    ] {
        assert!(home.body.contains(needle), "{needle} in\n{}", home.body);
    }
    assert!(!home.body.contains("<script>"), "no inline script");
    assert!(!home.body.contains(" style="), "no inline style");

    // DNS rebinding: any other Host is refused, with or without our port.
    for host in [
        "evil.example",
        &format!("evil.example:{}", server.port),
        "127.0.0.1:1",
    ] {
        let r = c.send(c.get("/").header("Host", host));
        assert_eq!(r.status, 421, "Host {host}");
    }
    c.send(
        c.get("/")
            .header("Host", &format!("localhost:{}", server.port)),
    )
    .expect(200);

    // State-changing requests without the token, with a wrong one or from a foreign
    // origin are refused, and nothing is recorded.
    let token = c.token();
    let foreign = c
        .post("/learners")
        .header("Origin", "http://evil.example")
        .form(&[("token", &token), ("name", "Zloun")]);
    c.send(foreign).expect(403);
    let no_token = c.post("/learners").form(&[("name", "Zloun")]);
    c.send(no_token).expect(403);
    let wrong_token = c
        .post("/learners")
        .form(&[("token", &"0".repeat(64)), ("name", "Zloun")]);
    c.send(wrong_token).expect(403);
    let cross_site = c
        .post("/learners")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("token", &token), ("name", "Zloun")]);
    c.send(cross_site).expect(403);
    let rebound = c
        .post("/learners")
        .header("Host", "evil.example")
        .form(&[("token", &token), ("name", "Zloun")]);
    c.send(rebound).expect(421);
    assert!(
        !c.send(c.get("/")).body.contains("Zloun"),
        "nothing was added"
    );

    // Pages of a learner send a visitor without one to the picker.
    for path in ["/c/mini", "/c/mini/l/01-skola", "/progress"] {
        let r = c.send(c.get(path)).expect(303);
        assert_eq!(r.header("location"), Some("/"), "{path}");
    }

    // Add a learner: session cookie, HttpOnly and SameSite=Strict.
    let added = c.add_learner("Anička", "").expect(303);
    let cookie = added.header("set-cookie").expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let home = c.send(c.get("/")).expect(200);
    assert!(home.body.contains("Anička"), "{}", home.body);
    assert!(home.body.contains("id=\"switch-learner\""));

    // A bad name is refused with a message, and nothing is added.
    let empty = c.add_learner("   ", "");
    assert_eq!(empty.status, 400, "{}", empty.body);
    assert!(
        empty.body.contains("class=\"error-message\""),
        "{}",
        empty.body
    );

    // Course page: table of contents and what is next.
    let course = c.send(c.get("/c/mini")).expect(200);
    for needle in [
        "class=\"lesson-link\" data-lesson=\"01-skola\"",
        "class=\"lesson-link\" data-lesson=\"02-pocitace\"",
        "id=\"next-lesson\" class=\"button\" href=\"/c/mini/l/01-skola\"",
    ] {
        assert!(course.body.contains(needle), "{needle} in\n{}", course.body);
    }
    c.send(c.get("/c/nope")).expect(404);

    // Lesson page: bundle HTML in the layout, the exercise as a form, next link.
    let token = c.token();
    let lesson = c.send(c.get("/c/mini/l/01-skola")).expect(200);
    for needle in [
        "<form class=\"exercise\" id=\"x-skola-1\" data-exercise=\"skola-1\" method=\"post\" action=\"/c/mini/x/skola-1\"",
        "name=\"answer\"",
        "class=\"submit\"",
        "Kolik dní má týden?",
        "src=\"../assets/skola.svg\"",
        "href=\"02-pocitace#jak-pocitac-pocita\"",
        "id=\"next-lesson\" rel=\"next\" href=\"/c/mini/l/02-pocitace\"",
    ] {
        assert!(lesson.body.contains(needle), "{needle} in\n{}", lesson.body);
    }
    assert!(
        !lesson.body.contains("class=\"feedback"),
        "no feedback before an answer"
    );
    let second = c.send(c.get("/c/mini/l/02-pocitace")).expect(200);
    assert!(second.body.contains("id=\"prev-lesson\""));
    assert!(second.body.contains("href=\"01-skola\""), "{}", second.body);
    assert!(!second.body.contains("alert("), "lesson HTML is sanitised");
    c.send(c.get("/c/mini/l/nope")).expect(404);
    let old_link = c.send(c.get("/c/mini/l/02-pocitace.html")).expect(308);
    assert_eq!(old_link.header("location"), Some("/c/mini/l/02-pocitace"));
    let file_link = c
        .send(c.get("/c/mini/lessons/02-pocitace.html"))
        .expect(308);
    assert_eq!(file_link.header("location"), Some("/c/mini/l/02-pocitace"));

    // Opening a lesson without exercises marks it done on the course page.
    let course = c.send(c.get("/c/mini")).expect(200);
    assert!(
        course.body.contains(
            "<li class=\"lesson-done\"><a class=\"lesson-link\" data-lesson=\"02-pocitace\""
        ),
        "{}",
        course.body
    );

    // Bundle files: assets with their type and a sandboxing CSP.
    let svg = c.send(c.get("/c/mini/assets/skola.svg")).expect(200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(
        svg.header("content-security-policy")
            .is_some_and(|p| p.contains("sandbox"))
    );
    assert!(svg.body.contains("<svg"));
    c.send(c.get("/c/mini/assets/nope.svg")).expect(404);
    c.send(c.get("/c/mini/assets/../manifest.json")).expect(404);

    // Static files are embedded.
    let css = c.send(c.get("/static/app.css")).expect(200);
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css"))
    );
    let js = c.send(c.get("/static/app.js")).expect(200);
    assert!(
        js.header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript"))
    );
    c.send(c.get("/static/icon.svg")).expect(200);
    c.send(c.get("/static/nope.js")).expect(404);
    c.send(c.get("/nope")).expect(404);

    // Search: a page with highlighted hits, and JSON for the live results.
    let found = c.send(c.get("/search?q=skola")).expect(200);
    assert!(
        found
            .body
            .contains("class=\"search-hit\" href=\"/c/mini/l/01-skola"),
        "{}",
        found.body
    );
    assert!(found.body.contains("<mark>"), "{}", found.body);
    assert!(
        found.body.contains("value=\"skola\""),
        "the box keeps the query"
    );
    let live = c
        .send(c.get("/search?q=po%C4%8D%C3%ADta%C4%8De&format=json"))
        .expect(200);
    let hits: serde_json::Value = serde_json::from_str(&live.body).expect("JSON");
    let first = &hits[0];
    assert!(
        first["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/c/mini/l/02-pocitace")),
        "{hits}"
    );
    assert!(
        first["parts"].as_array().is_some_and(|p| !p.is_empty()),
        "{hits}"
    );
    let none = c.send(c.get("/search?q=zzzzqqq")).expect(200);
    assert!(!none.body.contains("search-hit"));

    // Grading: refusals record nothing.
    let foreign = c
        .post("/c/mini/x/skola-1")
        .header("Origin", "http://evil.example")
        .form(&[("token", &token), ("answer", "7")]);
    c.send(foreign).expect(403);
    let no_token = c.post("/c/mini/x/skola-1").form(&[("answer", "7")]);
    c.send(no_token).expect(403);
    let rebound = c
        .post("/c/mini/x/skola-1")
        .header("Host", "attacker.example")
        .form(&[("token", &token), ("answer", "7")]);
    c.send(rebound).expect(421);
    // Nothing tried yet: no table of blanks, the one exercise folded into "Zbývá 1 cvičení".
    let progress = c.send(c.get("/progress")).expect(200);
    assert!(
        !progress.body.contains("<tr data-exercise"),
        "{}",
        progress.body
    );
    assert!(
        progress.body.contains(
            "<details class=\"untried\" data-untried=\"1\"><summary>Zbývá 1 cvičení</summary>"
        ),
        "{}",
        progress.body
    );
    assert!(
        progress
            .body
            .contains("<a href=\"/c/mini/l/01-skola#x-skola-1\" data-exercise=\"skola-1\">"),
        "{}",
        progress.body
    );
    let unknown = c
        .post("/c/mini/x/nope")
        .form(&[("token", &token), ("answer", "7")]);
    c.send(unknown).expect(404);

    // Wrong, then right (as JSON), shows on the lesson page and in /progress.
    let wrong = c.answer(&token, "6").expect(303);
    assert_eq!(
        wrong.header("location"),
        Some("/c/mini/l/01-skola#x-skola-1")
    );
    let lesson = c.send(c.get("/c/mini/l/01-skola")).expect(200);
    assert!(
        lesson.body.contains("data-passed=\"false\""),
        "{}",
        lesson.body
    );
    assert!(
        lesson.body.contains("value=\"6\""),
        "the last answer is kept"
    );
    let req = c
        .post("/c/mini/x/skola-1")
        .header("Accept", "application/json")
        .header("X-Aktovka-Token", &token)
        .form(&[("answer", "7")]);
    let right = c.send(req).expect(200);
    let verdict: serde_json::Value = serde_json::from_str(&right.body).expect("JSON verdict");
    assert_eq!(verdict["passed"], true, "{verdict}");
    assert_eq!(verdict["score"], 1.0, "{verdict}");
    let lesson = c.send(c.get("/c/mini/l/01-skola")).expect(200);
    assert!(
        lesson
            .body
            .contains("data-passed=\"true\" data-score=\"1\""),
        "{}",
        lesson.body
    );
    let progress = c.send(c.get("/progress")).expect(200);
    assert!(
        progress
            .body
            .contains("<tr data-exercise=\"skola-1\" class=\"passed\">"),
        "{}",
        progress.body
    );
    assert!(
        progress
            .body
            .contains("<td class=\"best-score\" data-score=\"1\">100 %</td>")
    );
    assert!(progress.body.contains("<td class=\"attempts\">2</td>"));
    assert!(
        !progress.body.contains("class=\"untried\""),
        "every exercise tried, yet an untried list: {}",
        progress.body
    );
    let course = c.send(c.get("/c/mini")).expect(200);
    assert!(
        course.body.contains(
            "<li class=\"lesson-done\"><a class=\"lesson-link\" data-lesson=\"01-skola\""
        )
    );

    // English: the switch sets a cookie, every string changes.
    let en = c.send(c.get("/progress?lang=en")).expect(200);
    assert!(
        en.header("set-cookie")
            .is_some_and(|s| s.starts_with("aktovka_lang=en"))
    );
    assert!(en.body.contains("<html lang=\"en\""));
    assert!(en.body.contains("My progress"), "{}", en.body);
    assert!(en.body.contains(">100%</td>"), "{}", en.body);
    let cs = c.send(c.get("/?lang=cs")).expect(200);
    assert!(cs.body.contains("Knihovna kurzů"));

    // Switching learner is one POST; afterwards the learner's pages are closed again.
    let req = c.post("/logout").form(&[("token", &token)]);
    c.send(req).expect(303);
    c.send(c.get("/progress")).expect(303);
}

#[test]
fn a_pin_guards_a_learner() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[&mini()]);
    let mut c = Client::new(&server);
    c.add_learner("Bára", "12ab").expect(400);
    c.add_learner("Bára", "1234").expect(303);
    let token = c.token();
    c.send(c.post("/logout").form(&[("token", &token)]))
        .expect(303);
    let id = c.first_learner_id();
    let home = c.send(c.get("/")).expect(200);
    assert!(
        home.body
            .contains("class=\"learner-pick\" data-learner=\"Bára\"")
    );

    let prompt = c.pick(&token, &id, None).expect(200);
    assert!(prompt.body.contains("id=\"pin-form\""), "{}", prompt.body);
    assert!(c.cookies.keys().all(|k| !k.starts_with("aktovka_session")));
    c.pick(&token, &id, Some("0000")).expect(403);
    c.send(c.get("/progress")).expect(303);
    c.pick(&token, &id, Some("1234")).expect(303);
    c.send(c.get("/progress")).expect(200);
}

#[test]
fn a_killed_server_keeps_every_acknowledged_attempt() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[&mini()]);
    let mut c = Client::new(&server);
    c.add_learner("Cyril", "").expect(303);
    let token = c.token();
    c.answer(&token, "5").expect(303);
    server.kill();

    // Restart from the built bundle, installed into the library: `learn` with no
    // arguments shows it.
    let installed = install(&built_bundle(data.path()), data.path());
    assert!(installed.status.success(), "{installed:?}");
    assert!(data.path().join("library/mini-1.2.3.aktovka").is_file());
    let server = Server::start(data.path(), &[]);
    let mut c = Client::new(&server);
    let home = c.send(c.get("/")).expect(200);
    assert!(home.body.contains("Malý kurz"), "{}", home.body);
    let id = c.first_learner_id();
    let token = c.token();
    c.pick(&token, &id, None).expect(303);
    c.answer(&token, "7").expect(303);
    server.kill();

    let server = Server::start(data.path(), &[]);
    let mut c = Client::new(&server);
    let token = c.token();
    c.pick(&token, &id, None).expect(303);
    let progress = c.send(c.get("/progress")).expect(200);
    assert!(
        progress.body.contains("<td class=\"attempts\">2</td>"),
        "{}",
        progress.body
    );
    assert!(
        progress.body.contains("data-score=\"1\""),
        "{}",
        progress.body
    );
}

/// Runs `aktovka install BUNDLE --data DATA`.
fn install(bundle: &Path, data: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aktovka"))
        .arg("install")
        .arg(bundle)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run install")
}

#[test]
fn install_refuses_a_damaged_bundle() {
    let data = tempfile::tempdir().expect("temp dir");
    let junk = data.path().join("junk.aktovka");
    std::fs::write(&junk, b"PK\x03\x04 not really a zip").expect("write");
    let out = install(&junk, data.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!data.path().join("library").join("junk.aktovka").exists());
}

#[test]
fn install_replaces_an_older_version_of_the_same_course() {
    let data = tempfile::tempdir().expect("temp dir");
    let dist = tempfile::tempdir().expect("temp dir");
    for version in ["1.0.0", "1.1.0"] {
        let course = crate::util::CourseDir::new().file(
            "course.toml",
            crate::util::COURSE_TOML.replace("1.0.0", version),
        );
        let bundle = dist.path().join(format!("test-{version}.aktovka"));
        crate::util::aktovka(&[
            "build",
            course.path().to_str().expect("utf-8"),
            "-o",
            bundle.to_str().expect("utf-8"),
        ])
        .expect_code(0);
        let out = install(&bundle, data.path());
        assert!(out.status.success(), "{out:?}");
    }
    let mut installed: Vec<String> = std::fs::read_dir(data.path().join("library"))
        .expect("library")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    installed.sort();
    assert_eq!(installed, ["test-1.1.0.aktovka"]);
}

#[test]
fn learn_refuses_a_course_with_errors() {
    let data = tempfile::tempdir().expect("temp dir");
    let course = crate::util::CourseDir::new().file(
        "lessons/01-uvod.md",
        "# Úvod\n\n[rozbitý odkaz](chybi.md)\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_aktovka"))
        .arg("learn")
        .arg(course.path())
        .args(["--no-open", "--port", "0", "--data"])
        .arg(data.path())
        .output()
        .expect("run learn");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "no address is printed");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error"),
        "{out:?}"
    );
}
