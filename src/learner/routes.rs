//! The learner app's routes (see `docs/learner.md` for the list) and their thin handlers.
//! Pages are built by [`super::pages`]; SQLite and plugin calls run on tokio's blocking
//! pool through [`blocking`].

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

use crate::progress::{CourseProgress, EventKind, Learner, NewEvent, ProgressError};
use crate::search::search_many;

use super::exercise::{self, ExerciseView, Outcome};
use super::guard::{self, BUNDLE_FILE_CSP, cookie};
use super::i18n::Lang;
use super::library::{Course, Segment, lock};
use super::pages::{self, Ctx, SearchResult, SyncLine, url_part};
use super::{AppState, random_hex};
use crate::sandbox::abi::exercise_seed;

type Shared = Arc<AppState>;

/// How many hits the search page and the live results show.
const SEARCH_PAGE_HITS: usize = 20;
const SEARCH_LIVE_HITS: usize = 8;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(library))
        .route("/learners", post(add_learner))
        .route("/learner", post(pick_learner))
        .route("/logout", post(logout))
        .route("/c/{course}", get(course_page))
        .route("/c/{course}/l/{lesson}", get(lesson_page))
        .route("/c/{course}/x/{exercise}", post(grade))
        .route("/c/{course}/assets/{*path}", get(asset))
        .route("/c/{course}/lessons/{file}", get(lesson_file))
        .route("/search", get(search))
        .route("/progress", get(progress_page))
        .route("/sync/status", get(sync_status))
        .route("/static/{file}", get(static_file))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .with_state(state)
}

/// A request's context: language, learner (if one is picked), and where it came from.
struct Visit {
    lang: Lang,
    learner: Option<Learner>,
    session: Option<String>,
    path: String,
    query: Vec<(String, String)>,
    wants_json: bool,
}

impl FromRequestParts<Shared> for Visit {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Visit, Fail> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let session = cookie(&parts.headers, &state.cookie_name());
        let learner_id = session
            .as_ref()
            .and_then(|s| lock(&state.sessions).get(s).copied());
        let learner = match learner_id {
            Some(id) => {
                let st = state.clone();
                blocking(lang, move || st.store.learner(id)).await?
            }
            None => None,
        };
        let query = parts
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Visit {
            lang,
            learner,
            session,
            path: parts.uri.path().to_owned(),
            query,
            wants_json: wants_json(&parts.headers),
        })
    }
}

impl Visit {
    fn ctx<'a>(&'a self, state: &'a AppState, search: &'a str) -> Ctx<'a> {
        Ctx {
            lang: self.lang,
            learner: self.learner.as_ref(),
            token: &state.token,
            path: &self.path,
            query: &self.query,
            search,
            sync: Some(SyncLine::new(self.lang, &state.sync.snapshot())),
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn fail(&self, status: StatusCode) -> Fail {
        Fail {
            status,
            lang: self.lang,
        }
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// A failed request: its status, shown as an error page in the visitor's language.
/// Internal causes are logged to stderr, never shown.
#[derive(Debug)]
struct Fail {
    status: StatusCode,
    lang: Lang,
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let key = match self.status {
            StatusCode::NOT_FOUND => "error_not_found",
            StatusCode::FORBIDDEN => "error_forbidden",
            StatusCode::BAD_REQUEST => "error_bad_request",
            _ => "error_internal",
        };
        let ctx = Ctx {
            lang: self.lang,
            learner: None,
            token: "",
            path: "/",
            query: &[],
            search: "",
            sync: None,
        };
        (self.status, html(pages::error(&ctx, key))).into_response()
    }
}

/// Runs blocking work (SQLite, plugins) off the async workers.
async fn blocking<T: Send + 'static>(
    lang: Lang,
    f: impl FnOnce() -> Result<T, ProgressError> + Send + 'static,
) -> Result<T, Fail> {
    let internal = |what: String| {
        eprintln!("aktovka learn: {what}");
        Fail {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            lang,
        }
    };
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(internal(e.to_string())),
        Err(e) => Err(internal(e.to_string())),
    }
}

fn html(body: String) -> ([(header::HeaderName, HeaderValue); 1], String) {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
}

fn json(value: &impl serde::Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(s) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            s,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn course_of(state: &AppState, visit: &Visit, id: &str) -> Result<Arc<Course>, Fail> {
    state
        .library()
        .course(id)
        .cloned()
        .ok_or_else(|| visit.fail(StatusCode::NOT_FOUND))
}

/// Pages that belong to a learner send a visitor without one to the picker.
fn to_picker() -> Response {
    Redirect::to("/").into_response()
}

async fn library(State(state): State<Shared>, visit: Visit) -> Result<Response, Fail> {
    library_response(state, visit, None).await
}

async fn library_response(
    state: Shared,
    visit: Visit,
    error: Option<String>,
) -> Result<Response, Fail> {
    let st = state.clone();
    let learner = visit.learner.as_ref().map(|l| l.id);
    let lib = state.library();
    let courses = lib.courses.clone();
    let (learners, progress) = blocking(visit.lang, move || {
        let learners = if learner.is_none() {
            st.store.learners()?
        } else {
            Vec::new()
        };
        let mut progress = Vec::new();
        for c in &courses {
            progress.push(match learner {
                Some(id) => Some(st.store.course_progress(id, c.id())?),
                None => None,
            });
        }
        Ok((learners, progress))
    })
    .await?;
    let courses: Vec<(&Course, Option<CourseProgress>)> = lib
        .courses
        .iter()
        .map(|c| c.as_ref())
        .zip(progress)
        .collect();
    let page = pages::library(&visit.ctx(&state, ""), &learners, &courses);
    Ok(match error {
        Some(e) => (
            StatusCode::BAD_REQUEST,
            html(pages::library_with_error(page, &e)),
        )
            .into_response(),
        None => html(page).into_response(),
    })
}

/// Starts a session for `learner`, replacing the visitor's old one, and goes home.
fn start_session(state: &AppState, visit: &Visit, learner: Uuid) -> Result<Response, Fail> {
    let id = random_hex(16).map_err(|_| visit.fail(StatusCode::INTERNAL_SERVER_ERROR))?;
    {
        let mut sessions = lock(&state.sessions);
        if let Some(old) = &visit.session {
            sessions.remove(old);
        }
        sessions.insert(id.clone(), learner);
    }
    let cookie = format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Strict",
        state.cookie_name()
    );
    let mut resp = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

async fn add_learner(
    State(state): State<Shared>,
    visit: Visit,
    body: Bytes,
) -> Result<Response, Fail> {
    let form = form_pairs(&body);
    let name = field(&form, "name").unwrap_or_default().to_owned();
    let pin = field(&form, "pin")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let st = state.clone();
    let added = tokio::task::spawn_blocking(move || st.store.add_learner(&name, pin.as_deref()))
        .await
        .map_err(|_| visit.fail(StatusCode::INTERNAL_SERVER_ERROR))?;
    match added {
        Ok(l) => start_session(&state, &visit, l.id),
        Err(e @ ProgressError::Invalid(_)) => {
            let message = e.message_in(visit.lang.code());
            library_response(state, visit, Some(message)).await
        }
        Err(e) => {
            eprintln!("aktovka learn: {e}");
            Err(visit.fail(StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

async fn pick_learner(
    State(state): State<Shared>,
    visit: Visit,
    body: Bytes,
) -> Result<Response, Fail> {
    let form = form_pairs(&body);
    let id = field(&form, "learner")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| visit.fail(StatusCode::BAD_REQUEST))?;
    let pin = field(&form, "pin").map(str::to_owned);
    let st = state.clone();
    let lang = visit.lang;
    let (learner, pin_ok) = blocking(lang, move || {
        let Some(l) = st.store.learner(id)? else {
            return Ok((None, false));
        };
        let ok = match (&pin, l.has_pin) {
            (_, false) => true,
            (None, true) => false,
            // The learner found, not the id asked: a linked profile's PIN is its roster
            // learner's.
            (Some(p), true) => st.store.check_pin(l.id, Some(p))?,
        };
        Ok((Some(l), ok))
    })
    .await?;
    let Some(learner) = learner else {
        return Err(visit.fail(StatusCode::NOT_FOUND));
    };
    if pin_ok {
        return start_session(&state, &visit, learner.id);
    }
    let wrong = field(&form, "pin").is_some();
    let page = pages::pin_prompt(&visit.ctx(&state, ""), &learner, wrong);
    let status = if wrong {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::OK
    };
    Ok((status, html(page)).into_response())
}

async fn logout(State(state): State<Shared>, visit: Visit) -> Response {
    if let Some(s) = &visit.session {
        lock(&state.sessions).remove(s);
    }
    let mut resp = Redirect::to("/").into_response();
    let expire = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        state.cookie_name()
    );
    if let Ok(v) = HeaderValue::from_str(&expire) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn course_page(
    State(state): State<Shared>,
    visit: Visit,
    Path(course): Path<String>,
) -> Result<Response, Fail> {
    let course = course_of(&state, &visit, &course)?;
    let Some(learner) = visit.learner.as_ref().map(|l| l.id) else {
        return Ok(to_picker());
    };
    let st = state.clone();
    let id = course.id().to_owned();
    let progress = blocking(visit.lang, move || st.store.course_progress(learner, &id)).await?;
    Ok(html(pages::course(&visit.ctx(&state, ""), &course, &progress)).into_response())
}

async fn lesson_page(
    State(state): State<Shared>,
    visit: Visit,
    Path((course_id, lesson)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let course = course_of(&state, &visit, &course_id)?;
    if let Some(stem) = lesson.strip_suffix(".html") {
        return Ok(Redirect::permanent(&format!(
            "/c/{}/l/{}",
            url_part(&course_id),
            url_part(stem)
        ))
        .into_response());
    }
    let position = course
        .lesson_position(&lesson)
        .ok_or_else(|| visit.fail(StatusCode::NOT_FOUND))?;
    let Some(learner) = visit.learner.clone() else {
        return Ok(to_picker());
    };
    let st = state.clone();
    let c = course.clone();
    let lang = visit.lang;
    let lesson_id = lesson.clone();
    let (body, progress) = blocking(lang, move || {
        let progress = st.store.course_progress(learner.id, c.id())?;
        if !progress.lessons_opened.contains(&lesson_id) {
            st.store.record(NewEvent {
                learner: learner.id,
                course: c.id().to_owned(),
                course_version: c.manifest().course.version.clone(),
                kind: EventKind::LessonOpened {
                    lesson: lesson_id.clone(),
                },
            })?;
        }
        let segments = c
            .lesson_segments(position)
            .map_err(|e| ProgressError::Corrupt(format!("{}: lesson {lesson_id}: {e}", c.id())))?;
        let mut body = String::new();
        for seg in segments.iter() {
            match seg {
                Segment::Html(h) => body.push_str(h),
                Segment::Exercise(id) => {
                    let Some(ex) = c.exercise(id) else { continue };
                    let seed = exercise_seed(&learner.id.to_string(), c.id(), id);
                    let render = match c.render_exercise(&st.sandbox, ex, lang, seed) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            eprintln!("aktovka learn: {}: render {id}: {e}", c.id());
                            None
                        }
                    };
                    let outcome = lock(&st.outcomes)
                        .get(&(learner.id, c.id().to_owned(), id.clone()))
                        .cloned();
                    let learner_id = learner.id.to_string();
                    body.push_str(&exercise::form(&ExerciseView {
                        lang,
                        course: c.id(),
                        learner: &learner_id,
                        token: &st.token,
                        exercise: ex,
                        render: render.as_deref(),
                        last_answer: progress.exercises.get(id).map(|p| p.last_answer.as_str()),
                        outcome: outcome.as_ref(),
                    }));
                }
            }
        }
        Ok((body, progress))
    })
    .await?;
    drop(progress);
    let manifest_lesson = &course.manifest().lessons[position];
    Ok(html(pages::lesson(
        &visit.ctx(&state, ""),
        &course,
        manifest_lesson,
        position,
        &body,
    ))
    .into_response())
}

/// The JSON verdict of `POST /c/<course>/x/<exercise>` with `Accept: application/json`.
#[derive(serde::Serialize)]
struct VerdictJson {
    score: f64,
    passed: bool,
    feedback_html: String,
    checks: Vec<crate::sandbox::CheckItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    svg_url: Option<String>,
}

async fn grade(
    State(state): State<Shared>,
    visit: Visit,
    Path((course_id, exercise_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Fail> {
    let course = course_of(&state, &visit, &course_id)?;
    let ex = course
        .exercise(&exercise_id)
        .cloned()
        .ok_or_else(|| visit.fail(StatusCode::NOT_FOUND))?;
    let Some(learner) = visit.learner.as_ref().map(|l| l.id) else {
        if visit.wants_json {
            return Err(visit.fail(StatusCode::FORBIDDEN));
        }
        return Ok(to_picker());
    };
    let values: Vec<String> = form_pairs(&body)
        .into_iter()
        .filter(|(k, _)| k == "answer")
        .map(|(_, v)| v)
        .collect();
    let answer = exercise::answer_string(&values);
    let seed = exercise_seed(&learner.to_string(), course.id(), &ex.id);
    let st = state.clone();
    let c = course.clone();
    let lang = visit.lang;
    let lesson = ex.lesson.clone();
    let outcome = blocking(lang, move || {
        let verdict = c.plugin(&st.sandbox, &ex.plugin).and_then(|plugin| {
            st.sandbox
                .check(&plugin, &ex.task, &answer, seed, lang.code())
                .map(|v| (v, plugin.sha256_hex()))
        });
        let outcome = match verdict {
            Ok((v, plugin_sha256)) => {
                // Durably recorded before the verdict leaves this function.
                st.store.record(NewEvent {
                    learner,
                    course: c.id().to_owned(),
                    course_version: c.manifest().course.version.clone(),
                    kind: EventKind::Attempt {
                        exercise: ex.id.clone(),
                        answer,
                        score: v.score,
                        passed: v.passed,
                        plugin_sha256,
                    },
                })?;
                if v.passed {
                    complete_lesson_if_done(&st, &c, learner, &ex.lesson)?;
                }
                st.sync.nudge();
                Outcome::Graded(v)
            }
            Err(e) => {
                eprintln!("aktovka learn: {}: check {}: {e}", c.id(), ex.id);
                Outcome::Failed
            }
        };
        lock(&st.outcomes).insert((learner, c.id().to_owned(), ex.id.clone()), outcome.clone());
        Ok(outcome)
    })
    .await?;
    if visit.wants_json {
        return Ok(match &outcome {
            Outcome::Graded(v) => json(&VerdictJson {
                score: v.score,
                passed: v.passed,
                feedback_html: exercise::markdown_html(&v.feedback_md),
                checks: v.checks.clone(),
                svg_url: v.svg.as_deref().map(exercise::svg_data_url),
            }),
            Outcome::Failed => (
                StatusCode::BAD_GATEWAY,
                json(&serde_json::json!({"error": visit.lang.t("grade_failed")})),
            )
                .into_response(),
        });
    }
    Ok(Redirect::to(&format!(
        "/c/{}/l/{}#x-{}",
        url_part(course.id()),
        url_part(&lesson),
        url_part(&exercise_id)
    ))
    .into_response())
}

/// Records `lesson_completed` once every exercise of the lesson has been passed.
fn complete_lesson_if_done(
    st: &AppState,
    course: &Course,
    learner: Uuid,
    lesson: &str,
) -> Result<(), ProgressError> {
    let p = st.store.course_progress(learner, course.id())?;
    if p.lessons_completed.contains(lesson) {
        return Ok(());
    }
    let all_passed = course
        .lesson_exercises(lesson)
        .all(|e| p.exercises.get(&e.id).is_some_and(|x| x.passed));
    if all_passed {
        st.store.record(NewEvent {
            learner,
            course: course.id().to_owned(),
            course_version: course.manifest().course.version.clone(),
            kind: EventKind::LessonCompleted {
                lesson: lesson.to_owned(),
            },
        })?;
    }
    Ok(())
}

/// The content type of a bundle file by its extension. Anything that a browser could run
/// (HTML, script) is served as an opaque download type.
fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        "txt" | "csv" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn asset(
    State(state): State<Shared>,
    visit: Visit,
    Path((course_id, path)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let course = course_of(&state, &visit, &course_id)?;
    let name = format!("assets/{path}");
    let c = course.clone();
    let n = name.clone();
    let bytes = tokio::task::spawn_blocking(move || c.bundle().read(&n).ok())
        .await
        .ok()
        .flatten()
        .ok_or_else(|| visit.fail(StatusCode::NOT_FOUND))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&name)),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(BUNDLE_FILE_CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        bytes,
    )
        .into_response())
}

/// `lessons/<id>.html` (a bundle path) opens the lesson page.
async fn lesson_file(
    State(state): State<Shared>,
    visit: Visit,
    Path((course_id, file)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let course = course_of(&state, &visit, &course_id)?;
    let stem = file.strip_suffix(".html").unwrap_or(&file);
    if course.lesson_position(stem).is_none() {
        return Err(visit.fail(StatusCode::NOT_FOUND));
    }
    Ok(Redirect::permanent(&format!(
        "/c/{}/l/{}",
        url_part(course.id()),
        url_part(stem)
    ))
    .into_response())
}

async fn search(State(state): State<Shared>, visit: Visit) -> Result<Response, Fail> {
    let q = visit.param("q").unwrap_or_default().to_owned();
    let json_out = visit.wants_json || visit.param("format") == Some("json");
    let limit = if json_out {
        SEARCH_LIVE_HITS
    } else {
        SEARCH_PAGE_HITS
    };
    let lib = state.library();
    let query = q.clone();
    let results = blocking(visit.lang, move || {
        let indexes: Vec<(&str, &crate::search::SearchIndex)> = lib
            .courses
            .iter()
            .filter_map(|c| c.index().map(|i| (c.id(), i)))
            .collect();
        let hits = search_many(&indexes, &query, limit);
        Ok(hits
            .into_iter()
            .map(|(course, h)| {
                let course_title = lib
                    .course(&course)
                    .map(|c| c.manifest().course.title.clone())
                    .unwrap_or_default();
                let mut url = format!("/c/{}/l/{}", url_part(&course), url_part(&h.lesson));
                if !h.anchor.is_empty() {
                    url.push('#');
                    url.push_str(&url_part(&h.anchor));
                }
                SearchResult {
                    parts: pages::snippet_parts(&h.snippet),
                    course,
                    course_title,
                    lesson: h.lesson,
                    title: h.title,
                    heading: h.heading,
                    url,
                    snippet: h.snippet,
                }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    if json_out {
        return Ok(json(&results));
    }
    Ok(html(pages::search(&visit.ctx(&state, &q), &q, &results)).into_response())
}

async fn progress_page(State(state): State<Shared>, visit: Visit) -> Result<Response, Fail> {
    let Some(learner) = visit.learner.as_ref().map(|l| l.id) else {
        return Ok(to_picker());
    };
    let st = state.clone();
    let lib = state.library();
    let courses = lib.courses.clone();
    let all = blocking(visit.lang, move || {
        courses
            .iter()
            .map(|c| st.store.course_progress(learner, c.id()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let courses: Vec<(&Course, CourseProgress)> =
        lib.courses.iter().map(|c| c.as_ref()).zip(all).collect();
    Ok(html(pages::progress(&visit.ctx(&state, ""), &courses)).into_response())
}

/// `GET /sync/status`: the header's sync line as JSON, for app.js to refresh it.
#[derive(serde::Serialize)]
struct SyncStatusJson {
    state: &'static str,
    text: String,
    last_synced: Option<String>,
    running: bool,
}

async fn sync_status(State(state): State<Shared>, visit: Visit) -> Response {
    let status = state.sync.snapshot();
    let line = SyncLine::new(visit.lang, &status);
    let mut resp = json(&SyncStatusJson {
        state: line.state,
        text: line.text,
        last_synced: status.last_synced,
        running: status.running,
    });
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

const APP_CSS: &str = include_str!("static/app.css");
const APP_JS: &str = include_str!("static/app.js");
const ICON_SVG: &str = include_str!("static/icon.svg");

async fn static_file(visit: Visit, Path(file): Path<String>) -> Result<Response, Fail> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON_SVG, "image/svg+xml"),
        _ => return Err(visit.fail(StatusCode::NOT_FOUND)),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=300"),
            ),
        ],
        body,
    )
        .into_response())
}

async fn not_found(visit: Visit) -> Fail {
    visit.fail(StatusCode::NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_runnable_is_served_as_html_or_script() {
        assert_eq!(content_type("assets/x.js"), "application/octet-stream");
        assert_eq!(content_type("assets/x.html"), "application/octet-stream");
        assert_eq!(content_type("assets/X.SVG"), "image/svg+xml");
    }
}
