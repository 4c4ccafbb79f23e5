//! The teacher dashboard end to end: a real `aktovka server run` process on loopback
//! (`crate::school`) with its SQLite file (`sqlite::…`) or a fresh database on the
//! PostgreSQL cluster named by `$AKTOVKA_TEST_POSTGRES` (`postgres::…`, skipped loudly
//! without it), events pushed through `/api/v1/push` by an enrolled device, pages and the
//! CSV read over HTTP as a browser would (cookies handled by hand, no redirects followed,
//! so each step is visible).

use std::time::Duration;

use aktovka::progress::{Event, EventKind};
use reqwest::blocking::{Client, Response};
use serde_json::json;
use uuid::Uuid;

use crate::school::{Backend, PASSWORD, School, admin, bin, class_id, on_both_backends};

on_both_backends!(
    pages_need_a_login_and_wrong_passwords_are_refused,
    a_teacher_sees_only_their_classes_and_the_admin_all,
    the_course_table_and_csv_show_best_scores_attempts_flags_and_unknown_learners,
    logout_ends_the_session,
);

/// A school server with the admin `admin`, teachers `novak` (7.A, with two Czech-named
/// learners) and `dvorakova` (8.B), running on a free port.
struct Server {
    school: School,
    class_7a: String,
    class_8b: String,
}

impl std::ops::Deref for Server {
    type Target = School;

    fn deref(&self) -> &School {
        &self.school
    }
}

impl Server {
    fn new(backend: Backend) -> Server {
        let mut school = School::builder()
            .backend(backend)
            .teacher("novak", "heslo-novaka")
            .teacher("dvorakova", "heslo-dvorakove")
            .class_teacher("novak")
            .create();
        let b = admin(&["server", "add-class", "--data", school.data(), "8.B"]);
        admin(&[
            "server",
            "assign",
            "--data",
            school.data(),
            "--class",
            "8.B",
            "--teacher",
            "dvorakova",
        ]);
        school.start();
        Server {
            class_7a: school.class_7a().to_owned(),
            class_8b: class_id(&b),
            school,
        }
    }

    fn get(&self, path: &str, session: Option<&str>) -> Response {
        let mut r = client().get(format!("{}{path}", self.url()));
        if let Some(s) = session {
            r = r.header("cookie", format!("aktovka_ucitel={s}"));
        }
        r.send().expect("GET")
    }

    fn login_response(&self, name: &str, password: &str) -> Response {
        client()
            .post(format!("{}/ucitel/prihlaseni", self.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &self.url())
            .body(form(&[("name", name), ("password", password)]))
            .send()
            .expect("POST login")
    }

    /// Signs in and returns the session token from the cookie.
    fn login(&self, name: &str, password: &str) -> String {
        let r = self.login_response(name, password);
        assert_eq!(r.status(), 303, "login of {name}: {:?}", r.text());
        session_cookie(&r).expect("session cookie")
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The value the response sets for the session cookie, if it sets one.
fn session_cookie(r: &Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("aktovka_ucitel="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn pages_need_a_login_and_wrong_passwords_are_refused(backend: Backend) {
    let server = Server::new(backend);
    for path in [
        "/ucitel".to_owned(),
        format!("/ucitel/tridy/{}", server.class_7a),
        format!("/ucitel/tridy/{}/kurzy/mini/export.csv", server.class_7a),
    ] {
        let r = server.get(&path, None);
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), "/ucitel/prihlaseni", "{path}");
        let r = server.get(&path, Some(&"ab".repeat(32)));
        assert_eq!(r.status(), 303, "{path} with a made-up session");
    }
    let page = server.get("/ucitel/prihlaseni", None);
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert!(page.text().expect("body").contains("Přihlášení učitele"));

    let r = server.login_response("novak", "spatne-heslo");
    assert_eq!(r.status(), 401);
    assert!(session_cookie(&r).is_none());
    assert!(
        r.text()
            .expect("body")
            .contains("Nesprávné jméno nebo heslo")
    );
    let r = server.login_response("nikdo", PASSWORD);
    assert_eq!(r.status(), 401);

    // A login form posted from another site is refused before the password is looked at.
    let r = client()
        .post(format!("{}/ucitel/prihlaseni", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example")
        .body(form(&[("name", "novak"), ("password", "heslo-novaka")]))
        .send()
        .expect("POST");
    assert_eq!(r.status(), 403);
    assert!(session_cookie(&r).is_none());

    // Guessing: after five wrong passwords even the right one is refused for a while,
    // with a clear message; another teacher is not affected.
    for _ in 0..4 {
        assert_eq!(server.login_response("dvorakova", "hadam").status(), 401);
    }
    let r = server.login_response("dvorakova", "heslo-dvorakove");
    let cookie = session_cookie(&r).expect("the fifth try is still checked");
    for _ in 0..5 {
        assert_eq!(server.login_response("dvorakova", "hadam").status(), 401);
    }
    let r = server.login_response("dvorakova", "heslo-dvorakove");
    assert_eq!(r.status(), 429);
    assert!(
        r.text()
            .expect("body")
            .contains("Příliš mnoho nesprávných pokusů")
    );
    server.login("novak", "heslo-novaka");
    // A session from before the lockout still works.
    assert_eq!(server.get("/ucitel", Some(&cookie)).status(), 200);

    let r = server.login_response("novak", "heslo-novaka");
    let set = r.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/ucitel"),
        "{set}"
    );
    // Only the token's hash is stored.
    let token = session_cookie(&r).expect("cookie");
    let stored = server.column("SELECT token_hash FROM session");
    assert!(!stored.contains(&token));
    assert!(stored.contains(&aktovka::server::secret_hash(&token)));
}

fn a_teacher_sees_only_their_classes_and_the_admin_all(backend: Backend) {
    let server = Server::new(backend);
    let novak = server.login("novak", "heslo-novaka");
    let list = server.get("/ucitel", Some(&novak)).text().expect("body");
    assert!(list.contains("7.A") && !list.contains("8.B"), "{list}");
    assert!(list.contains("žáků na seznamu: 2"), "{list}");
    let own = server.get(&format!("/ucitel/tridy/{}", server.class_7a), Some(&novak));
    assert_eq!(own.status(), 200);
    let other = server.get(&format!("/ucitel/tridy/{}", server.class_8b), Some(&novak));
    assert_eq!(other.status(), 404);
    let other_course = server.get(
        &format!("/ucitel/tridy/{}/kurzy/mini", server.class_8b),
        Some(&novak),
    );
    assert_eq!(other_course.status(), 404);
    let other_csv = server.get(
        &format!("/ucitel/tridy/{}/kurzy/mini/export.csv", server.class_8b),
        Some(&novak),
    );
    assert_eq!(other_csv.status(), 404);
    assert_eq!(
        server
            .get(&format!("/ucitel/tridy/{}", Uuid::new_v4()), Some(&novak))
            .status(),
        404
    );

    let dvorakova = server.login("dvorakova", "heslo-dvorakove");
    let list = server
        .get("/ucitel", Some(&dvorakova))
        .text()
        .expect("body");
    assert!(list.contains("8.B") && !list.contains("7.A"), "{list}");

    let root = server.login("admin", PASSWORD);
    let list = server
        .get("/ucitel?lang=en", Some(&root))
        .text()
        .expect("body");
    assert!(list.contains("7.A") && list.contains("8.B"), "{list}");
    assert!(list.contains("Classes"), "English when asked: {list}");
    assert_eq!(
        server
            .get(&format!("/ucitel/tridy/{}", server.class_8b), Some(&root))
            .status(),
        200
    );
}

/// Enrols a device into 7.A over the API: its id, token and the roster (name → id).
fn enrol(server: &Server) -> (Uuid, String, Vec<(String, Uuid)>) {
    let (device, v) = server.enrol_device(&client());
    let roster = v["learners"]
        .as_array()
        .expect("learners")
        .iter()
        .map(|l| {
            (
                l["name"].as_str().expect("name").to_owned(),
                l["id"].as_str().expect("id").parse().expect("uuid"),
            )
        })
        .collect();
    (
        device,
        v["token"].as_str().expect("token").to_owned(),
        roster,
    )
}

/// The `<tr>…</tr>` of the matrix row whose header is `name`.
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let head = format!("<th scope=\"row\">{name}</th>");
    let start = page
        .find(&head)
        .unwrap_or_else(|| panic!("no row {name}: {page}"));
    let end = page[start..].find("</tr>").expect("row end") + start;
    &page[start..end]
}

fn the_course_table_and_csv_show_best_scores_attempts_flags_and_unknown_learners(backend: Backend) {
    use aktovka::learner::library::Course;
    let server = Server::new(backend);
    let (_b, bundle) = server.publish_mini();
    let course = Course::open(&bundle).expect("course");
    let lesson = course.manifest().lessons[0].id.clone();
    let lessons = course.manifest().lessons.len();
    let sandbox = aktovka::sandbox::Sandbox::new(None).expect("sandbox");
    let ex = course.exercise("skola-1").expect("exercise skola-1");
    let plugin = course
        .plugin(&sandbox, &ex.plugin)
        .expect("plugin")
        .sha256_hex();

    let (device, token, roster) = enrol(&server);
    let id = |name: &str| {
        roster
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("{name} on the roster: {roster:?}"))
    };
    let (anezka, jiri, stranger) = (id("Anežka Nováková"), id("Jiří Dvořák"), Uuid::new_v4());
    let mut seq = 0;
    let mut event = |learner: Uuid, kind: EventKind| {
        seq += 1;
        Event {
            id: Uuid::now_v7(),
            device,
            seq,
            learner,
            course: "mini".into(),
            course_version: "1.2.3".into(),
            kind,
            at: "2026-11-27T10:00:00.000+01:00".into(),
        }
    };
    let attempt = |answer: &str, score: f64, passed: bool, sha: &str| EventKind::Attempt {
        exercise: "skola-1".into(),
        answer: answer.into(),
        score,
        passed,
        plugin_sha256: sha.into(),
    };
    let events = vec![
        event(
            anezka,
            EventKind::LessonOpened {
                lesson: lesson.clone(),
            },
        ),
        event(anezka, attempt("6", 0.0, false, &plugin)),
        event(anezka, attempt("7", 1.0, true, &plugin)),
        event(
            anezka,
            EventKind::LessonCompleted {
                lesson: lesson.clone(),
            },
        ),
        // A laptop database edited to pass a wrong answer: the server says 0.
        event(jiri, attempt("6", 1.0, true, &plugin)),
        // A learner the roster does not know, graded by a plugin this server lacks: the
        // laptop's score stands (unverifiable), and the row is shown, not dropped.
        event(stranger, attempt("7", 0.875, false, &"00".repeat(32))),
    ];
    let r = client()
        .post(format!("{}/api/v1/push", server.url()))
        .bearer_auth(&token)
        .body(json!({ "events": events }).to_string())
        .send()
        .expect("push");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    // Re-grade now (the running server may also do it in the background; each attempt is
    // graded once either way).
    bin()
        .args(["server", "regrade", "--data", server.data()])
        .output()
        .expect("regrade");
    let graded = server.column("SELECT CAST(COUNT(*) AS TEXT) FROM regrade");
    assert_eq!(graded, ["4"]);

    let novak = server.login("novak", "heslo-novaka");
    let class_page = server
        .get(&format!("/ucitel/tridy/{}", server.class_7a), Some(&novak))
        .text()
        .expect("body");
    assert!(
        class_page.contains("Malý kurz") && class_page.contains("1.2.3"),
        "{class_page}"
    );
    assert!(class_page.contains("/kurzy/mini"), "{class_page}");

    let r = server.get(
        &format!("/ucitel/tridy/{}/kurzy/mini", server.class_7a),
        Some(&novak),
    );
    assert_eq!(r.status(), 200);
    let page = r.text().expect("body");
    assert!(
        page.contains("<caption>") && page.contains("scope=\"col\""),
        "{page}"
    );
    assert!(
        page.contains("Kolik je dní v týdnu?"),
        "exercise column: {page}"
    );
    let a = row(&page, "Anežka Nováková");
    assert!(
        a.contains("100 %") && a.contains("2×") && !a.contains("⚑"),
        "{a}"
    );
    assert!(a.contains(&format!("1 / {lessons}")), "{a}");
    let j = row(&page, "Jiří Dvořák");
    assert!(
        j.contains("0 %") && j.contains("1×") && j.contains("⚑"),
        "{j}"
    );
    assert!(
        j.contains("Laptop nahlásil až 100 %"),
        "what was claimed: {j}"
    );
    let short = &stranger.simple().to_string()[..8];
    let s = row(&page, &format!("neznámý žák {short}"));
    assert!(
        s.contains("88 %") && s.contains("1×") && !s.contains("⚑"),
        "{s}"
    );
    assert!(page.contains("splnilo 1 z 3"), "totals: {page}");

    let r = server.get(
        &format!("/ucitel/tridy/{}/kurzy/mini/export.csv", server.class_7a),
        Some(&novak),
    );
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv"),
        "content type"
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("disposition")
            .contains("attachment"),
    );
    let bytes = r.bytes().expect("body");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM first");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    assert_eq!(
        lines[0],
        "Žák;ID žáka;Kolik je dní v týdnu?: nejlepší skóre %;Kolik je dní v týdnu?: pokusy;Kolik je dní v týdnu?: neshody;Dokončené lekce"
    );
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[1], format!("Anežka Nováková;{anezka};100;2;0;1"));
    assert_eq!(lines[2], format!("Jiří Dvořák;{jiri};0;1;1;0"));
    assert_eq!(
        lines[3],
        format!("neznámý žák {short};{stranger};87,5;1;0;0"),
        "decimal comma"
    );
}

fn logout_ends_the_session(backend: Backend) {
    let server = Server::new(backend);
    let session = server.login("novak", "heslo-novaka");
    assert_eq!(server.get("/ucitel", Some(&session)).status(), 200);
    let r = client()
        .post(format!("{}/ucitel/odhlaseni", server.url()))
        .header("cookie", format!("aktovka_ucitel={session}"))
        .header("origin", &server.url())
        .send()
        .expect("logout");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/ucitel/prihlaseni");
    assert_eq!(session_cookie(&r).as_deref(), Some(""), "cookie cleared");
    // The old token is dead on the server, not only forgotten by the browser.
    let r = server.get("/ucitel", Some(&session));
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/ucitel/prihlaseni");
}

/// The same path in headless Chromium: its own Origin and cookie handling, the CSP (any
/// console error fails a step), the pages' links and forms.
#[test]
fn a_teacher_signs_in_reads_the_table_and_signs_out_in_a_browser() {
    use crate::browser::{WAIT, browser_or_skip, step};
    let Some(browser) = browser_or_skip(1100, 800) else {
        return;
    };
    let server = Server::new(Backend::Sqlite);
    let _bundle = server.publish_mini();
    let (device, token, roster) = enrol(&server);
    let anezka = roster
        .iter()
        .find(|(n, _)| n == "Anežka Nováková")
        .map(|(_, id)| *id)
        .expect("on the roster");
    let attempt = Event {
        id: Uuid::now_v7(),
        device,
        seq: 1,
        learner: anezka,
        course: "mini".into(),
        course_version: "1.2.3".into(),
        kind: EventKind::Attempt {
            exercise: "skola-1".into(),
            answer: "7".into(),
            score: 1.0,
            passed: true,
            plugin_sha256: "00".repeat(32),
        },
        at: "2026-11-27T10:00:00.000+01:00".into(),
    };
    let r = client()
        .post(format!("{}/api/v1/push", server.url()))
        .bearer_auth(&token)
        .body(json!({ "events": [attempt] }).to_string())
        .send()
        .expect("push");
    assert_eq!(r.status(), 200);
    let url = server.url().clone();
    let sign_in =
        |b: &crate::webdriver::Browser, password: &str| -> crate::webdriver::WdResult<()> {
            let name = b.wait_element("#name", WAIT)?;
            b.clear(&name)?;
            b.send_keys(&name, "novak")?;
            let field = b.find("#password")?;
            b.send_keys(&field, password)?;
            b.click(&b.find(".login button")?)
        };
    step(&browser, "dashboard-login-wrong", |b| {
        b.goto(&format!("{url}/ucitel"))?;
        b.wait_url("the login page", WAIT, |u| {
            u.ends_with("/ucitel/prihlaseni")
        })?;
        sign_in(b, "spatne-heslo")?;
        let error = b.wait_element(".error", WAIT)?;
        let text = b.text(&error)?;
        if !text.contains("Nesprávné jméno nebo heslo") {
            return Err(crate::webdriver::WdError::Check(format!("message: {text}")));
        }
        // The refusal is a 401, which the console reports; nothing else may be there.
        let unexpected: Vec<String> = b
            .console()?
            .into_iter()
            .filter(|l| l.starts_with("SEVERE") && !l.contains("status of 401"))
            .collect();
        if !unexpected.is_empty() {
            return Err(crate::webdriver::WdError::Check(unexpected.join("\n")));
        }
        Ok(())
    });
    step(&browser, "dashboard-login", |b| {
        sign_in(b, "heslo-novaka")?;
        b.wait_url("the class list", WAIT, |u| u.ends_with("/ucitel"))?;
        b.click(&b.wait_element("ul.classes a", WAIT)?)?;
        b.click(&b.wait_element("a[href$=\"/kurzy/mini\"]", WAIT)?)?;
        let table = b.wait_element("table.matrix", WAIT)?;
        let text = b.text(&table)?;
        if !(text.contains("Anežka Nováková") && text.contains("100 %")) {
            return Err(crate::webdriver::WdError::Check(format!("table: {text}")));
        }
        Ok(())
    });
    step(&browser, "dashboard-logout", |b| {
        b.click(&b.find("header form button")?)?;
        b.wait_url("the login page", WAIT, |u| {
            u.ends_with("/ucitel/prihlaseni")
        })?;
        b.goto(&format!("{url}/ucitel"))?;
        b.wait_url("the login page again", WAIT, |u| {
            u.ends_with("/ucitel/prihlaseni")
        })?;
        Ok(())
    });
}
