//! Teacher login for the dashboard.
//!
//! - A session is a random 32-byte token in the cookie [`SESSION_COOKIE`] (`HttpOnly`,
//!   `SameSite=Strict`, `Path=/ucitel`, `Secure` when [`super::Options::secure_cookies`]);
//!   the store keeps only its sha256, with the teacher and an expiry [`SESSION_TTL_SECS`].
//! - CSRF: besides `SameSite=Strict`, every POST whose `Origin` is not this server's own
//!   (or that says `Sec-Fetch-Site: cross-site`) is refused with 403 before any handler.
//! - Guessing: each wrong password costs a delay ([`FAILURE_DELAY`]); after
//!   [`MAX_FAILURES`] wrong passwords for one name within [`FAILURE_WINDOW`], that name is
//!   refused (429) until the window passes. Unknown names are verified against a dummy hash,
//!   so the answer time does not tell which names exist.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::to_bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::{BASE, Dashboard, html, pages, request_lang};
use crate::learner::guard::{cookie, harden};
use crate::learner::i18n::Lang;
use crate::server::{Teacher, hash_password, random_secret, secret_hash, verify_password};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aktovka_ucitel";
/// How long a session lasts (a school day).
pub const SESSION_TTL_SECS: u64 = 12 * 3600;
/// The cookie the learner app also uses for the UI language.
pub const LANG_COOKIE: &str = "aktovka_lang";
/// Wrong passwords for one name before it is refused for the rest of the window.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
pub const FAILURE_DELAY: Duration = Duration::from_millis(400);
/// A login form is a name and a password.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The CSP of dashboard pages: our own stylesheet, no script at all.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Wrong-password times per lower-cased teacher name.
#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Minutes until `name` may try again, if it is locked out now.
    fn locked(&self, name: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, times| {
            times.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
            !times.is_empty()
        });
        let times = map.get(&name.to_lowercase())?;
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = times.iter().min()?;
        let left = FAILURE_WINDOW.saturating_sub(now.duration_since(*oldest));
        Some(left.as_secs().div_ceil(60).max(1))
    }

    fn failed(&self, name: &str) {
        self.lock()
            .entry(name.to_lowercase())
            .or_default()
            .push(Instant::now());
    }

    fn succeeded(&self, name: &str) {
        self.lock().remove(&name.to_lowercase());
    }
}

/// Every dashboard request: POSTs from another origin are refused; every response gets
/// the CSP and the no-framing, no-sniffing, no-caching headers; `?lang=` is remembered.
pub async fn guard(req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers(), req.uri().query());
    if req.method() != Method::GET && req.method() != Method::HEAD && !same_origin(req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            html(pages::message(lang, None, "login_refused")),
        )
            .into_response();
    }
    let asked = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k == "lang" && Lang::from_code(&v).is_some())
    });
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    harden(h, CSP);
    if asked {
        let c = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// A POST is ours when it names no origin (not a browser) or names this host's.
fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(o), Some(h)) => ["http://", "https://"]
            .iter()
            .any(|scheme| o.eq_ignore_ascii_case(&format!("{scheme}{h}"))),
        _ => false,
    }
}

/// The signed-in teacher and the page language; without a valid session the request is
/// redirected (303) to the login page.
pub struct Session(pub Teacher, pub Lang);

impl FromRequestParts<Arc<Dashboard>> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        d: &Arc<Dashboard>,
    ) -> Result<Session, Response> {
        let lang = request_lang(&parts.headers, parts.uri.query());
        let to_login = || Redirect::to(&format!("{BASE}/prihlaseni")).into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let store = d.app.store.clone();
        let hash = secret_hash(&token);
        let found = tokio::task::spawn_blocking(move || store.session_teacher(&hash)).await;
        match found {
            Ok(Ok(Some(t))) => Ok(Session(t, lang)),
            Ok(Ok(None)) => Err(to_login()),
            Ok(Err(e)) => Err(super::PageError::Internal(lang, e.to_string()).into_response()),
            Err(e) => Err(super::PageError::Internal(lang, e.to_string()).into_response()),
        }
    }
}

pub async fn login_page(req: Request) -> Response {
    let lang = request_lang(req.headers(), req.uri().query());
    html(pages::login(lang, "", None))
}

/// A dummy PHC hash to verify unknown names against (same cost as a real one).
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password("aktovka-dummy-password").ok());

pub async fn login(State(d): State<Arc<Dashboard>>, req: Request) -> Response {
    let lang = request_lang(req.headers(), req.uri().query());
    let body = match to_bytes(req.into_body(), MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (name, password) = (field("name").trim().to_owned(), field("password"));
    if let Some(minutes) = d.limiter.locked(&name) {
        let message = super::i18n::tf(lang, "login_locked", &[("minutes", &minutes.to_string())]);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            html(pages::login(lang, &name, Some(&message))),
        )
            .into_response();
    }
    let store = d.app.store.clone();
    let who = name.clone();
    let checked = tokio::task::spawn_blocking(move || -> Result<Option<String>, String> {
        let phc = store
            .teacher_password_hash(&who)
            .map_err(|e| e.to_string())?;
        let ok = match &phc {
            Some(phc) => verify_password(&password, phc),
            None => {
                if let Some(dummy) = DUMMY_HASH.as_deref() {
                    verify_password(&password, dummy);
                }
                false
            }
        };
        if !ok {
            // On the blocking thread, like the hash check: no timer driver needed.
            std::thread::sleep(FAILURE_DELAY);
            return Ok(None);
        }
        let token = random_secret(32).map_err(|e| e.to_string())?;
        store
            .create_session(&secret_hash(&token), &who, SESSION_TTL_SECS)
            .map_err(|e| e.to_string())?;
        Ok(Some(token))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    match checked {
        Ok(Some(token)) => {
            d.limiter.succeeded(&name);
            let mut resp = Redirect::to(BASE).into_response();
            let secure = if d.options.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let c = format!(
                "{SESSION_COOKIE}={token}; Path={BASE}; HttpOnly; SameSite=Strict; Max-Age={SESSION_TTL_SECS}{secure}"
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Ok(None) => {
            d.limiter.failed(&name);
            let message = super::i18n::t(lang, "login_wrong");
            (
                StatusCode::UNAUTHORIZED,
                html(pages::login(lang, &name, Some(message))),
            )
                .into_response()
        }
        Err(e) => super::PageError::Internal(lang, e).into_response(),
    }
}

pub async fn logout(State(d): State<Arc<Dashboard>>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let store = d.app.store.clone();
        let hash = secret_hash(&token);
        let done = tokio::task::spawn_blocking(move || store.delete_session(&hash)).await;
        if let Ok(Err(e)) = done {
            let lang = request_lang(&headers, None);
            return super::PageError::Internal(lang, e.to_string()).into_response();
        }
    }
    let mut resp = Redirect::to(&format!("{BASE}/prihlaseni")).into_response();
    let secure = if d.options.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let c = format!("{SESSION_COOKIE}=; Path={BASE}; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_locks_a_name_after_too_many_failures() {
        let l = Limiter::default();
        for _ in 0..MAX_FAILURES - 1 {
            l.failed("Novak");
        }
        assert_eq!(l.locked("novak"), None);
        l.failed("novak");
        assert_eq!(l.locked("NOVAK"), Some(15));
        assert_eq!(l.locked("dvorak"), None);
        l.succeeded("novak");
        assert_eq!(l.locked("novak"), None);
    }

    #[test]
    fn only_our_own_origin_may_post() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("skola.cz:8740"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://skola.cz:8740"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }
}
