//! Protocol v1 over HTTP (axum): `/api/v1/enrol`, `/api/v1/pull`, `/api/v1/push` and
//! `/api/v1/bundles/{course}/{version}`; the exchanges are documented with examples in
//! `docs/sync-protocol.md`.
//!
//! Every refusal is a JSON body `{"error": "<code>", "message": "<cs / en>"}` with a 4xx
//! status ([`ApiError`]); internal failures are logged to stderr and answered with a
//! generic 500, never with SQL details. Bodies are read with a hard size limit before any
//! parsing, gzip request bodies are inflated with the same limit (a gzip bomb gets 413),
//! and store calls run on tokio's blocking pool. [`serve_with`] serves over HTTPS with a
//! [`super::tls`] configuration; a push that carried attempts wakes the background
//! re-grader ([`super::regrade::RegradeTrigger`]) after it is stored.

use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Class, RosterLearner, ServerStore, StoreError, normalize_code, random_secret, secret_hash,
};
use crate::progress::Event;

/// The largest request body accepted, compressed or not (bytes).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The most events one push may carry.
pub const MAX_BATCH_EVENTS: usize = 1000;
/// The response header carrying a bundle's sha256 (lowercase hex).
pub const SHA256_HEADER: &str = "x-aktovka-sha256";

/// Shared state of the HTTP handlers.
pub struct AppState {
    pub store: Arc<dyn ServerStore>,
    /// The server's data directory; published bundle paths are relative to it.
    pub data: PathBuf,
    /// Woken after each push that carried attempts, when the server re-grades in the
    /// background (`aktovka server run`); `None` leaves re-grading to `server regrade`.
    pub regrade: Option<super::regrade::RegradeTrigger>,
}

/// A refusal or failure, each variant with its HTTP status.
#[derive(Debug)]
pub enum ApiError {
    /// 400: malformed JSON, wrong fields, an event of another device, too many events.
    BadRequest(String),
    /// 401: no token, an unknown token or a revoked device.
    Unauthorized(String),
    /// 403: an unknown or already used enrolment code.
    Forbidden(String),
    /// 404: no such route or bundle.
    NotFound(String),
    /// 409: an event id already stored with different content; names the event.
    Conflict(Uuid),
    /// 413: the body is over [`MAX_BODY_BYTES`], before or after inflating.
    TooLarge,
    /// 415: a content encoding other than gzip or identity.
    UnsupportedEncoding(String),
    /// 416: a Range outside the file.
    RangeNotSatisfiable(u64),
    /// 500: anything else; the detail goes to the server's log only.
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<Uuid>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, event) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m, None),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m, None),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m, None),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, None),
            ApiError::Conflict(id) => (
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "událost {id} už je uložena s jiným obsahem / event {id} is already stored with different content"
                ),
                Some(id),
            ),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("tělo požadavku je větší než / the body is larger than {MAX_BODY_BYTES} B"),
                None,
            ),
            ApiError::UnsupportedEncoding(e) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_encoding",
                format!("nepodporované kódování / unsupported content encoding: {e}"),
                None,
            ),
            ApiError::RangeNotSatisfiable(size) => {
                let mut r = (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                )
                    .into_response();
                *r.body_mut() = Body::from(
                    r#"{"error":"range_not_satisfiable","message":"rozsah mimo soubor / range outside the file"}"#,
                );
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                return r;
            }
            ApiError::Internal(detail) => {
                eprintln!("aktovka server: internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "vnitřní chyba serveru / internal server error".to_owned(),
                    None,
                )
            }
        };
        json_response(
            status,
            &ErrorBody {
                error: code,
                message,
                event,
            },
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(id) => ApiError::Conflict(id),
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Invalid(m) => ApiError::BadRequest(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// `POST /api/v1/enrol` request.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub code: String,
    /// The laptop's progress-store device id.
    pub device: Uuid,
}

/// `POST /api/v1/enrol` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The bearer token; shown once, the server keeps only its hash.
    pub token: String,
    pub class: Class,
    pub learners: Vec<RosterLearner>,
}

/// `POST /api/v1/push` request.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub events: Vec<Event>,
}

/// `POST /api/v1/push` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every event of this device with seq up to this is stored.
    pub acknowledged: u64,
}

/// A published course version as the pull answer lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleInfo {
    pub course: String,
    pub version: String,
    pub sha256: String,
    pub size: u64,
    /// Relative to the server's base URL.
    pub url: String,
}

/// `GET /api/v1/pull` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct PullResponse {
    pub device: Uuid,
    pub acknowledged: u64,
    pub class: Class,
    pub learners: Vec<RosterLearner>,
    pub bundles: Vec<BundleInfo>,
}

/// The router of protocol v1 and the teacher dashboard, for a server reached over plain
/// HTTP.
pub fn router(state: Arc<AppState>) -> Router {
    app(state, false)
}

/// [`router`]; over HTTPS the dashboard's session cookie is marked `Secure`.
fn app(state: Arc<AppState>, https: bool) -> Router {
    Router::new()
        .route("/api/v1/enrol", post(enrol))
        .route("/api/v1/pull", get(pull))
        .route("/api/v1/push", post(push))
        .route("/api/v1/bundles/{course}/{version}", get(bundle))
        .fallback(|| async { ApiError::NotFound("neznámá adresa / unknown route".into()) })
        .with_state(state.clone())
        .merge(super::dashboard::router(
            state,
            super::dashboard::Options {
                secure_cookies: https,
            },
        ))
}

/// Runs the server over plain HTTP on an already bound listener until the process ends;
/// `ready` is called with the bound address once requests are accepted.
pub fn serve(
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    serve_with(state, listener, None, ready)
}

/// [`serve`], over HTTPS when `tls` is given ([`super::tls::server_config`]).
pub fn serve_with(
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let app = app(state, tls.is_some());
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        match tls {
            Some(config) => {
                let listener = super::tls::TlsListener::new(listener, config)?;
                ready(addr);
                axum::serve(listener, app).await
            }
            None => {
                ready(addr);
                axum::serve(listener, app).await
            }
        }
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?
}

/// How much of an oversized body is read and thrown away before the 413 is sent. A client
/// that is still writing when the server answers and closes gets a connection reset and may
/// never see the answer; reading on (up to this much, for at most [`DRAIN_DEADLINE`]) lets
/// an ordinary client read its 413, while a larger body is simply cut off.
const DRAIN_CAP: usize = 4 * MAX_BODY_BYTES;
/// The longest time spent draining an oversized body.
const DRAIN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads and, if gzip, inflates a request body, refusing anything over the limit.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_CAP as u64) {
        return Err(ApiError::TooLarge);
    }
    let raw = read_limited(body).await?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(raw),
        Some("gzip") => inflate(&raw),
        Some(other) => Err(ApiError::UnsupportedEncoding(other.to_owned())),
    }
}

/// Collects a body of at most [`MAX_BODY_BYTES`]; past that, drains it (see [`DRAIN_CAP`])
/// and answers [`ApiError::TooLarge`].
async fn read_limited(mut body: Body) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt as _;
    let mut raw = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::BadRequest(format!("tělo / body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if raw.len() + data.len() > MAX_BODY_BYTES {
                let mut seen = raw.len() + data.len();
                drop(raw);
                let drain = async {
                    while seen <= DRAIN_CAP {
                        match body.frame().await {
                            Some(Ok(f)) => seen += f.data_ref().map_or(0, |d| d.len()),
                            _ => break,
                        }
                    }
                };
                let _ = tokio::time::timeout(DRAIN_DEADLINE, drain).await;
                return Err(ApiError::TooLarge);
            }
            raw.extend_from_slice(&data);
        }
    }
    Ok(raw)
}

fn inflate(raw: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(raw).take(MAX_BODY_BYTES as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ApiError::BadRequest(format!("neplatný gzip / invalid gzip body: {e}")))?;
    if out.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge);
    }
    Ok(out)
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("neplatný JSON / malformed JSON: {e}")))
}

/// The device of the bearer token; refuses missing, unknown and revoked tokens.
async fn authenticate(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<super::Device, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("chybí token zařízení / missing device token".into())
        })?;
    let hash = secret_hash(token);
    let store = state.store.clone();
    let device = blocking(move || Ok(store.device_by_token(&hash)?)).await?;
    match device {
        Some(d) if !d.revoked => Ok(d),
        Some(_) => Err(ApiError::Unauthorized(
            "zařízení bylo odebráno / this device was revoked".into(),
        )),
        None => Err(ApiError::Unauthorized(
            "neznámý token / unknown device token".into(),
        )),
    }
}

async fn enrol(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let req: EnrolRequest = parse_json(&read_body(&headers, body).await?)?;
    let token = random_secret(32)?;
    let token_hash = secret_hash(&token);
    let code_hash = secret_hash(&normalize_code(&req.code));
    let store = state.store.clone();
    let (class, learners) = blocking(move || {
        let class = store
            .enrol(&code_hash, req.device, &token_hash)
            .map_err(|e| match e {
                StoreError::NotFound(m) => ApiError::Forbidden(m),
                other => other.into(),
            })?;
        let learners = store.roster(class.id)?;
        Ok((class, learners))
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &EnrolResponse {
            token,
            class,
            learners,
        },
    ))
}

async fn pull(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let store = state.store.clone();
    let answer = blocking(move || {
        let class = store.class(&device.class.to_string())?.ok_or_else(|| {
            ApiError::Internal(format!("class {} of a device is gone", device.class))
        })?;
        let learners = store.roster(class.id)?;
        let bundles = store
            .bundles()?
            .into_iter()
            .map(|b| BundleInfo {
                url: format!("api/v1/bundles/{}/{}", b.course, b.version),
                course: b.course,
                version: b.version,
                sha256: b.sha256,
                size: b.size,
            })
            .collect();
        Ok(PullResponse {
            device: device.id,
            acknowledged: device.acknowledged,
            class,
            learners,
            bundles,
        })
    })
    .await?;
    Ok(json_response(StatusCode::OK, &answer))
}

async fn push(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let req: PushRequest = parse_json(&read_body(&headers, body).await?)?;
    if req.events.len() > MAX_BATCH_EVENTS {
        return Err(ApiError::BadRequest(format!(
            "příliš mnoho událostí v dávce (nejvýše {MAX_BATCH_EVENTS}) / too many events in one batch (at most {MAX_BATCH_EVENTS})"
        )));
    }
    if let Some(e) = req.events.iter().find(|e| e.device != device.id) {
        return Err(ApiError::BadRequest(format!(
            "událost {} patří jinému zařízení / event {} belongs to another device",
            e.id, e.id
        )));
    }
    if let Some(e) = req.events.iter().find(|e| e.seq == 0) {
        return Err(ApiError::BadRequest(format!(
            "událost / event {}: seq 0",
            e.id
        )));
    }
    let attempts = req
        .events
        .iter()
        .any(|e| matches!(e.kind, crate::progress::EventKind::Attempt { .. }));
    let store = state.store.clone();
    let acknowledged = blocking(move || Ok(store.push(device.id, &req.events)?)).await?;
    if attempts && let Some(trigger) = &state.regrade {
        trigger.wake();
    }
    Ok(json_response(
        StatusCode::OK,
        &PushResponse { acknowledged },
    ))
}

/// Parses `bytes=START-` or `bytes=START-END` (one range only).
fn parse_range(value: &str, size: u64) -> Result<(u64, u64), ApiError> {
    let bad = || ApiError::RangeNotSatisfiable(size);
    let spec = value.trim().strip_prefix("bytes=").ok_or_else(bad)?;
    let (start, end) = spec.split_once('-').ok_or_else(bad)?;
    let start: u64 = start.trim().parse().map_err(|_| bad())?;
    let end: u64 = match end.trim() {
        "" => size.saturating_sub(1),
        e => e
            .parse::<u64>()
            .map_err(|_| bad())?
            .min(size.saturating_sub(1)),
    };
    if start >= size || end < start {
        return Err(bad());
    }
    Ok((start, end))
}

async fn bundle(
    State(state): State<Arc<AppState>>,
    Path((course, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authenticate(&state, &headers).await?;
    let store = state.store.clone();
    let data = state.data.clone();
    let range = headers
        .get(header::RANGE)
        .map(|v| v.to_str().unwrap_or("").to_owned());
    blocking(move || {
        let b = store
            .bundles()?
            .into_iter()
            .find(|b| b.course == course && b.version == version)
            .ok_or_else(|| ApiError::NotFound(format!("balíček / bundle {course} {version}")))?;
        let mut file = std::fs::File::open(data.join(&b.path))
            .map_err(|e| ApiError::Internal(format!("{}: {e}", b.path)))?;
        let size = b.size;
        let (status, start, end) = match range {
            Some(r) => {
                let (s, e) = parse_range(&r, size)?;
                (StatusCode::PARTIAL_CONTENT, s, e)
            }
            None => (StatusCode::OK, 0, size.saturating_sub(1)),
        };
        let len = if size == 0 { 0 } else { end - start + 1 };
        file.seek(SeekFrom::Start(start))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(len)
            .read_to_end(&mut buf)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut response = (status, buf).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/zip"),
        );
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Ok(v) = HeaderValue::from_str(&b.sha256) {
            h.insert(SHA256_HEADER, v);
        }
        if status == StatusCode::PARTIAL_CONTENT
            && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}"))
        {
            h.insert(header::CONTENT_RANGE, v);
        }
        Ok(response)
    })
    .await
}
