//! The checks every request passes before a handler sees it, and the headers every
//! response gets.
//!
//! - `Host` must be `127.0.0.1:<port>` or `localhost:<port>`, else 421: a page on another
//!   site that rebinds its DNS name to 127.0.0.1 still sends its own name.
//! - Every request other than GET/HEAD must carry this run's token (form field `token` or
//!   header `X-Aktovka-Token`) and, if the browser sends `Origin`, our own origin; a
//!   `Sec-Fetch-Site: cross-site` request is refused too. Otherwise 403 and the handler
//!   never runs, so nothing is recorded.
//! - `?lang=cs|en` picks the UI language and remembers it in a cookie.
//! - Responses get the CSP (no inline script or style, nothing external), `nosniff`, no
//!   framing, no referrer to other sites, and `Cache-Control: no-store` unless the handler chose one.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::i18n::Lang;

/// The largest request body accepted (a Karel program is a few kB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The header script uses to send the token.
pub const TOKEN_HEADER: &str = "x-aktovka-token";

/// The CSP of every app page. `connect-src 'self'` lets app.js fetch the live search results
/// from our own origin; nothing else may be fetched.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The CSP of files served from inside a bundle (an SVG opened on its own runs nothing and
/// gets an opaque origin).
pub const BUNDLE_FILE_CSP: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/// The cookie that remembers the UI language.
pub const LANG_COOKIE: &str = "aktovka_lang";

pub async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let host_ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| state.hosts().iter().any(|ok| ok.eq_ignore_ascii_case(h)));
    if !host_ok {
        return refuse(StatusCode::MISDIRECTED_REQUEST);
    }
    let asked_lang = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::from_code(&v))
    });
    let lang = asked_lang
        .or_else(|| cookie(req.headers(), LANG_COOKIE).and_then(|v| Lang::from_code(&v)))
        .unwrap_or_default();

    let mut req = req;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        match check_post(&state, req).await {
            Ok(r) => req = r,
            Err(status) => return refuse(status),
        }
    }
    req.extensions_mut().insert(lang);
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    harden(h, PAGE_CSP);
    if let Some(l) = asked_lang {
        let c = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000",
            l.code()
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The headers every page of ours carries, in the pupils' app and on the teacher dashboard
/// alike: `csp` unless the handler set its own, `no-store` unless the handler chose its
/// caching, no MIME sniffing, no framing, no referrer to other sites and no use by other
/// origins.
pub(crate) fn harden(h: &mut HeaderMap, csp: &'static str) {
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null`
    // with our own form posts, which the Origin checks must refuse. Other sites still get
    // no referrer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
}

/// Checks origin and token of a state-changing request; gives the request back with its
/// body (read to find a form token) restored.
async fn check_post(state: &AppState, req: Request) -> Result<Request, StatusCode> {
    let headers = req.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin.to_str().ok().is_some_and(|o| {
            state
                .hosts()
                .iter()
                .any(|h| o.eq_ignore_ascii_case(&format!("http://{h}")))
        });
        if !ok {
            return Err(StatusCode::FORBIDDEN);
        }
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return Err(StatusCode::FORBIDDEN);
    }
    let header_token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?;
    let token = header_token.or_else(|| {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    match token {
        Some(t) if same(t.as_bytes(), state.token.as_bytes()) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(StatusCode::FORBIDDEN),
    }
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One cookie's value.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A refusal before any handler ran: short text in both languages (the page's language
/// is not known yet when the host is wrong).
fn refuse(status: StatusCode) -> Response {
    let key = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "error_bad_request"
    } else {
        "error_forbidden"
    };
    let body = format!("{} / {}\n", Lang::Cs.t(key), Lang::En.t(key));
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_needs_equal_bytes() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; aktovka_lang=en; b=2"),
        );
        assert_eq!(cookie(&h, "aktovka_lang").as_deref(), Some("en"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
