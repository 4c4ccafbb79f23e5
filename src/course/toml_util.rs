//! Helpers for pointing at places in TOML text: the line of a byte offset, the line a key
//! is set on, and "did you mean" suggestions for misspelt keys.

/// 1-based line of byte `offset` in `source`.
pub fn line_of_offset(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based column (in characters) of byte `offset` in its line.
pub fn col_of_offset(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    let line_start = source[..end].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..end].chars().count() + 1
}

/// The line on which `key = …` is written (a top-level or `[task]` key alike); 0 if it is
/// not found as written (for example a quoted key).
pub fn key_line(source: &str, key: &str) -> usize {
    source
        .lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// The known name closest to `unknown`, if it is a plausible typo (edit distance ≤ 2).
pub fn suggest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_lines_and_columns() {
        let s = "ab\ncdé\nf";
        assert_eq!(line_of_offset(s, 0), 1);
        assert_eq!(line_of_offset(s, 3), 2);
        assert_eq!(col_of_offset(s, 7), 4);
        assert_eq!(line_of_offset(s, 100), 3);
    }

    #[test]
    fn finds_keys_and_suggests() {
        assert_eq!(key_line("a = 1\n  title= 2\n", "title"), 2);
        assert_eq!(key_line("titles = 1\n", "title"), 0);
        assert_eq!(suggest("titel", &["title", "id"]), Some("title"));
        assert_eq!(suggest("zzzzzz", &["title", "id"]), None);
    }
}
