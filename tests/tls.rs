//! HTTPS between laptops and the school server: `aktovka server run --tls-cert/--tls-key`
//! with a certificate made in the test (rcgen: self-signed for 127.0.0.1, like a school's
//! own certificate made with openssl), `aktovka enroll --ca-cert`, and what happens to a
//! laptop that does not trust the certificate or a client speaking plain HTTP. Also the
//! running server's own re-grading of what is pushed to it (the rest of it is in
//! `sync::the_server_regrades_attempts_and_flags_a_tampered_score`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use aktovka::progress::{EventKind, NewEvent, ProgressStore};
use serde_json::json;

use crate::school::{School, admin, bin, built_bundle};
use crate::sync::{JsonValue, event};

/// A self-signed certificate for the loopback address: `(certificate PEM, key PEM)`.
fn self_signed() -> (String, String) {
    let c = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".into()])
        .expect("certificate");
    (c.cert.pem(), c.signing_key.serialize_pem())
}

/// A school server on loopback speaking only HTTPS, with class 7.A (one learner), and the
/// directory holding its certificate and key.
struct TlsServer {
    school: School,
    certs: tempfile::TempDir,
}

impl std::ops::Deref for TlsServer {
    type Target = School;

    fn deref(&self) -> &School {
        &self.school
    }
}

impl TlsServer {
    fn new() -> TlsServer {
        let certs = tempfile::tempdir().expect("temp dir");
        let (cert, key) = self_signed();
        std::fs::write(certs.path().join("cert.pem"), cert).expect("cert");
        std::fs::write(certs.path().join("key.pem"), key).expect("key");
        let school = School::builder()
            .roster("Jméno\nAnežka Nováková\n")
            .tls(
                &certs.path().join("cert.pem"),
                &certs.path().join("key.pem"),
            )
            .start();
        TlsServer { school, certs }
    }

    /// The file a school hands to its laptops: here the certificate itself.
    fn ca(&self) -> PathBuf {
        self.certs.path().join("cert.pem")
    }

    fn events_stored(&self) -> u64 {
        self.store().event_count().expect("count")
    }

    /// A client trusting this server's certificate (redirects not followed).
    fn client(&self) -> reqwest::blocking::Client {
        let pem = std::fs::read(self.ca()).expect("ca");
        reqwest::blocking::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client")
    }
}

fn enroll(server: &TlsServer, laptop: &Path, ca: Option<&Path>) -> Output {
    let mut c = bin();
    c.arg("enroll")
        .arg(server.url())
        .arg(server.code())
        .arg("--data")
        .arg(laptop);
    if let Some(ca) = ca {
        c.arg("--ca-cert").arg(ca);
    }
    c.output().expect("run enroll")
}

fn text(out: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn enrol_push_and_pull_over_https_with_the_school_ca() {
    let server = TlsServer::new();
    let _bundle = server.publish_mini();
    let laptop = tempfile::tempdir().expect("laptop");
    let out = enroll(&server, laptop.path(), Some(&server.ca()));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Anežka Nováková"), "{}", text(&out));
    // The CA is kept for every later sync: the next commands get no --ca-cert.
    let config = aktovka::sync::SyncConfig::load(laptop.path())
        .expect("config")
        .expect("enrolled");
    assert_eq!(
        config.ca_cert.as_deref(),
        Some(std::fs::read_to_string(server.ca()).expect("ca").as_str())
    );
    let store = ProgressStore::open(&laptop.path().join("progress.sqlite")).expect("store");
    let learner = store.learners().expect("learners")[0].id;
    for i in 0..3 {
        store
            .record(NewEvent {
                learner,
                course: "mini".into(),
                course_version: "1.2.3".into(),
                kind: EventKind::LessonOpened {
                    lesson: format!("lekce-{i}"),
                },
            })
            .expect("record");
    }
    let out = bin()
        .arg("sync")
        .arg("--data")
        .arg(laptop.path())
        .output()
        .expect("sync");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("acknowledged up to 3"), "{stdout}");
    assert!(
        stdout.contains("mini 1.2.3"),
        "the bundle came over HTTPS: {stdout}"
    );
    assert_eq!(server.events_stored(), 3);
    assert!(
        aktovka::learner::library::library_files(laptop.path())
            .iter()
            .any(|p| aktovka::bundle::Bundle::open(p).is_ok()),
        "the downloaded bundle is installed"
    );
}

#[test]
fn enrolling_without_the_school_ca_fails_with_a_certificate_error_and_stores_nothing() {
    let server = TlsServer::new();
    let laptop = tempfile::tempdir().expect("laptop");
    let code = server.code();
    let started = Instant::now();
    let out = bin()
        .args(["enroll", &server.url(), &code, "--data"])
        .arg(laptop.path())
        .output()
        .expect("run enroll");
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("certificate is not trusted") && stderr.contains("--ca-cert"),
        "{stderr}"
    );
    // An untrusted certificate is final, not retried like a flaky network.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(!laptop.path().join("sync.json").exists(), "nothing stored");
    // The code was never sent, so it still enrols the laptop once the CA is given.
    let out = bin()
        .args(["enroll", &server.url(), &code, "--data"])
        .arg(laptop.path())
        .arg("--ca-cert")
        .arg(server.ca())
        .output()
        .expect("run enroll");
    assert!(out.status.success(), "{}", text(&out));

    // Another school's certificate is no better than none.
    let other = tempfile::tempdir().expect("other");
    let foreign = other.path().join("foreign.pem");
    std::fs::write(&foreign, self_signed().0).expect("foreign");
    let out = enroll(&server, other.path(), Some(&foreign));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("certificate is not trusted"),
        "{}",
        text(&out)
    );
    assert!(!other.path().join("sync.json").exists());

    // A --ca-cert that is missing or holds no certificate is named.
    for (file, content) in [("missing.pem", None), ("empty.pem", Some("no pem here\n"))] {
        let path = other.path().join(file);
        if let Some(c) = content {
            std::fs::write(&path, c).expect("write");
        }
        let out = enroll(&server, other.path(), Some(&path));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(file), "{}", text(&out));
    }
}

#[test]
fn plain_http_to_the_https_port_is_refused_and_the_server_keeps_serving() {
    let server = TlsServer::new();
    // A client that connects and says nothing must not hold up the others.
    let _silent = std::net::TcpStream::connect(server.addr()).expect("connect");
    let mut plain = std::net::TcpStream::connect(server.addr()).expect("connect");
    plain
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    plain
        .write_all(b"GET /api/v1/pull HTTP/1.1\r\nHost: aktovka\r\n\r\n")
        .expect("send");
    let mut answer = String::new();
    plain.read_to_string(&mut answer).expect("answer");
    assert!(
        answer.starts_with("HTTP/1.1 400") && answer.contains("https://"),
        "{answer}"
    );
    // The same through reqwest: an error, not a hang.
    let over_http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
        .get(format!("http://{}/api/v1/pull", server.addr()))
        .send();
    assert!(
        over_http.as_ref().map_or(true, |r| r.status() == 400),
        "{over_http:?}"
    );
    // Meanwhile HTTPS is answered as before.
    let (device, enrolled) = server.enrol_device(&server.client());
    let token = enrolled["token"].as_str().expect("token").to_owned();
    let r = server
        .client()
        .post(format!("{}/api/v1/push", server.url()))
        .bearer_auth(&token)
        .body(json!({"events": [event(device, 1, "2026-11-27T10:00:00.000+01:00")]}).to_string())
        .send()
        .expect("push over https");
    assert_eq!(r.json_value(), json!({"acknowledged": 1}));
    assert_eq!(server.events_stored(), 1);
}

#[test]
fn run_refuses_unusable_certificate_files_naming_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8");
    admin(&["server", "init", "--data", data]);
    let (cert, key) = self_signed();
    let (_, other_key) = self_signed();
    let file = |name: &str, content: &str| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, content).expect("write");
        p
    };
    let cert = file("cert.pem", &cert);
    let key = file("key.pem", &key);
    // What `openssl req -x509` makes unless told otherwise: a certificate marked as a CA.
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert").pem();
    let cases: [(PathBuf, PathBuf, &str); 5] = [
        (dir.path().join("chybi.pem"), key.clone(), "chybi.pem"),
        (
            file("junk.pem", "not a certificate\n"),
            key.clone(),
            "junk.pem",
        ),
        (cert.clone(), cert.clone(), "no PEM private key"),
        (
            cert.clone(),
            file("other-key.pem", &other_key),
            "does not belong",
        ),
        (
            file("ca.pem", &ca_cert),
            file("ca-key.pem", &ca_key.serialize_pem()),
            "ca.pem: ",
        ),
    ];
    for (c, k, expected) in cases {
        let out = bin()
            .args(["server", "run", "--data", data, "--listen", "127.0.0.1:0"])
            .arg("--tls-cert")
            .arg(&c)
            .arg("--tls-key")
            .arg(&k)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "expected {expected:?}: {stderr}");
        if expected == "ca.pem: " {
            assert!(stderr.contains("CA:FALSE"), "says how to fix it: {stderr}");
        }
        assert!(out.stdout.is_empty(), "never listened: {}", text(&out));
    }
    // Both or neither.
    let out = bin()
        .args(["server", "run", "--data", data, "--listen", "127.0.0.1:0"])
        .arg("--tls-cert")
        .arg(&cert)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--tls-key"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_broken_bundle_costs_only_its_own_attempts_in_the_background_regrading() {
    use aktovka::learner::library::Course;
    let server = TlsServer::new();
    let (_b, good) = built_bundle();
    let other = crate::util::CourseDir::new();
    let built = tempfile::tempdir().expect("temp dir");
    let broken = built.path().join("test.aktovka");
    let out = bin()
        .arg("build")
        .arg(other.path())
        .arg("-o")
        .arg(&broken)
        .arg("--data")
        .arg(built.path())
        .output()
        .expect("build");
    assert!(out.status.success(), "{}", text(&out));
    for b in [&good, &broken] {
        server.publish(b);
    }
    // The published copy of course `test` goes bad on the server's disk.
    std::fs::write(server.dir().join("bundles/test-1.0.0.aktovka"), "poškozeno").expect("corrupt");
    let sandbox = aktovka::sandbox::Sandbox::new(None).expect("sandbox");
    let course = Course::open(&good).expect("course");
    let ex = course.exercise("skola-1").expect("exercise skola-1");
    let plugin = course
        .plugin(&sandbox, &ex.plugin)
        .expect("plugin")
        .sha256_hex();
    let (device, enrolled) = server.enrol_device(&server.client());
    let token = enrolled["token"].as_str().expect("token").to_owned();
    let attempt = |seq: u64, course: &str, version: &str, answer: &str| {
        let mut e = event(device, seq, "2026-11-27T10:00:00.000+01:00");
        e.course = course.into();
        e.course_version = version.into();
        e.kind = EventKind::Attempt {
            exercise: "skola-1".into(),
            answer: answer.into(),
            score: 1.0,
            passed: true,
            plugin_sha256: plugin.clone(),
        };
        e
    };
    let events = [
        attempt(1, "test", "1.0.0", "7"),
        attempt(2, "mini", "1.2.3", "7"),
        // Tampered: a wrong answer reported as passed.
        attempt(3, "mini", "1.2.3", "6"),
    ];
    let r = server
        .client()
        .post(format!("{}/api/v1/push", server.url()))
        .bearer_auth(&token)
        .body(json!({ "events": events }).to_string())
        .send()
        .expect("push");
    assert_eq!(r.json_value(), json!({"acknowledged": 3}));
    // Nobody runs `server regrade`: the running server does it on its own.
    let db = rusqlite::Connection::open(server.dir().join("server.sqlite")).expect("db");
    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows: Vec<(i64, String, String)> = db
            .prepare(
                "SELECT e.seq, r.status, r.detail FROM regrade r JOIN event e ON e.id = r.event
                 ORDER BY e.seq",
            )
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        if rows.len() == events.len() || Instant::now() > deadline {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let statuses: Vec<(i64, &str)> = rows.iter().map(|(s, t, _)| (*s, t.as_str())).collect();
    assert_eq!(
        statuses,
        [(1, "unverifiable"), (2, "match"), (3, "mismatch")],
        "{rows:?}"
    );
    assert!(
        rows[0].2.contains("test-1.0.0.aktovka cannot be opened"),
        "{:?}",
        rows[0]
    );
}

#[test]
fn over_https_the_dashboard_session_cookie_is_secure() {
    let server = TlsServer::new();
    // The admin's password, as `bin()` gives it to `server init`.
    let password = bin()
        .get_envs()
        .find(|(k, _)| *k == "AKTOVKA_PASSWORD")
        .and_then(|(_, v)| v)
        .and_then(|v| v.to_str())
        .expect("AKTOVKA_PASSWORD")
        .to_owned();
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("name", "admin")
        .append_pair("password", &password)
        .finish();
    let r = server
        .client()
        .post(format!("{}/ucitel/prihlaseni", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", server.url())
        .body(body)
        .send()
        .expect("log in");
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("session cookie")
        .to_owned();
    assert!(
        cookie.starts_with("aktovka_ucitel=") && cookie.contains("; Secure"),
        "{cookie}"
    );
}
