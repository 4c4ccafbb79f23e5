//! The school server and sync end to end: a real `aktovka server run` process on loopback,
//! laptops as data directories synced through the library client and the `aktovka sync`
//! binary, and raw HTTP for requests a well-behaved client never sends. Every fault test
//! ends by checking, through the store trait, that each event is stored exactly once.
//!
//! Every test runs twice: `sync::sqlite::…` against the SQLite file in the server's data
//! directory and `sync::postgres::…` against a fresh PostgreSQL database of its own (the
//! server, the backends and the skip rule are `crate::school`'s).

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use aktovka::progress::{Event, EventKind, NewEvent, ProgressStore};
use aktovka::server::regrade::RegradeStatus;
use aktovka::sync::{self, Step, SyncOptions, SyncReport};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::school::{Backend, School, admin, bin, built_bundle, on_both_backends};

on_both_backends!(
    enrol_push_pull_and_resume_a_download_exactly_once,
    duplicated_and_reordered_batches_are_stored_once,
    a_tampered_event_is_refused_and_a_revoked_device_locked_out,
    bad_requests_get_clear_4xx_and_the_server_keeps_serving,
    device_clocks_a_day_off_are_recorded_not_trusted,
    a_client_killed_mid_push_finishes_on_the_next_sync,
    a_server_killed_mid_sync_and_restarted_loses_nothing,
    a_server_restored_from_an_older_backup_gets_the_lost_events_again,
    connections_cut_mid_request_and_mid_response_lose_and_duplicate_nothing,
    an_enrolment_code_serves_one_device_and_survives_a_lost_answer,
    the_server_regrades_attempts_and_flags_a_tampered_score,
    attempts_of_an_unpublished_course_wait_and_are_regraded_once_it_is_published,
    an_older_servers_not_published_verdict_is_forgotten_by_the_migration,
    concurrent_pushes_of_one_device_store_each_event_once,
    stored_events_cannot_be_changed_even_below_the_server,
    a_database_from_a_newer_aktovka_is_refused_untouched,
    the_store_keeps_teachers_sessions_and_class_activity,
);

/// What only the sync tests ask of a server.
impl School {
    /// The re-grading outcomes stored so far, by seq.
    fn regrades(&self) -> Vec<(u64, RegradeStatus)> {
        self.activity()
            .into_iter()
            .filter_map(|(e, r)| r.map(|r| (e.seq, r.status)))
            .collect()
    }

    /// Forgets every re-grading outcome (the server must be stopped).
    fn clear_regrades(&self) {
        self.raw_sql("DELETE FROM regrade").expect("clear");
    }

    /// Asserts that the server holds exactly `events`, each once with identical content.
    fn assert_holds_exactly(&self, events: &[Event]) {
        let store = self.store();
        let device = events.first().map(|e| e.device);
        assert_eq!(
            store.event_count().expect("count"),
            events.len() as u64,
            "events stored"
        );
        let class = store.class("7.A").expect("class").expect("class 7.A");
        let stored: Vec<Event> = store
            .class_activity(class.id)
            .expect("class activity")
            .into_iter()
            .map(|(e, _)| e)
            .filter(|e| Some(e.device) == device)
            .collect();
        let ids: std::collections::HashSet<Uuid> = stored.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), stored.len(), "no event stored twice");
        assert_eq!(stored.len(), events.len(), "events stored for the device");
        let mut sent = events.to_vec();
        sent.sort_by_key(|e| e.seq);
        for (stored, sent) in stored.iter().zip(&sent) {
            assert_eq!(stored, sent, "event seq {} as sent", sent.seq);
        }
        if let Some(device) = device {
            assert_eq!(
                store.acknowledged(device).expect("ack"),
                events.len() as u64,
                "acknowledged mark"
            );
        }
    }
}

/// A pupil's laptop: a data directory enrolled with a server.
struct Laptop {
    dir: tempfile::TempDir,
    store: ProgressStore,
}

impl Laptop {
    fn enrolled(server: &School) -> Laptop {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = admin(&[
            "enroll",
            &server.url(),
            &server.code(),
            "--data",
            dir.path().to_str().expect("utf-8"),
        ]);
        assert!(out.contains("7.A"), "{out}");
        let store = ProgressStore::open(&dir.path().join("progress.sqlite")).expect("store");
        Laptop { dir, store }
    }

    fn data(&self) -> &Path {
        self.dir.path()
    }

    /// Records `n` events of the first roster learner, alternating kinds.
    fn record(&self, n: usize) {
        let learner = self.store.learners().expect("learners")[0].id;
        for i in 0..n {
            let kind = if i % 2 == 0 {
                EventKind::LessonOpened {
                    lesson: format!("lekce-{i}"),
                }
            } else {
                EventKind::Attempt {
                    exercise: format!("cviceni-{i}"),
                    answer: "42".into(),
                    score: 0.5,
                    passed: false,
                    plugin_sha256: "ab".repeat(32),
                }
            };
            self.store
                .record(NewEvent {
                    learner,
                    course: "digitalni-gramotnost".into(),
                    course_version: "1.0.0".into(),
                    kind,
                })
                .expect("record");
        }
    }

    fn events(&self) -> Vec<Event> {
        self.store.events_after(0, usize::MAX).expect("events")
    }

    fn sync(&self) -> SyncReport {
        sync::sync(self.data(), &fast(), &|_| {}).expect("sync")
    }

    fn config(&self) -> sync::SyncConfig {
        sync::SyncConfig::load(self.data())
            .expect("config")
            .expect("enrolled")
    }
}

/// Retry quickly: the tests restart servers within a second.
fn fast() -> SyncOptions {
    SyncOptions {
        batch_size: 100,
        attempts: 40,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(250),
        timeout: Duration::from_secs(20),
    }
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A raw device enrolled by hand: its id and token.
fn raw_device(server: &School) -> (Uuid, String) {
    let (device, v) = server.enrol_device(&http());
    (device, v["token"].as_str().expect("token").to_owned())
}

pub(crate) trait JsonValue {
    fn json_value(self) -> Value;
}

impl JsonValue for reqwest::blocking::Response {
    fn json_value(self) -> Value {
        let text = self.text().expect("body");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

pub(crate) fn event(device: Uuid, seq: u64, at: &str) -> Event {
    Event {
        id: Uuid::now_v7(),
        device,
        seq,
        learner: Uuid::new_v4(),
        course: "digitalni-gramotnost".into(),
        course_version: "1.0.0".into(),
        kind: EventKind::Attempt {
            exercise: "hesla-1".into(),
            answer: "2".into(),
            score: 1.0,
            passed: true,
            plugin_sha256: "cd".repeat(32),
        },
        at: at.into(),
    }
}

/// Pushes raw events; returns the status and the JSON answer.
fn push(server: &School, token: &str, events: &[Event]) -> (u16, Value) {
    let r = http()
        .post(format!("{}/api/v1/push", server.url()))
        .bearer_auth(token)
        .body(json!({ "events": events }).to_string())
        .send()
        .expect("push");
    (r.status().as_u16(), r.json_value())
}

fn enrol_push_pull_and_resume_a_download_exactly_once(backend: Backend) {
    let server = School::new(backend);
    let (_b, bundle) = server.publish_mini();
    let laptop = Laptop::enrolled(&server);
    let names: Vec<String> = laptop
        .store
        .learners()
        .expect("learners")
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["Anežka Nováková", "Jiří Dvořák"]);
    laptop.record(1234);

    // Half the bundle is already there from a broken download: the sync resumes it.
    let bytes = std::fs::read(&bundle).expect("bundle");
    let downloads = laptop.data().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads");
    std::fs::write(
        downloads.join("mini-1.2.3.aktovka.part"),
        &bytes[..bytes.len() / 2],
    )
    .expect("part");
    let resumed = std::cell::Cell::new(None);
    let report = sync::sync(laptop.data(), &fast(), &|s| {
        if let Step::DownloadStart { resumed_at, .. } = s {
            resumed.set(Some(resumed_at));
        }
    })
    .expect("sync");
    assert_eq!(report.pushed, 1234);
    assert_eq!(report.acknowledged, 1234);
    assert_eq!(report.resent_from, None);
    assert_eq!(report.bundles_installed, ["mini 1.2.3"]);
    assert_eq!(resumed.get(), Some(bytes.len() as u64 / 2));
    let installed = laptop.data().join("library");
    let files: Vec<_> = std::fs::read_dir(&installed)
        .expect("library")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).expect("installed"), bytes);
    server.assert_holds_exactly(&laptop.events());
    assert_eq!(laptop.config().acknowledged, 1234);

    // Nothing new: nothing pushed, nothing downloaded; new events go up next time.
    let again = laptop.sync();
    assert_eq!((again.pushed, again.bundles_installed.len()), (0, 0));
    laptop.record(3);
    assert_eq!(laptop.sync().pushed, 3);
    server.assert_holds_exactly(&laptop.events());

    // The binary does the same and says so.
    laptop.record(2);
    let out = admin(&["sync", "--data", laptop.data().to_str().expect("utf-8")]);
    assert!(out.contains("odesláno / pushed 2"), "{out}");
    server.assert_holds_exactly(&laptop.events());
}

fn duplicated_and_reordered_batches_are_stored_once(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    let events: Vec<Event> = (1..=6)
        .map(|s| event(device, s, "2026-11-27T10:00:00.000+01:00"))
        .collect();
    // Later batch first: stored, but the mark waits for the gap.
    assert_eq!(push(&server, &token, &events[3..6]).1["acknowledged"], 0);
    assert_eq!(push(&server, &token, &events[0..2]).1["acknowledged"], 2);
    // The same batch twice, then everything again, in reverse.
    assert_eq!(push(&server, &token, &events[0..2]).1["acknowledged"], 2);
    let mut reversed = events.clone();
    reversed.reverse();
    let (status, v) = push(&server, &token, &reversed);
    assert_eq!((status, &v["acknowledged"]), (200, &json!(6)));
    server.assert_holds_exactly(&events);
}

fn a_tampered_event_is_refused_and_a_revoked_device_locked_out(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    let original = event(device, 1, "2026-11-27T10:00:00.000+01:00");
    assert_eq!(
        push(&server, &token, std::slice::from_ref(&original)).0,
        200
    );

    let mut tampered = original.clone();
    if let EventKind::Attempt { score, .. } = &mut tampered.kind {
        *score = 0.25;
    }
    let next = event(device, 2, "2026-11-27T10:01:00.000+01:00");
    let (status, v) = push(&server, &token, &[next.clone(), tampered]);
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"], "conflict");
    assert_eq!(v["event"], original.id.to_string());
    // Another id on a taken seq is a conflict too.
    let (status, _) = push(
        &server,
        &token,
        &[event(device, 1, "2026-11-27T10:00:00.000+01:00")],
    );
    assert_eq!(status, 409);
    // Nothing of the refused batches was stored; the original is intact.
    server.assert_holds_exactly(std::slice::from_ref(&original));

    admin(&[
        "server",
        "revoke",
        "--data",
        server.data(),
        &device.to_string(),
    ]);
    let (status, v) = push(&server, &token, &[next]);
    assert_eq!(status, 401, "{v}");
    let listed = admin(&["server", "devices", "--data", server.data()]);
    assert!(
        listed.contains(&device.to_string()) && listed.contains("revoked"),
        "{listed}"
    );
    server.assert_holds_exactly(std::slice::from_ref(&original));
}

fn bad_requests_get_clear_4xx_and_the_server_keeps_serving(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    let url = format!("{}/api/v1/push", server.url());
    let c = http();
    let status_and_error = |r: reqwest::blocking::Response| {
        let status = r.status().as_u16();
        (status, r.json_value()["error"].clone())
    };
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .body("{\"events\": [")
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (400, json!("bad_request")));
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .body("{\"evnts\": []}")
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (400, json!("bad_request")));
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .body(vec![b' '; 5 << 20])
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (413, json!("too_large")));
    // A small gzip body that inflates past the limit.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 6 << 20]).expect("gzip");
    let bomb = gz.finish().expect("gzip");
    assert!(bomb.len() < 64 << 10);
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .header("content-encoding", "gzip")
        .body(bomb)
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (413, json!("too_large")));
    let r = c
        .post(&url)
        .bearer_auth(&token)
        .header("content-encoding", "gzip")
        .body("not gzip")
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (400, json!("bad_request")));
    let r = c.post(&url).body("{\"events\": []}").send().expect("send");
    assert_eq!(status_and_error(r), (401, json!("unauthorized")));
    let r = c
        .post(&url)
        .bearer_auth("nope")
        .body("{\"events\": []}")
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (401, json!("unauthorized")));
    // Another device's event, too many events, a used code.
    let (status, _) = push(&server, &token, &[event(Uuid::new_v4(), 1, "x")]);
    assert_eq!(status, 400);
    let many: Vec<Event> = (1..=1001).map(|s| event(device, s, "x")).collect();
    assert_eq!(push(&server, &token, &many).0, 400);
    let r = c
        .post(format!("{}/api/v1/enrol", server.url()))
        .body(json!({"code": "AAAAA-AAAAA", "device": Uuid::new_v4()}).to_string())
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (403, json!("forbidden")));
    let r = c
        .get(format!("{}/api/v2/pull", server.url()))
        .send()
        .expect("send");
    assert_eq!(status_and_error(r), (404, json!("not_found")));

    // Still serving, nothing stored by the refusals.
    let ok = event(device, 1, "2026-11-27T10:00:00.000+01:00");
    assert_eq!(push(&server, &token, std::slice::from_ref(&ok)).0, 200);
    server.assert_holds_exactly(&[ok]);
}

fn device_clocks_a_day_off_are_recorded_not_trusted(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    // seq 1 says tomorrow, seq 2 says yesterday: seq orders, the times are kept as sent.
    let events = vec![
        event(device, 1, "2026-11-28T10:00:00.000+01:00"),
        event(device, 2, "2026-11-26T10:00:00.000+01:00"),
        event(device, 3, "1970-01-01T00:00:00.000+00:00"),
    ];
    let (status, v) = push(&server, &token, &events);
    assert_eq!((status, &v["acknowledged"]), (200, &json!(3)));
    server.assert_holds_exactly(&events);
    let ats: Vec<String> = server.activity().into_iter().map(|(e, _)| e.at).collect();
    assert_eq!(ats, events.iter().map(|e| e.at.clone()).collect::<Vec<_>>());
}

/// Waits (up to 20 s) until the server has stored at least `n` events.
fn wait_for_events(server: &School, n: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let store = server.store();
    loop {
        let stored = store.event_count().unwrap_or(0);
        if stored >= n || std::time::Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn a_client_killed_mid_push_finishes_on_the_next_sync(backend: Backend) {
    let server = School::new(backend);
    let laptop = Laptop::enrolled(&server);
    laptop.record(3000);
    let mut child = bin()
        .args(["sync", "--batch-size", "20", "--data"])
        .arg(laptop.data())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sync");
    // Kill it once the server has some, but (at 20 per batch) not all, of the events.
    wait_for_events(&server, 1);
    child.kill().expect("kill sync");
    child.wait().expect("wait sync");
    let report = laptop.sync();
    assert_eq!(report.acknowledged, 3000);
    assert!(
        report.pushed < 3000,
        "the killed sync had stored some events"
    );
    server.assert_holds_exactly(&laptop.events());
}

fn a_server_killed_mid_sync_and_restarted_loses_nothing(backend: Backend) {
    let mut server = School::new(backend);
    let laptop = Laptop::enrolled(&server);
    laptop.record(3000);
    let data = laptop.data().to_owned();
    let retries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = retries.clone();
    let syncing = std::thread::spawn(move || {
        let opts = SyncOptions {
            batch_size: 20,
            ..fast()
        };
        sync::sync(&data, &opts, &|s| {
            if let Step::Retry { .. } = s {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    });
    wait_for_events(&server, 1);
    server.kill();
    let stored_when_killed = server.store().event_count().expect("count");
    std::thread::sleep(Duration::from_millis(300));
    server.start();
    let report = syncing.join().expect("sync thread").expect("sync");
    assert_eq!(report.acknowledged, 3000);
    if stored_when_killed < 3000 {
        assert!(
            retries.load(std::sync::atomic::Ordering::SeqCst) > 0,
            "the client retried while the server was down"
        );
    }
    server.assert_holds_exactly(&laptop.events());
}

fn a_server_restored_from_an_older_backup_gets_the_lost_events_again(backend: Backend) {
    let mut server = School::new(backend);
    let laptop = Laptop::enrolled(&server);
    laptop.record(150);
    assert_eq!(laptop.sync().acknowledged, 150);
    // Back up the stopped server's database, then keep working.
    server.kill();
    let backup = server.backup();
    server.start();
    laptop.record(70);
    assert_eq!(laptop.sync().acknowledged, 220);
    server.assert_holds_exactly(&laptop.events());

    // Disaster: the server comes back from the older backup.
    server.kill();
    server.restore(&backup);
    server.start();
    laptop.record(5);
    let report = laptop.sync();
    assert_eq!(report.resent_from, Some(150));
    assert_eq!(report.acknowledged, 225);
    assert_eq!(report.pushed, 75);
    server.assert_holds_exactly(&laptop.events());
}

/// A TCP proxy that cuts every connection after a byte budget, alternating between cutting
/// the request side and the response side, so requests die mid-body and answers die after
/// the server has acted on them. Returns its address and the number of cuts so far.
fn cutting_proxy(upstream: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").expect("proxy bind");
    let addr = listener.local_addr().expect("proxy addr").to_string();
    let cuts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = cuts.clone();
    std::thread::spawn(move || {
        for (i, client) in listener.incoming().enumerate() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            // Each direction gets its own budget (300 B to 3.3 kB, different for each
            // connection); whichever runs out first cuts the connection.
            let pipes = [
                (
                    client.try_clone(),
                    server.try_clone(),
                    300 + (i * 7919) % 3_000,
                ),
                (
                    server.try_clone(),
                    client.try_clone(),
                    300 + (i * 104_729) % 3_000,
                ),
            ];
            for (from, to, budget) in pipes {
                let (Ok(mut from), Ok(mut to)) = (from, to) else {
                    continue;
                };
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut left = budget;
                    let mut buf = [0u8; 4096];
                    loop {
                        let n = match std::io::Read::read(&mut from, &mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n.min(left),
                        };
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        left -= n;
                        if left == 0 {
                            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            break;
                        }
                    }
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                });
            }
        }
    });
    (addr, cuts)
}

fn connections_cut_mid_request_and_mid_response_lose_and_duplicate_nothing(backend: Backend) {
    let server = School::new(backend);
    let (_b, bundle) = server.publish_mini();
    let laptop = Laptop::enrolled(&server);
    laptop.record(1500);
    let mut config = laptop.config();
    let (proxy, cuts) = cutting_proxy(server.addr().to_owned());
    config.server = format!("http://{proxy}/");
    config.save(laptop.data()).expect("point at the proxy");
    let retries = std::cell::Cell::new(0);
    let opts = SyncOptions {
        batch_size: 20,
        attempts: 200,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..fast()
    };
    let report = sync::sync(laptop.data(), &opts, &|s| {
        if let Step::Retry { .. } = s {
            retries.set(retries.get() + 1);
        }
    })
    .expect("sync through the cutting proxy");
    let cuts = cuts.load(std::sync::atomic::Ordering::SeqCst);
    assert!(cuts >= 10, "the proxy cut {cuts} connections");
    assert!(retries.get() > 0, "the client retried after cuts");
    assert_eq!(report.acknowledged, 1500);
    assert_eq!(report.bundles_installed, ["mini 1.2.3"]);
    let files: Vec<_> = std::fs::read_dir(laptop.data().join("library"))
        .expect("library")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(
        std::fs::read(&files[0]).expect("installed"),
        std::fs::read(&bundle).expect("bundle")
    );
    server.assert_holds_exactly(&laptop.events());
}

fn an_enrolment_code_serves_one_device_and_survives_a_lost_answer(backend: Backend) {
    let server = School::new(backend);
    let code = server.code();
    let enrol = |device: Uuid, code: &str| {
        let r = http()
            .post(format!("{}/api/v1/enrol", server.url()))
            .body(json!({"code": code, "device": device}).to_string())
            .send()
            .expect("enrol");
        (r.status().as_u16(), r.json_value())
    };
    let device = Uuid::new_v4();
    let (status, first) = enrol(device, &code);
    assert_eq!(status, 200, "{first}");
    let names: Vec<&str> = first["learners"]
        .as_array()
        .expect("learners")
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert_eq!(names, ["Anežka Nováková", "Jiří Dvořák"]);
    // The answer was lost: the same device retries (typed in lower case) and gets a new
    // token; the first one no longer works.
    let (status, second) = enrol(device, &code.to_lowercase());
    assert_eq!(status, 200, "{second}");
    let old = first["token"].as_str().expect("token");
    let new = second["token"].as_str().expect("token");
    assert_ne!(old, new);
    let ok = event(device, 1, "2026-11-27T10:00:00.000+01:00");
    assert_eq!(push(&server, old, std::slice::from_ref(&ok)).0, 401);
    assert_eq!(push(&server, new, std::slice::from_ref(&ok)).0, 200);
    // Another device cannot use it.
    let (status, v) = enrol(Uuid::new_v4(), &code);
    assert_eq!((status, &v["error"]), (403, &json!("forbidden")));
    server.assert_holds_exactly(&[ok]);
}

fn the_server_regrades_attempts_and_flags_a_tampered_score(backend: Backend) {
    use aktovka::learner::library::Course;
    let mut server = School::new(backend);
    let (_b, bundle) = server.publish_mini();
    let (device, token) = raw_device(&server);
    let sandbox = aktovka::sandbox::Sandbox::new(None).expect("sandbox");
    let course = Course::open(&bundle).expect("course");
    let ex = course.exercise("skola-1").expect("exercise skola-1");
    let plugin = course
        .plugin(&sandbox, &ex.plugin)
        .expect("plugin")
        .sha256_hex();
    let attempt = |seq: u64, answer: &str, score: f64, passed: bool, sha: &str| {
        let mut e = event(device, seq, "2026-11-27T10:00:00.000+01:00");
        e.course = "mini".into();
        e.course_version = "1.2.3".into();
        e.kind = EventKind::Attempt {
            exercise: "skola-1".into(),
            answer: answer.into(),
            score,
            passed,
            plugin_sha256: sha.into(),
        };
        e
    };
    let events = vec![
        attempt(1, "7", 1.0, true, &plugin),
        attempt(2, "6", 0.0, false, &plugin),
        // A laptop database edited to pass a wrong answer.
        attempt(3, "6", 1.0, true, &plugin),
        // Graded by a plugin this server does not have.
        attempt(4, "7", 1.0, true, &"00".repeat(32)),
    ];
    let expected = vec![
        (1, RegradeStatus::Match),
        (2, RegradeStatus::Match),
        (3, RegradeStatus::Mismatch),
        (4, RegradeStatus::Unverifiable),
    ];
    /// Polls until the server has re-graded `n` attempts (or a minute has passed).
    fn regraded_on_its_own(server: &School, n: usize) -> Vec<(u64, RegradeStatus)> {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let got = server.regrades();
            if got.len() == n || std::time::Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // The running server re-grades what a push brought, without `server regrade`.
    assert_eq!(push(&server, &token, &events).0, 200);
    assert_eq!(regraded_on_its_own(&server, expected.len()), expected);
    // Each attempt is re-graded once; a run by hand has nothing left to do.
    let again = admin(&["server", "regrade", "--data", server.data()]);
    assert!(
        again.contains("/ match 0,") && again.contains("/ mismatch 0,"),
        "{again}"
    );
    // With the verdicts gone, `server regrade` finds them again and exits 1 on the mismatch.
    server.kill();
    server.clear_regrades();
    let out = bin()
        .args(["server", "regrade", "--data", server.data()])
        .output()
        .expect("regrade");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a mismatch exits 1: {stdout}");
    assert!(
        stdout.contains("/ match 2,")
            && stdout.contains("mismatch 1")
            && stdout.contains("unverifiable 1"),
        "{stdout}"
    );
    assert_eq!(server.regrades(), expected);
    // A server started with attempts pending re-grades them at once.
    server.clear_regrades();
    server.start();
    assert_eq!(regraded_on_its_own(&server, expected.len()), expected);
    server.assert_holds_exactly(&events);
}

/// The sha256 of the plugin grading exercise `skola-1` of the `mini` bundle at `bundle`.
fn mini_plugin_sha256(bundle: &Path) -> String {
    use aktovka::learner::library::Course;
    let sandbox = aktovka::sandbox::Sandbox::new(None).expect("sandbox");
    let course = Course::open(bundle).expect("course");
    let ex = course.exercise("skola-1").expect("exercise skola-1");
    course
        .plugin(&sandbox, &ex.plugin)
        .expect("plugin")
        .sha256_hex()
}

/// An attempt at `skola-1` of `mini` `version` ("7" is the right answer), graded by `plugin`.
fn mini_attempt(device: Uuid, seq: u64, version: &str, answer: &str, plugin: &str) -> Event {
    let mut e = event(device, seq, "2026-11-27T10:00:00.000+01:00");
    e.course = "mini".into();
    e.course_version = version.into();
    e.kind = EventKind::Attempt {
        exercise: "skola-1".into(),
        answer: answer.into(),
        score: 1.0,
        passed: true,
        plugin_sha256: plugin.into(),
    };
    e
}

/// Polls until the server has re-graded at least `n` attempts (or a minute has passed).
fn at_least_regraded(server: &School, n: usize) -> Vec<(u64, RegradeStatus)> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got = server.regrades();
        if got.len() >= n || std::time::Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn attempts_of_an_unpublished_course_wait_and_are_regraded_once_it_is_published(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    // Pupils worked from a USB copy of the bundle the teacher has not published yet.
    let (_b, bundle) = built_bundle();
    let plugin = mini_plugin_sha256(&bundle);
    // Every attempt reports a pass.
    let attempt =
        |seq: u64, version: &str, answer: &str| mini_attempt(device, seq, version, answer, &plugin);
    let events = vec![
        attempt(1, "1.2.3", "7"),
        // Tampered: a wrong answer reported as passed.
        attempt(2, "1.2.3", "6"),
        // A version that is never published here.
        attempt(3, "9.9.9", "7"),
    ];
    assert_eq!(push(&server, &token, &events).0, 200);
    // Nothing is gradable yet: the store offers none of them, a run by hand grades none,
    // and none is recorded unverifiable (the push's own background run included).
    assert!(
        server
            .store()
            .attempts_to_regrade(100)
            .expect("attempts to regrade")
            .is_empty()
    );
    let by_hand = admin(&["server", "regrade", "--data", server.data()]);
    assert!(
        by_hand.contains("/ match 0,")
            && by_hand.contains("/ mismatch 0,")
            && by_hand.contains("/ unverifiable 0"),
        "{by_hand}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.regrades(), []);
    // The teacher's course page says so.
    let page = course_page_as_admin(&server, "mini");
    assert!(
        page.contains("Čeká na zveřejnění kurzu (verze 1.2.3, 9.9.9), počet pokusů: 3."),
        "{page}"
    );
    // The teacher publishes beside the running server; nobody pushes again.
    server.publish(&bundle);
    assert_eq!(
        at_least_regraded(&server, 2),
        [(1, RegradeStatus::Match), (2, RegradeStatus::Mismatch)]
    );
    // The attempt of the unpublished version still waits, without a verdict.
    let pending: Vec<u64> = server
        .activity()
        .into_iter()
        .filter(|(_, r)| r.is_none())
        .map(|(e, _)| e.seq)
        .collect();
    assert_eq!(pending, [3]);
    let page = course_page_as_admin(&server, "mini");
    assert!(
        page.contains("Čeká na zveřejnění kurzu (verze 9.9.9), počet pokusů: 1."),
        "{page}"
    );
    server.assert_holds_exactly(&events);
}

fn an_older_servers_not_published_verdict_is_forgotten_by_the_migration(backend: Backend) {
    let mut server = School::new(backend);
    let (device, token) = raw_device(&server);
    let (_b, bundle) = built_bundle();
    let plugin = mini_plugin_sha256(&bundle);
    let events = vec![
        mini_attempt(device, 1, "1.2.3", "7", &plugin),
        mini_attempt(device, 2, "1.2.3", "7", &"00".repeat(32)),
    ];
    assert_eq!(push(&server, &token, &events).0, 200);
    // The verdicts an older server (schema 3) wrote: "not published" for the first, a real
    // failure for the second.
    server.kill();
    let verdict = |e: &Event, detail: &str| {
        format!(
            "INSERT INTO regrade (event, status, server_score, server_passed, detail, graded_at)
             VALUES ('{}', 'unverifiable', NULL, NULL, '{detail}', '2026-11-26T10:00:00Z');",
            e.id
        )
    };
    let older = match server.pg() {
        Some(_) => "DELETE FROM aktovka_migration WHERE version = 4;",
        None => "PRAGMA user_version = 3;",
    };
    server
        .raw_sql(&format!(
            "{}{}{older}",
            verdict(&events[0], "bundle mini 1.2.3 not published on this server"),
            verdict(&events[1], "graded by plugin 00…, the bundle has …"),
        ))
        .expect("an older server's database");
    // Migration 4 runs at start: only the real failure stays.
    server.start();
    assert_eq!(server.regrades(), [(2, RegradeStatus::Unverifiable)]);
    // Once published, the first is re-graded for real.
    server.publish(&bundle);
    assert_eq!(
        at_least_regraded(&server, 2),
        [(1, RegradeStatus::Match), (2, RegradeStatus::Unverifiable)]
    );
}

/// The dashboard's page of `course` in class 7.A, read after signing in as the admin.
fn course_page_as_admin(server: &School, course: &str) -> String {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let login = client
        .post(format!("{}/ucitel/prihlaseni", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", server.url())
        .body(format!("name=admin&password={}", crate::school::PASSWORD))
        .send()
        .expect("sign in");
    assert_eq!(login.status(), 303, "sign in as the admin");
    let session = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("aktovka_ucitel="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let page = client
        .get(format!(
            "{}/ucitel/tridy/{}/kurzy/{course}",
            server.url(),
            server.class_7a()
        ))
        .header("cookie", format!("aktovka_ucitel={session}"))
        .send()
        .expect("course page");
    assert_eq!(page.status(), 200);
    page.text().expect("body")
}

fn concurrent_pushes_of_one_device_store_each_event_once(backend: Backend) {
    let server = School::new(backend);
    let (device, token) = raw_device(&server);
    let events: Vec<Event> = (1..=400)
        .map(|s| event(device, s, "2026-11-27T10:00:00.000+01:00"))
        .collect();
    // Eight clients of the same device push all 400 events at once, each starting at
    // another batch, so every batch arrives several times concurrently.
    let url = format!("{}/api/v1/push", server.url());
    let clients: Vec<_> = (0..8)
        .map(|t| {
            let (url, token) = (url.clone(), token.clone());
            let mut batches: Vec<Vec<Event>> = events.chunks(50).map(<[Event]>::to_vec).collect();
            batches.rotate_left(t);
            std::thread::spawn(move || {
                let c = http();
                batches
                    .iter()
                    .map(|b| {
                        c.post(&url)
                            .bearer_auth(&token)
                            .body(json!({ "events": b }).to_string())
                            .send()
                            .expect("push")
                            .status()
                            .as_u16()
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    for c in clients {
        let statuses = c.join().expect("client thread");
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    }
    server.assert_holds_exactly(&events);
}

fn stored_events_cannot_be_changed_even_below_the_server(backend: Backend) {
    let mut server = School::new(backend);
    let (device, token) = raw_device(&server);
    let events: Vec<Event> = (1..=3)
        .map(|s| event(device, s, "2026-11-27T10:00:00.000+01:00"))
        .collect();
    assert_eq!(push(&server, &token, &events).0, 200);
    server.kill();
    for sql in [
        "UPDATE event SET at = '2000-01-01T00:00:00.000Z'",
        "DELETE FROM event",
    ] {
        let err = server.raw_sql(sql).expect_err(sql);
        assert!(err.contains("events are immutable"), "{sql}: {err}");
    }
    server.assert_holds_exactly(&events);
}

fn a_database_from_a_newer_aktovka_is_refused_untouched(backend: Backend) {
    let mut server = School::new(backend);
    server.kill();
    let newer = match backend {
        Backend::Sqlite => "PRAGMA user_version = 99",
        Backend::Postgres => "INSERT INTO aktovka_migration (version) VALUES (99)",
    };
    server.raw_sql(newer).expect("mark the schema newer");
    // Twice: the first refusal changed nothing that would let the second through.
    for _ in 0..2 {
        let out = bin()
            .args(["server", "devices", "--data", server.data()])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains("newer aktovka (schema 99"), "{stderr}");
    }
}

/// The dashboard's store methods behave alike on both backends (the dashboard's own tests
/// run on SQLite).
fn the_store_keeps_teachers_sessions_and_class_activity(backend: Backend) {
    let server = School::new(backend);
    let store = server.store();
    let a = store.class("7.A").expect("class").expect("class 7.A");
    let b = store.add_class("7.B").expect("add class");
    store.add_teacher("novak", "x", false).expect("teacher");
    store.assign_teacher(a.id, " novak ").expect("assign");
    store.assign_teacher(a.id, "novak").expect("assign again");
    assert!(matches!(
        store.assign_teacher(a.id, "nikdo"),
        Err(aktovka::server::StoreError::NotFound(_))
    ));
    assert_eq!(
        store.classes_of("novak").expect("classes"),
        std::slice::from_ref(&a)
    );
    assert_eq!(
        store.classes_of("admin").expect("classes"),
        [a.clone(), b.clone()]
    );
    assert!(store.classes_of("nikdo").expect("classes").is_empty());
    assert!(
        store
            .teacher("admin")
            .expect("teacher")
            .is_some_and(|t| t.admin)
    );

    store.create_session("h1", "novak", 3600).expect("session");
    store
        .create_session("h0", "novak", 0)
        .expect("expired session");
    assert_eq!(
        store
            .session_teacher("h1")
            .expect("session")
            .map(|t| t.name),
        Some("novak".to_owned())
    );
    assert_eq!(store.session_teacher("h0").expect("session"), None);
    assert!(store.create_session("h2", "nikdo", 60).is_err());
    store.delete_session("h1").expect("delete");
    assert_eq!(store.session_teacher("h1").expect("session"), None);

    // Roster order is by code point on both (as SQLite sorts), whatever the locale.
    assert_eq!(
        store
            .add_learners(
                b.id,
                &["Eva".into(), "Čeněk".into(), "Eva".into(), " ".into()]
            )
            .expect("learners"),
        2
    );
    let roster: Vec<String> = store
        .roster(b.id)
        .expect("roster")
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(roster, ["Eva", "Čeněk"]);
    let eva = store.roster(b.id).expect("roster")[0].id;
    let (device, token) = raw_device(&server);
    // A device of 7.A: one event of an unknown learner, one of Eva from 7.B.
    let mut of_eva = event(device, 2, "2026-11-27T10:00:00.000+01:00");
    of_eva.learner = eva;
    let stranger = event(device, 1, "2026-11-27T10:00:00.000+01:00");
    assert_eq!(push(&server, &token, &[stranger, of_eva.clone()]).0, 200);
    assert_eq!(store.class_activity(a.id).expect("activity").len(), 2);
    let in_b = store.class_activity(b.id).expect("activity");
    assert_eq!(in_b.len(), 1);
    assert_eq!(in_b[0].0, of_eva);
}

#[test]
fn postgres_connections_ended_under_a_running_server_are_replaced() {
    if Backend::postgres().is_none() {
        return;
    }
    let server = School::new(Backend::Postgres);
    let (device, token) = raw_device(&server);
    let first = event(device, 1, "2026-11-27T10:00:00.000+01:00");
    assert_eq!(push(&server, &token, std::slice::from_ref(&first)).0, 200);
    // PostgreSQL ends every connection to the database (as a restart or an administrator
    // would); the server's idle pooled connections are dead now.
    let db = server.pg().expect("PostgreSQL server");
    db.admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
        db.name
    ));
    std::thread::sleep(Duration::from_millis(300));
    // The next requests get fresh connections, not a 500.
    let second = event(device, 2, "2026-11-27T10:01:00.000+01:00");
    let (status, v) = push(&server, &token, std::slice::from_ref(&second));
    assert_eq!(status, 200, "{v}");
    server.assert_holds_exactly(&[first, second]);
}

#[test]
fn postgres_url_is_recorded_by_init_and_overridden_by_database() {
    if Backend::postgres().is_none() {
        return;
    }
    let server = School::new(Backend::Postgres);
    let db = server.pg().expect("PostgreSQL server");
    let config = server.dir().join("server.toml");
    let text = std::fs::read_to_string(&config).expect("server.toml");
    assert!(text.contains(&db.url), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the URL may hold a password");
    }
    // The SQLite file is not made: the class went to PostgreSQL.
    assert!(!server.dir().join("server.sqlite").exists());
    // Another data directory reaches the same database with --database alone.
    let other = tempfile::tempdir().expect("temp dir");
    let other = other.path().to_str().expect("utf-8");
    let out = bin()
        .args(["server", "devices", "--data", other])
        .output()
        .expect("run");
    assert!(!out.status.success(), "no store there without --database");
    let (device, _) = raw_device(&server);
    let listed = admin(&["server", "devices", "--data", other, "--database", &db.url]);
    assert!(listed.contains(&device.to_string()), "{listed}");
    // A second init on the same data directory is refused.
    let out = bin()
        .args([
            "server",
            "init",
            "--data",
            server.data(),
            "--database",
            &db.url,
        ])
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("server.toml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success());
}
