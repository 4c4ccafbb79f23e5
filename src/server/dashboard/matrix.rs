//! The class × course table, computed in Rust from a class's synced events
//! ([`ServerStore::class_activity`](crate::server::ServerStore::class_activity)), so every
//! store only needs plain queries.
//!
//! Rules (documented in `docs/dashboard.md`):
//! - Columns are the lessons and exercises of the newest published bundle of the course,
//!   in its order; exercises and lessons seen in events but not in that bundle (an older
//!   version, an unpublished course) follow, titled by their id.
//! - Rows are every learner on the roster (also those with no activity), alphabetically
//!   with diacritics folded (`Čech` before `Dvořák`), then
//!   every other learner with activity in the course (shown as unknown, by short id):
//!   an event is never dropped for its learner.
//! - An attempt counts with the server's score when the server re-graded it, else with the
//!   laptop's; a cell's best score is the highest of its attempts, and the cell is flagged
//!   when any of its attempts was a re-grading mismatch.
//! - A lesson is completed by a learner with a `lesson_completed` event for it.
//! - Attempts of a course version not published on the server wait for the publish
//!   before the server re-grades them ([`waiting_for_publish`] counts them per version).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use crate::bundle::manifest::Manifest;
use crate::progress::EventKind;
use crate::server::regrade::RegradeStatus;
use crate::server::{Activity, PublishedBundle, RosterLearner};
use crate::text::fold_diacritics;

/// A column: an id and what to call it.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub title: String,
}

/// One learner × exercise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub attempts: u32,
    /// 0.0..=1.0; meaningful when `attempts > 0`.
    pub best: f64,
    pub passed: bool,
    /// Attempts the server's re-grading disagreed with.
    pub mismatches: u32,
    /// The highest score the laptop reported for those attempts (what it claimed).
    pub claimed: f64,
}

/// One learner's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub learner: Uuid,
    /// `None`: not on the class roster.
    pub name: Option<String>,
    /// By exercise id.
    pub cells: HashMap<String, Cell>,
    pub completed: BTreeSet<String>,
    pub opened: BTreeSet<String>,
}

impl Row {
    /// The first 8 hex digits of the learner id, to tell unknown learners apart.
    pub fn short_id(&self) -> String {
        self.learner.simple().to_string()[..8].to_owned()
    }

    pub fn cell(&self, exercise: &str) -> Option<&Cell> {
        self.cells.get(exercise)
    }
}

/// The table of one course in one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub lessons: Vec<Column>,
    pub exercises: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Summary of one course's activity in a class (the class page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CourseActivity {
    pub learners: usize,
    pub attempts: usize,
}

/// Every course with activity in the class, with its counts.
pub fn courses(activity: &[Activity]) -> BTreeMap<String, CourseActivity> {
    let mut learners: BTreeMap<String, BTreeSet<Uuid>> = BTreeMap::new();
    let mut out: BTreeMap<String, CourseActivity> = BTreeMap::new();
    for (e, _) in activity {
        learners
            .entry(e.course.clone())
            .or_default()
            .insert(e.learner);
        let c = out.entry(e.course.clone()).or_default();
        if matches!(e.kind, EventKind::Attempt { .. }) {
            c.attempts += 1;
        }
    }
    for (course, set) in learners {
        if let Some(c) = out.get_mut(&course) {
            c.learners = set.len();
        }
    }
    out
}

/// Builds the table of `course` from the class's roster and activity.
pub fn build(
    course: &str,
    manifest: Option<&Manifest>,
    roster: &[RosterLearner],
    activity: &[Activity],
) -> Matrix {
    let mut lessons: Vec<Column> = Vec::new();
    let mut exercises: Vec<Column> = Vec::new();
    if let Some(m) = manifest {
        lessons = m
            .lessons
            .iter()
            .map(|l| Column {
                id: l.id.clone(),
                title: l.title.clone(),
            })
            .collect();
        exercises = m
            .exercises
            .iter()
            .map(|x| Column {
                id: x.id.clone(),
                title: x.title.clone(),
            })
            .collect();
    }
    let mut rows: Vec<Row> = roster
        .iter()
        .map(|l| new_row(l.id, Some(l.name.clone())))
        .collect();
    // Alphabetical as a Czech reader expects it, not by bytes (`Č` would follow `Z`).
    rows.sort_by_cached_key(|r| {
        let name = r.name.clone().unwrap_or_default();
        (fold_diacritics(&name.to_lowercase()), name)
    });
    let index: HashMap<Uuid, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.learner, i))
        .collect();
    let mut unknown: Vec<Row> = Vec::new();
    let mut unknown_index: HashMap<Uuid, usize> = HashMap::new();
    for (e, regrade) in activity.iter().filter(|(e, _)| e.course == course) {
        let row = match index.get(&e.learner) {
            Some(&i) => &mut rows[i],
            None => {
                let i = *unknown_index.entry(e.learner).or_insert_with(|| {
                    unknown.push(new_row(e.learner, None));
                    unknown.len() - 1
                });
                &mut unknown[i]
            }
        };
        match &e.kind {
            EventKind::Attempt {
                exercise,
                score,
                passed,
                ..
            } => {
                let reported = score;
                add_column(&mut exercises, exercise);
                let (score, passed) = match regrade {
                    Some(r) if r.status != RegradeStatus::Unverifiable => {
                        (r.score.unwrap_or(*score), r.passed.unwrap_or(*passed))
                    }
                    _ => (*score, *passed),
                };
                let cell = row.cells.entry(exercise.clone()).or_default();
                cell.best = if cell.attempts == 0 {
                    score
                } else {
                    cell.best.max(score)
                };
                cell.attempts += 1;
                cell.passed |= passed;
                if regrade
                    .as_ref()
                    .is_some_and(|r| r.status == RegradeStatus::Mismatch)
                {
                    cell.claimed = if cell.mismatches == 0 {
                        *reported
                    } else {
                        cell.claimed.max(*reported)
                    };
                    cell.mismatches += 1;
                }
            }
            EventKind::LessonOpened { lesson } => {
                add_column(&mut lessons, lesson);
                row.opened.insert(lesson.clone());
            }
            EventKind::LessonCompleted { lesson } => {
                add_column(&mut lessons, lesson);
                row.completed.insert(lesson.clone());
            }
        }
    }
    unknown.sort_by_key(Row::short_id);
    rows.extend(unknown);
    Matrix {
        lessons,
        exercises,
        rows,
    }
}

/// Attempts of `course` not yet re-graded because their course version is not published
/// (the server re-grades them once it is), counted by version.
pub fn waiting_for_publish(
    course: &str,
    published: &[PublishedBundle],
    activity: &[Activity],
) -> BTreeMap<String, usize> {
    let mut waiting = BTreeMap::new();
    for (e, regrade) in activity {
        let unpublished = !published
            .iter()
            .any(|b| b.course == e.course && b.version == e.course_version);
        if e.course == course
            && regrade.is_none()
            && unpublished
            && matches!(e.kind, EventKind::Attempt { .. })
        {
            *waiting.entry(e.course_version.clone()).or_insert(0) += 1;
        }
    }
    waiting
}

fn new_row(learner: Uuid, name: Option<String>) -> Row {
    Row {
        learner,
        name,
        cells: HashMap::new(),
        completed: BTreeSet::new(),
        opened: BTreeSet::new(),
    }
}

fn add_column(columns: &mut Vec<Column>, id: &str) {
    if !columns.iter().any(|c| c.id == id) {
        columns.push(Column {
            id: id.to_owned(),
            title: id.to_owned(),
        });
    }
}

impl Matrix {
    /// Per exercise: (learners who passed it, learners with an attempt, total attempts).
    pub fn exercise_totals(&self, exercise: &str) -> (usize, usize, u32) {
        let cells = self.rows.iter().filter_map(|r| r.cell(exercise));
        cells.fold((0, 0, 0), |(p, a, n), c| {
            (p + usize::from(c.passed), a + 1, n + c.attempts)
        })
    }

    /// Per lesson: (learners who completed it, learners who opened it).
    pub fn lesson_totals(&self, lesson: &str) -> (usize, usize) {
        let completed = self.rows.iter().filter(|r| r.completed.contains(lesson));
        let opened = self.rows.iter().filter(|r| r.opened.contains(lesson));
        (completed.count(), opened.count())
    }

    /// Lessons of the course a learner completed (only lessons that are columns).
    pub fn completed_count(&self, row: &Row) -> usize {
        self.lessons
            .iter()
            .filter(|l| row.completed.contains(&l.id))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Event;
    use crate::server::regrade::Regrade;

    fn attempt(learner: Uuid, exercise: &str, score: f64, regrade: Option<Regrade>) -> Activity {
        let event = Event {
            id: Uuid::now_v7(),
            device: Uuid::nil(),
            seq: 1,
            learner,
            course: "c".into(),
            course_version: "1.0.0".into(),
            kind: EventKind::Attempt {
                exercise: exercise.into(),
                answer: String::new(),
                score,
                passed: score >= 1.0,
                plugin_sha256: String::new(),
            },
            at: String::new(),
        };
        (event, regrade)
    }

    fn regrade(status: RegradeStatus, score: Option<f64>) -> Option<Regrade> {
        Some(Regrade {
            status,
            score,
            passed: score.map(|s| s >= 1.0),
            detail: String::new(),
        })
    }

    #[test]
    fn only_unregraded_attempts_of_unpublished_versions_wait() {
        let learner = Uuid::new_v4();
        let published = [PublishedBundle {
            course: "c".into(),
            version: "1.0.0".into(),
            sha256: String::new(),
            size: 0,
            path: String::new(),
        }];
        let at = |version: &str, regrade: Option<Regrade>| {
            let mut a = attempt(learner, "x", 1.0, regrade);
            a.0.course_version = version.into();
            a
        };
        let mut lesson = at("2.0.0", None);
        lesson.0.kind = EventKind::LessonCompleted { lesson: "l".into() };
        let mut other_course = at("2.0.0", None);
        other_course.0.course = "jiny".into();
        let activity = vec![
            // Published, re-grading still to come: not waiting for a publish.
            at("1.0.0", None),
            at("2.0.0", None),
            at("2.0.0", None),
            at("0.9.0", None),
            // Graded under an older server that called this unverifiable.
            at("0.9.0", regrade(RegradeStatus::Unverifiable, None)),
            lesson,
            other_course,
        ];
        let waiting = waiting_for_publish("c", &published, &activity);
        assert_eq!(
            waiting.into_iter().collect::<Vec<_>>(),
            [("0.9.0".to_owned(), 1), ("2.0.0".to_owned(), 2)]
        );
    }

    #[test]
    fn best_scores_use_the_servers_grading_and_keep_unknown_learners() {
        let eva = RosterLearner {
            id: Uuid::new_v4(),
            name: "Eva".into(),
        };
        let adam = RosterLearner {
            id: Uuid::new_v4(),
            name: "Adam".into(),
        };
        let stranger = Uuid::new_v4();
        let mut other_course = attempt(eva.id, "x", 1.0, None);
        other_course.0.course = "jiny".into();
        let activity = vec![
            attempt(eva.id, "x", 0.5, regrade(RegradeStatus::Match, Some(0.5))),
            attempt(eva.id, "x", 0.25, None),
            // Claimed 1.0, the server says 0.0: the cell keeps 0.5 and is flagged.
            attempt(
                eva.id,
                "x",
                1.0,
                regrade(RegradeStatus::Mismatch, Some(0.0)),
            ),
            // Unverifiable: the laptop's score stands.
            attempt(
                stranger,
                "y",
                0.75,
                regrade(RegradeStatus::Unverifiable, None),
            ),
            other_course,
        ];
        let cech = RosterLearner {
            id: Uuid::new_v4(),
            name: "Čeněk".into(),
        };
        let m = build("c", None, &[adam.clone(), eva.clone(), cech], &activity);
        let ids: Vec<&str> = m.exercises.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["x", "y"]);
        let names: Vec<Option<&str>> = m.rows.iter().map(|r| r.name.as_deref()).collect();
        assert_eq!(names, [Some("Adam"), Some("Čeněk"), Some("Eva"), None]);
        let x = m.rows[2].cell("x").expect("Eva's cell");
        assert_eq!(
            (x.attempts, x.best, x.passed, x.mismatches),
            (3, 0.5, false, 1)
        );
        assert_eq!(x.claimed, 1.0, "what the laptop claimed");
        assert!(
            m.rows[0].cells.is_empty(),
            "Adam did nothing in this course"
        );
        let y = m.rows[3].cell("y").expect("the stranger's cell");
        assert_eq!((y.attempts, y.best), (1, 0.75));
        assert_eq!(m.exercise_totals("x"), (0, 1, 3));
        assert_eq!(
            courses(&activity)["c"],
            CourseActivity {
                learners: 2,
                attempts: 4
            }
        );
    }
}
