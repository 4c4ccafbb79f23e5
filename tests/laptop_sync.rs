//! The laptop's side of sync: roster learners under the server's ids (and a pupil who
//! added themselves before enrolment keeping their progress), the sync lock, and the
//! learner app's background sync and "last synced" line, against a real
//! `aktovka server run` and a real `aktovka learn`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aktovka::progress::{EventKind, NewEvent, ProgressStore, RosterChange};
use aktovka::sync::{self, SyncLock, SyncOptions};
use serde_json::Value;
use uuid::Uuid;

use crate::browser::{WAIT, browser_or_skip, step};
use crate::ensure;
use crate::learner::{Client, Server as Learn};
use crate::school::{School, admin, bin};

/// A school server on SQLite with class 7.A (Anežka Nováková, Jiří Dvořák) in a plain
/// one-column roster.
fn school() -> School {
    School::builder()
        .roster("Jméno\nAnežka Nováková\nJiří Dvořák\n")
        .start()
}

/// What only these tests read from the server.
impl School {
    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir().join("server.sqlite")).expect("server db")
    }

    /// `name → id` of the roster.
    fn roster(&self) -> Vec<(String, Uuid)> {
        let db = self.db();
        let mut stmt = db
            .prepare("SELECT name, id FROM learner ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .expect("query")
            .map(|r| {
                let (name, id) = r.expect("row");
                (name, Uuid::parse_str(&id).expect("uuid"))
            })
            .collect()
    }

    /// `(event id, learner)` of every stored event, and how many distinct ids.
    fn events(&self) -> (Vec<(String, String)>, usize) {
        let db = self.db();
        let mut stmt = db
            .prepare("SELECT id, learner FROM event ORDER BY seq")
            .expect("prepare");
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        let distinct: usize = db
            .query_row("SELECT COUNT(DISTINCT id) FROM event", [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("distinct") as usize;
        (rows, distinct)
    }

    fn enroll(&self, laptop: &Path) -> String {
        admin(&[
            "enroll",
            &self.url(),
            &self.code(),
            "--data",
            laptop.to_str().expect("utf-8"),
        ])
    }
}

fn attempt(learner: Uuid) -> NewEvent {
    NewEvent {
        learner,
        course: "mini".into(),
        course_version: "1.2.3".into(),
        kind: EventKind::Attempt {
            exercise: "skola-1".into(),
            answer: "7".into(),
            score: 1.0,
            passed: true,
            plugin_sha256: "ab".repeat(32),
        },
    }
}

#[test]
fn roster_learners_keep_their_ids_and_a_local_profile_keeps_its_progress() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ProgressStore::open(&dir.path().join("progress.sqlite")).expect("store");
    // Anežka added herself, with a PIN, before the laptop was enrolled, and answered once.
    let local = store
        .add_learner("anežka nováková", Some("1234"))
        .expect("local");
    let before = store.record(attempt(local.id)).expect("record");

    let anezka = Uuid::new_v4();
    let change = store
        .add_learner_with_id(anezka, "Anežka Nováková", None)
        .expect("roster");
    assert_eq!(change, RosterChange::Linked { local: local.id });
    assert_eq!(
        store
            .add_learner_with_id(anezka, "Anežka Nováková", None)
            .expect("again"),
        RosterChange::Unchanged,
        "idempotent"
    );
    let learners = store.learners().expect("learners");
    assert_eq!(learners.len(), 1, "the local profile left the picker");
    assert_eq!(
        (
            learners[0].id,
            learners[0].name.as_str(),
            learners[0].has_pin
        ),
        (anezka, "Anežka Nováková", true)
    );
    assert!(
        store.check_pin(anezka, Some("1234")).expect("pin"),
        "PIN kept"
    );
    assert_eq!(
        store.learner(local.id).expect("learner").map(|l| l.id),
        Some(anezka),
        "an old session follows the link"
    );
    // Her earlier attempt counts for her; the event itself is unchanged.
    let progress = store.course_progress(anezka, "mini").expect("progress");
    assert_eq!(progress.exercises["skola-1"].attempts, 1);
    let after = store.record(attempt(anezka)).expect("record");
    assert_eq!(
        store
            .course_progress(anezka, "mini")
            .expect("progress")
            .exercises["skola-1"]
            .attempts,
        2
    );
    assert_eq!(
        store.events_after(0, 10).expect("events"),
        [before.clone(), after.clone()]
    );
    assert_eq!(before.learner, local.id);

    // Renamed on the server; a second roster learner cannot take a taken name.
    let jiri = Uuid::new_v4();
    assert_eq!(
        store.add_learner_with_id(jiri, "Jiří", None).expect("add"),
        RosterChange::Added
    );
    assert_eq!(
        store
            .add_learner_with_id(jiri, "Jiří Dvořák", None)
            .expect("rename"),
        RosterChange::Renamed {
            from: "Jiří".into()
        }
    );
    assert_eq!(
        store.learner(jiri).expect("jiri").map(|l| l.name),
        Some("Jiří Dvořák".into())
    );
    assert_eq!(
        store
            .add_learner_with_id(Uuid::new_v4(), "jiří dvořák", None)
            .expect("taken"),
        RosterChange::NameTaken
    );
    assert!(store.add_learner("JIŘÍ DVOŘÁK", None).is_err());
    assert_eq!(store.learners().expect("learners").len(), 2);
}

#[test]
fn enrolment_and_sync_use_roster_ids_and_one_sync_runs_at_a_time() {
    let server = school();
    let laptop = tempfile::tempdir().expect("temp dir");
    let store = ProgressStore::open(&laptop.path().join("progress.sqlite")).expect("store");
    let local = store.add_learner("Jiří Dvořák", None).expect("local");
    let early = store.record(attempt(local.id)).expect("record");

    let out = server.enroll(laptop.path());
    assert!(
        out.contains("nový žák / new learner: Anežka Nováková"),
        "{out}"
    );
    assert!(
        out.contains("linked to the class roster: Jiří Dvořák"),
        "{out}"
    );
    let roster = server.roster();
    let on_laptop: Vec<(String, Uuid)> = store
        .learners()
        .expect("learners")
        .into_iter()
        .map(|l| (l.name, l.id))
        .collect();
    assert_eq!(
        on_laptop, roster,
        "the laptop's learners are the roster, by id"
    );

    let anezka = roster[0].1;
    let jiri = roster[1].1;
    let e1 = store.record(attempt(anezka)).expect("record");
    let e2 = store.record(attempt(jiri)).expect("record");

    // While another sync holds the lock, the background kind gives way at once and
    // `aktovka sync` waits for it.
    let held = SyncLock::acquire(laptop.path()).expect("lock");
    let skipped = sync::try_sync(laptop.path(), &SyncOptions::default(), &|_| {}).expect("try");
    assert_eq!(skipped, None);
    let mut waiting = bin()
        .args(["sync", "--data", laptop.path().to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sync");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        waiting.try_wait().expect("try_wait").is_none(),
        "aktovka sync waits for the lock"
    );
    drop(held);
    let waited = waiting.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&waited.stderr);
    assert!(waited.status.success(), "{stderr}");
    assert!(
        stderr.contains("waiting for another sync to finish"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&waited.stdout).contains("odesláno / pushed 3"),
        "{waited:?}"
    );

    // Renamed on the server: the next sync renames the laptop's profile.
    server
        .db()
        .execute(
            "UPDATE learner SET name = 'Anežka Dvořáková' WHERE id = ?1",
            [anezka.to_string()],
        )
        .expect("rename");
    let out = admin(&["sync", "--data", laptop.path().to_str().expect("utf-8")]);
    assert!(out.contains("odesláno / pushed 0"), "{out}");
    assert!(
        out.contains("přejmenováno / renamed: Anežka Nováková → Anežka Dvořáková"),
        "{out}"
    );
    assert_eq!(
        store.learner(anezka).expect("learner").map(|l| l.name),
        Some("Anežka Dvořáková".into())
    );
    let (stored, distinct) = server.events();
    assert_eq!(distinct, 3);
    assert_eq!(
        stored,
        [
            (early.id.to_string(), local.id.to_string()),
            (e1.id.to_string(), anezka.to_string()),
            (e2.id.to_string(), jiri.to_string()),
        ],
        "pushed events carry the roster ids; the one from before enrolment is unchanged"
    );
}

/// Polls `f` every 100 ms until it gives `Some`, or fails after `secs`.
fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn status(c: &mut Client) -> Value {
    let r = c.send(c.get("/sync/status")).expect(200);
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[test]
fn the_learner_app_syncs_in_the_background_and_says_when() {
    let mut server = school();
    let _bundle = server.publish_mini();
    let laptop = tempfile::tempdir().expect("temp dir");

    // Not enrolled: the app says so.
    let app = Learn::start(laptop.path(), &[]);
    let mut c = Client::new(&app);
    let home = c.send(c.get("/")).expect(200);
    assert!(
        home.body.contains(
            "<p id=\"sync-status\" class=\"sync-status\" role=\"status\" data-state=\"not_enrolled\">Nepřipojeno ke škole</p>"
        ),
        "{}",
        home.body
    );
    drop(c);
    drop(app);

    server.enroll(laptop.path());
    // A long interval: only the start and the attempt itself cause a sync.
    let app = Learn::start_with(
        laptop.path(),
        &[],
        &[
            ("AKTOVKA_SYNC_INTERVAL_SECS", "3600"),
            ("AKTOVKA_SYNC_AFTER_ATTEMPT_SECS", "0.2"),
        ],
    );
    let mut c = Client::new(&app);
    let first = wait_for(30, "the first sync", || {
        let s = status(&mut c);
        (s["state"] == "synced").then_some(s)
    });
    assert_eq!(first["text"], "Synchronizováno právě teď", "{first}");
    // The published course arrived with the first sync and is served without a restart.
    let home = c.send(c.get("/")).expect(200);
    assert!(home.body.contains("Malý kurz"), "{}", home.body);
    assert!(home.body.contains("data-state=\"synced\""), "{}", home.body);
    let en = c.send(c.get("/sync/status?lang=en")).expect(200);
    assert!(
        en.body.contains("\"text\":\"Synced just now\""),
        "{}",
        en.body
    );
    c.send(c.get("/sync/status?lang=cs")).expect(200);

    let anezka = server.roster()[0].1;
    let id = c.first_learner_id();
    assert_eq!(
        id,
        anezka.to_string(),
        "the picker lists roster learners by roster id"
    );
    let token = c.token();
    c.pick(&token, &id, None).expect(303);
    c.answer(&token, "7").expect(303);
    let stored = wait_for(30, "the attempt on the server", || {
        let (rows, _) = server.events();
        (!rows.is_empty()).then_some(rows)
    });
    assert!(stored.iter().all(|(_, l)| *l == id), "{stored:?}");

    // The server goes away: the line says so, the pupil keeps working.
    server.kill();
    c.answer(&token, "6").expect(303);
    let down = wait_for(30, "the unreachable state", || {
        let s = status(&mut c);
        (s["state"] == "unreachable").then_some(s)
    });
    let text = down["text"].as_str().expect("text");
    assert!(text.starts_with("Server nedostupný, naposledy "), "{text}");
    let page = c.send(c.get("/progress")).expect(200);
    assert!(
        page.body.contains("data-state=\"unreachable\""),
        "{}",
        page.body
    );

    // Back again: the next attempt brings everything, each event once.
    server.start();
    c.answer(&token, "7").expect(303);
    let local = ProgressStore::open(&laptop.path().join("progress.sqlite"))
        .expect("store")
        .events_after(0, usize::MAX)
        .expect("events");
    let (rows, distinct) = wait_for(30, "every event on the server", || {
        let (rows, distinct) = server.events();
        (rows.len() >= local.len()).then_some((rows, distinct))
    });
    assert_eq!((rows.len(), distinct), (local.len(), local.len()));
    let ids: Vec<String> = local.iter().map(|e| e.id.to_string()).collect();
    let stored_ids: Vec<String> = rows.into_iter().map(|(id, _)| id).collect();
    assert_eq!(stored_ids, ids);
    wait_for(30, "the synced state again", || {
        (status(&mut c)["state"] == "synced").then_some(())
    });
}

/// The header line in headless Chromium: visible beside the other header controls, and
/// refreshed by app.js (no reload) when the server goes away, with no console error (CSP).
#[test]
fn the_sync_line_is_visible_and_refreshes_in_a_browser() {
    let Some(browser) = browser_or_skip(1024, 768) else {
        return;
    };
    let mut server = school();
    let _bundle = server.publish_mini();
    let laptop = tempfile::tempdir().expect("temp dir");
    server.enroll(laptop.path());
    let app = Learn::start_with(
        laptop.path(),
        &[],
        &[("AKTOVKA_SYNC_AFTER_ATTEMPT_SECS", "0.2")],
    );
    let mut c = Client::new(&app);
    wait_for(30, "the first sync", || {
        (status(&mut c)["state"] == "synced").then_some(())
    });
    let base = format!("http://127.0.0.1:{}", app.port);
    // `[text, state, width, height, visibility, inside the header]` of the line.
    let probe = "const e = document.getElementById('sync-status'); \
        const r = e.getBoundingClientRect(); \
        return [e.textContent, e.getAttribute('data-state'), r.width, r.height, \
                getComputedStyle(e).visibility, !!e.closest('header.site-header')];";

    step(&browser, "sync-line-synced", |b| {
        b.goto(&format!("{base}/"))?;
        let v = b.script(probe, &[])?;
        ensure!(
            v[0] == "Synchronizováno právě teď" && v[1] == "synced",
            "the line says {v}"
        );
        ensure!(
            v[2].as_f64().unwrap_or(0.0) > 0.0 && v[3].as_f64().unwrap_or(0.0) > 0.0,
            "the line has no size: {v}"
        );
        ensure!(
            v[4] == "visible" && v[5] == true,
            "not shown in the header: {v}"
        );
        Ok(())
    });

    server.kill();
    // Make the app notice now rather than at its next round.
    let id = c.first_learner_id();
    let token = c.token();
    c.pick(&token, &id, None).expect(303);
    c.answer(&token, "1").expect(303);
    wait_for(30, "the unreachable state", || {
        (status(&mut c)["state"] == "unreachable").then_some(())
    });
    step(&browser, "sync-line-unreachable", |b| {
        // app.js refreshes on its timer and whenever the page becomes visible again.
        b.script(
            "document.dispatchEvent(new Event('visibilitychange')); return null;",
            &[],
        )?;
        let v = b.wait_for("the line to say unreachable", WAIT, |b| {
            let v = b.script(probe, &[])?;
            Ok((v[1] == "unreachable").then_some(v))
        })?;
        let text = v[0].as_str().unwrap_or_default();
        ensure!(
            text.starts_with("Server nedostupný, naposledy "),
            "the line says {text:?}"
        );
        Ok(())
    });
}
