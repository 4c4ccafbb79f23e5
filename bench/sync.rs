//! Sync load benchmark (`cargo bench --bench sync`, or `bench/sync.sh`): LAPTOPS simulated
//! laptops with EVENTS events each push at once, in gzip batches of BATCH over HTTP on
//! loopback, to one in-process server on a fresh SQLite file. Reports events per second,
//! checks that every event is stored exactly once, and compares with the raw rate of
//! inserting the same rows straight into the same schema (one transaction per batch, no
//! HTTP, no JSON) and through the store's `push` without HTTP.
//!
//! Arguments (optional): `[--postgres URL] LAPTOPS EVENTS BATCH`; defaults 30 5000 500.
//! With `--postgres URL` (a cluster, e.g. the one `. .ci/postgres.sh` starts) each
//! measurement runs on a fresh PostgreSQL database of its own instead of a SQLite file, and
//! the raw inserts go through one prepared `INSERT` per row, one transaction per batch.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use aktovka::progress::{Event, EventKind};
use aktovka::server::api::{self, AppState};
use aktovka::server::postgres::PostgresStore;
use aktovka::server::sqlite::SqliteStore;
use aktovka::server::{ServerStore, secret_hash};
use uuid::Uuid;

fn events_of(device: Uuid, n: u64) -> Vec<Event> {
    let learner = Uuid::new_v4();
    (1..=n)
        .map(|seq| Event {
            id: Uuid::now_v7(),
            device,
            seq,
            learner,
            course: "digitalni-gramotnost".into(),
            course_version: "1.0.0".into(),
            kind: EventKind::Attempt {
                exercise: format!("hesla-{}", seq % 40),
                answer: format!("{}", seq * 7 % 13),
                score: (seq % 5) as f64 / 4.0,
                passed: seq % 5 == 4,
                plugin_sha256: "ab".repeat(32),
            },
            at: "2026-11-27T10:00:00.123+01:00".into(),
        })
        .collect()
}

/// A store with `laptops` enrolled devices; returns their ids and tokens.
fn enrolled(store: &dyn ServerStore, laptops: usize) -> Vec<(Uuid, String)> {
    let class = store.add_class("7.A").expect("class");
    (0..laptops)
        .map(|i| {
            let code = format!("CODE{i}");
            store
                .add_enrolment_code(class.id, &secret_hash(&code))
                .expect("code");
            let device = Uuid::new_v4();
            let token = format!("token-{i}-{device}");
            store
                .enrol(&secret_hash(&code), device, &secret_hash(&token))
                .expect("enrol");
            (device, token)
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// Where one measurement stores its events: a fresh SQLite file, or a fresh database on a
/// PostgreSQL cluster (dropped with this value).
enum Fresh {
    Sqlite(tempfile::TempDir),
    Postgres { cluster: String, name: String },
}

impl Fresh {
    fn new(postgres: Option<&str>) -> Fresh {
        let Some(cluster) = postgres else {
            return Fresh::Sqlite(tempfile::tempdir().expect("temp dir"));
        };
        let name = format!("aktovka_bench_{}", Uuid::new_v4().simple());
        postgres::Client::connect(cluster, postgres::NoTls)
            .expect("connect to --postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        Fresh::Postgres {
            cluster: cluster.to_owned(),
            name,
        }
    }

    fn store(&self) -> Arc<dyn ServerStore> {
        match self {
            Fresh::Sqlite(dir) => {
                Arc::new(SqliteStore::open(&dir.path().join("server.sqlite")).expect("store"))
            }
            Fresh::Postgres { .. } => {
                Arc::new(PostgresStore::connect(&self.url()).expect("PostgreSQL store"))
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Fresh::Sqlite(dir) => dir.path().join("server.sqlite").display().to_string(),
            Fresh::Postgres { cluster, name } => {
                aktovka::server::postgres::url_with_dbname(cluster, name)
                    .expect("--postgres takes a postgres:// URL")
            }
        }
    }

    fn data(&self) -> std::path::PathBuf {
        match self {
            Fresh::Sqlite(dir) => dir.path().to_owned(),
            Fresh::Postgres { .. } => std::env::temp_dir(),
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Fresh::Postgres { cluster, name } = self
            && let Ok(mut c) = postgres::Client::connect(cluster, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let postgres = argv
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| argv.get(i + 1))
        .cloned();
    let args: Vec<usize> = argv.iter().filter_map(|a| a.parse().ok()).collect();
    let laptops = args.first().copied().unwrap_or(30);
    let per = args.get(1).copied().unwrap_or(5000) as u64;
    let batch = args.get(2).copied().unwrap_or(500);
    let total = laptops as u64 * per;
    println!(
        "{laptops} laptops × {per} events, batches of {batch}, on {}",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    // Over HTTP.
    let fresh = Fresh::new(postgres.as_deref());
    let store = fresh.store();
    let devices = enrolled(&*store, laptops);
    let bodies: Vec<(String, Vec<Vec<u8>>)> = devices
        .iter()
        .map(|(device, token)| {
            let events = events_of(*device, per);
            let batches = events
                .chunks(batch)
                .map(|c| {
                    gzip(
                        &serde_json::to_vec(&api::PushRequest { events: c.to_vec() })
                            .expect("json"),
                    )
                })
                .collect();
            (token.clone(), batches)
        })
        .collect();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = Arc::new(AppState {
        store: store.clone(),
        data: fresh.data(),
        // Measures sync alone; re-grading is not part of the figures.
        regrade: None,
    });
    std::thread::spawn(move || api::serve(state, listener, |_| {}));
    let url = format!("http://{addr}/api/v1/push");
    let started = Instant::now();
    let threads: Vec<_> = bodies
        .into_iter()
        .map(|(token, batches)| {
            let url = url.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                for body in batches {
                    let r = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-encoding", "gzip")
                        .body(body)
                        .send()
                        .expect("push");
                    assert_eq!(r.status(), 200, "{}", r.text().unwrap_or_default());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("laptop thread");
    }
    let http = started.elapsed();
    let stored = store.event_count().expect("count");
    assert_eq!(stored, total, "every event stored exactly once");
    for (device, _) in &devices {
        assert_eq!(store.acknowledged(*device).expect("ack"), per);
    }
    let http_rate = total as f64 / http.as_secs_f64();
    println!(
        "HTTP sync: {total} events in {:.2} s = {:.0} events/s (all stored once, all acknowledged)",
        http.as_secs_f64(),
        http_rate
    );

    // The store's push without HTTP.
    let fresh2 = Fresh::new(postgres.as_deref());
    let store2 = fresh2.store();
    let devices2 = enrolled(&*store2, laptops);
    let all: Vec<(Uuid, Vec<Event>)> = devices2
        .iter()
        .map(|(d, _)| (*d, events_of(*d, per)))
        .collect();
    let started = Instant::now();
    for (device, events) in &all {
        for c in events.chunks(batch) {
            store2.push(*device, c).expect("push");
        }
    }
    let direct = started.elapsed();
    println!(
        "store push, no HTTP: {:.0} events/s",
        total as f64 / direct.as_secs_f64()
    );

    // Raw inserts of the same rows into the same schema.
    let fresh3 = Fresh::new(postgres.as_deref());
    let devices3 = enrolled(&*fresh3.store(), laptops);
    let rows: Vec<Vec<Event>> = devices3.iter().map(|(d, _)| events_of(*d, per)).collect();
    let started = Instant::now();
    match &fresh3 {
        Fresh::Sqlite(_) => raw_sqlite(&fresh3.url(), &rows, batch),
        Fresh::Postgres { .. } => raw_postgres(&fresh3.url(), &rows, batch),
    }
    let raw = started.elapsed();
    let raw_rate = total as f64 / raw.as_secs_f64();
    println!("raw inserts: {raw_rate:.0} events/s");
    if let Fresh::Postgres { .. } = fresh3 {
        // PostgreSQL's fastest bulk path, one COPY per batch: the ceiling for any server.
        let fresh4 = Fresh::new(postgres.as_deref());
        let devices4 = enrolled(&*fresh4.store(), laptops);
        let rows: Vec<Vec<Event>> = devices4.iter().map(|(d, _)| events_of(*d, per)).collect();
        let started = Instant::now();
        copy_postgres(&fresh4.url(), &rows, batch);
        let copy_rate = total as f64 / started.elapsed().as_secs_f64();
        println!("raw COPY, one connection: {copy_rate:.0} events/s");
        // The same with one connection per laptop, all at once, as the HTTP path runs.
        let fresh5 = Fresh::new(postgres.as_deref());
        let devices5 = enrolled(&*fresh5.store(), laptops);
        let url5 = fresh5.url();
        let rows: Vec<Vec<Event>> = devices5.iter().map(|(d, _)| events_of(*d, per)).collect();
        let started = Instant::now();
        std::thread::scope(|s| {
            for events in &rows {
                let url5 = &url5;
                s.spawn(move || copy_postgres(url5, std::slice::from_ref(events), batch));
            }
        });
        let parallel_rate = total as f64 / started.elapsed().as_secs_f64();
        println!("raw COPY, {laptops} connections at once: {parallel_rate:.0} events/s");
        println!(
            "HTTP sync / raw COPY at once: {:.0} %",
            100.0 * http_rate / parallel_rate
        );
    }
    println!(
        "HTTP sync / raw inserts: {:.0} %",
        100.0 * http_rate / raw_rate
    );
}

/// One prepared INSERT per row, one transaction per batch, `synchronous=FULL`.
fn raw_sqlite(path: &str, rows: &[Vec<Event>], batch: usize) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("pragma");
    for events in rows {
        for c in events.chunks(batch) {
            let tx = conn.transaction().expect("tx");
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO event (id, device, seq, learner, course, course_version, kind, at, received_at, body)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )
                    .expect("prepare");
                for e in c {
                    stmt.execute(rusqlite::params![
                        e.id.to_string(),
                        e.device.to_string(),
                        e.seq as i64,
                        e.learner.to_string(),
                        e.course,
                        e.course_version,
                        e.kind.name(),
                        e.at,
                        "2026-11-27T09:00:00.000Z",
                        serde_json::to_string(e).expect("json"),
                    ])
                    .expect("insert");
                }
            }
            tx.commit().expect("commit");
        }
    }
}

/// One prepared INSERT per row, one transaction per batch (PostgreSQL's defaults: every
/// commit is flushed to disk).
fn raw_postgres(url: &str, rows: &[Vec<Event>], batch: usize) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let stmt = client
        .prepare(
            "INSERT INTO event (id, device, seq, learner, course, course_version, kind, at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .expect("prepare");
    for events in rows {
        for c in events.chunks(batch) {
            let mut tx = client.transaction().expect("tx");
            for e in c {
                tx.execute(
                    &stmt,
                    &[
                        &e.id,
                        &e.device,
                        &(e.seq as i64),
                        &e.learner,
                        &e.course,
                        &e.course_version,
                        &e.kind.name(),
                        &e.at,
                        &serde_json::to_string(e).expect("json"),
                    ],
                )
                .expect("insert");
            }
            tx.commit().expect("commit");
        }
    }
}

/// One `COPY … FROM STDIN` (text format) per batch, one transaction per batch.
fn copy_postgres(url: &str, rows: &[Vec<Event>], batch: usize) {
    fn text(s: &str) -> String {
        s.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    }
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    for events in rows {
        for c in events.chunks(batch) {
            let mut tx = client.transaction().expect("tx");
            let mut data = String::new();
            for e in c {
                let body = serde_json::to_string(e).expect("json");
                data.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    e.id,
                    e.device,
                    e.seq,
                    e.learner,
                    text(&e.course),
                    text(&e.course_version),
                    e.kind.name(),
                    text(&e.at),
                    text(&body)
                ));
            }
            let mut w = tx
                .copy_in(
                    "COPY event (id, device, seq, learner, course, course_version, kind, at, body) FROM STDIN",
                )
                .expect("copy");
            w.write_all(data.as_bytes()).expect("copy data");
            w.finish().expect("copy finish");
            tx.commit().expect("commit");
        }
    }
}
