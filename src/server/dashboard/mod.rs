//! The teacher dashboard: server-rendered pages under [`BASE`] (`/ucitel`) behind a teacher
//! login, showing class → course → learners × exercises (best score, attempts, re-grading
//! flags) and lesson completion, with a CSV export for Czech Excel and LibreOffice.
//! Pages and CSV columns are documented in `docs/dashboard.md`.
//!
//! - [`auth`]: login, logout, the session cookie, the guard of every request.
//! - [`matrix`]: the aggregation of a class's events into the table.
//! - [`pages`] and [`csv`]: the HTML and the CSV of it.
//!
//! Invariant: a teacher reaches only the classes [`ServerStore::classes_of`] gives them
//! (every class for the admin); any other class id answers 404 as if it did not exist.
//! Pages need no script; the CSP forbids inline script and style and anything external.

mod auth;
mod csv;
mod i18n;
mod matrix;
mod pages;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::api::AppState;
use super::{Class, PublishedBundle, ServerStore, StoreError, Teacher};
use crate::bundle::Bundle;
use crate::bundle::manifest::Manifest;
use crate::learner::i18n::Lang;

pub use auth::{SESSION_COOKIE, SESSION_TTL_SECS};

/// Where the dashboard lives.
pub const BASE: &str = "/ucitel";

/// How the dashboard is served.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Mark the session cookie `Secure` (set when the server is reached over TLS).
    pub secure_cookies: bool,
}

/// State of the dashboard's handlers.
pub struct Dashboard {
    app: Arc<AppState>,
    options: Options,
    limiter: auth::Limiter,
    /// Manifests of published bundles by path, read once.
    manifests: Mutex<HashMap<PathBuf, Arc<Manifest>>>,
}

/// The dashboard's routes, to be merged into the server's router.
pub fn router(app: Arc<AppState>, options: Options) -> Router {
    let state = Arc::new(Dashboard {
        app,
        options,
        limiter: auth::Limiter::default(),
        manifests: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route(BASE, get(classes_page))
        .route(&format!("{BASE}/"), get(classes_page))
        .route(
            &format!("{BASE}/prihlaseni"),
            get(auth::login_page).post(auth::login),
        )
        .route(
            &format!("{BASE}/odhlaseni"),
            axum::routing::post(auth::logout),
        )
        .route(&format!("{BASE}/dashboard.css"), get(stylesheet))
        .route(&format!("{BASE}/icon.svg"), get(icon))
        .route(&format!("{BASE}/tridy/{{class}}"), get(class_page))
        .route(
            &format!("{BASE}/tridy/{{class}}/kurzy/{{course}}"),
            get(course_page),
        )
        .route(
            &format!("{BASE}/tridy/{{class}}/kurzy/{{course}}/export.csv"),
            get(course_csv),
        )
        .layer(axum::middleware::from_fn(auth::guard))
        .with_state(state)
}

/// A failure of a dashboard handler.
#[derive(Debug)]
pub(crate) enum PageError {
    /// 404: no such class or course, or not this teacher's.
    NotFound(Lang),
    /// 500: logged, never shown.
    Internal(Lang, String),
}

impl From<(Lang, StoreError)> for PageError {
    fn from((lang, e): (Lang, StoreError)) -> PageError {
        PageError::Internal(lang, e.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, lang, key) = match self {
            PageError::NotFound(lang) => (StatusCode::NOT_FOUND, lang, "not_found"),
            PageError::Internal(lang, detail) => {
                eprintln!("aktovka server: dashboard: {detail}");
                (StatusCode::INTERNAL_SERVER_ERROR, lang, "error")
            }
        };
        (status, html(pages::message(lang, None, key))).into_response()
    }
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Runs store work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    lang: Lang,
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, PageError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| PageError::from((lang, e))),
        Err(e) => Err(PageError::Internal(lang, format!("blocking task: {e}"))),
    }
}

/// The class with this id if the teacher may see it.
fn visible_class(
    store: &dyn ServerStore,
    teacher: &Teacher,
    id: &str,
) -> Result<Option<Class>, StoreError> {
    Ok(store
        .classes_of(&teacher.name)?
        .into_iter()
        .find(|c| c.id.to_string() == id))
}

impl Dashboard {
    /// The manifest of a published bundle (cached; `None` if it cannot be opened).
    fn manifest(&self, b: &PublishedBundle) -> Option<Arc<Manifest>> {
        let path = self.app.data.join(&b.path);
        let mut cache = self
            .manifests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(m) = cache.get(&path) {
            return Some(m.clone());
        }
        let m = Arc::new(Bundle::open(&path).ok()?.manifest().clone());
        cache.insert(path, m.clone());
        Some(m)
    }

    /// The newest published bundle of each course, by course id.
    fn newest_bundles(&self) -> Result<HashMap<String, PublishedBundle>, StoreError> {
        // `bundles()` lists each course's newest version last.
        Ok(self
            .app
            .store
            .bundles()?
            .into_iter()
            .map(|b| (b.course.clone(), b))
            .collect())
    }
}

async fn classes_page(
    State(d): State<Arc<Dashboard>>,
    auth::Session(teacher, lang): auth::Session,
) -> Result<Response, PageError> {
    let store = d.app.store.clone();
    let name = teacher.name.clone();
    let classes = blocking(lang, move || {
        let mut out = Vec::new();
        for c in store.classes_of(&name)? {
            let n = store.roster(c.id)?.len();
            out.push((c, n));
        }
        Ok(out)
    })
    .await?;
    Ok(html(pages::classes(lang, &teacher, &classes)))
}

async fn class_page(
    State(d): State<Arc<Dashboard>>,
    auth::Session(teacher, lang): auth::Session,
    Path(class): Path<String>,
) -> Result<Response, PageError> {
    let dd = d.clone();
    let t = teacher.clone();
    let found = blocking(lang, move || {
        let store = dd.app.store.as_ref();
        let Some(class) = visible_class(store, &t, &class)? else {
            return Ok(None);
        };
        let activity = store.class_activity(class.id)?;
        let bundles = dd.newest_bundles()?;
        let mut courses: Vec<pages::CourseLine> = Vec::new();
        let mut active = matrix::courses(&activity);
        let mut ids: Vec<String> = bundles.keys().cloned().collect();
        ids.extend(active.keys().cloned());
        ids.sort();
        ids.dedup();
        for id in ids {
            let bundle = bundles.get(&id);
            courses.push(pages::CourseLine {
                title: bundle
                    .and_then(|b| dd.manifest(b))
                    .map_or_else(|| id.clone(), |m| m.course.title.clone()),
                version: bundle.map(|b| b.version.clone()),
                activity: active.remove(&id).unwrap_or_default(),
                id,
            });
        }
        Ok(Some((class, courses)))
    })
    .await?;
    let (class, courses) = found.ok_or(PageError::NotFound(lang))?;
    Ok(html(pages::class(lang, &teacher, &class, &courses)))
}

/// What the course page and its CSV show.
struct CourseTable {
    class: Class,
    course: String,
    title: String,
    matrix: matrix::Matrix,
    /// Attempts waiting for their course version to be published, by version.
    waiting: std::collections::BTreeMap<String, usize>,
}

async fn course_table(
    d: Arc<Dashboard>,
    teacher: Teacher,
    lang: Lang,
    class: String,
    course: String,
) -> Result<CourseTable, PageError> {
    let found = blocking(lang, move || {
        let store = d.app.store.as_ref();
        let Some(class) = visible_class(store, &teacher, &class)? else {
            return Ok(None);
        };
        let activity = store.class_activity(class.id)?;
        let manifest = d.newest_bundles()?.get(&course).and_then(|b| d.manifest(b));
        if manifest.is_none() && !activity.iter().any(|(e, _)| e.course == course) {
            return Ok(None);
        }
        let roster = store.roster(class.id)?;
        let matrix = matrix::build(&course, manifest.as_deref(), &roster, &activity);
        let waiting = matrix::waiting_for_publish(&course, &store.bundles()?, &activity);
        let title = manifest.map_or_else(|| course.clone(), |m| m.course.title.clone());
        Ok(Some(CourseTable {
            class,
            course,
            title,
            matrix,
            waiting,
        }))
    })
    .await?;
    found.ok_or(PageError::NotFound(lang))
}

async fn course_page(
    State(d): State<Arc<Dashboard>>,
    auth::Session(teacher, lang): auth::Session,
    Path((class, course)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let table = course_table(d, teacher.clone(), lang, class, course).await?;
    Ok(html(pages::course(lang, &teacher, &table)))
}

async fn course_csv(
    State(d): State<Arc<Dashboard>>,
    auth::Session(teacher, lang): auth::Session,
    Path((class, course)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let table = course_table(d, teacher, lang, class, course).await?;
    let file = format!("{}-{}.csv", table.class.name, table.course);
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut resp = (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        csv::table(lang, &table.matrix),
    )
        .into_response();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::learner::pages::url_part(&file)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("dashboard.css"))
}

/// The pupils' app's icon, so the browser's tab shows the same satchel.
async fn icon() -> Response {
    asset(
        "image/svg+xml",
        include_str!("../../learner/static/icon.svg"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// The language of a request: `?lang=`, else the language cookie, else Czech.
fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let asked = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::from_code(&v))
    });
    asked
        .or_else(|| {
            crate::learner::guard::cookie(headers, auth::LANG_COOKIE)
                .and_then(|v| Lang::from_code(&v))
        })
        .unwrap_or_default()
}
