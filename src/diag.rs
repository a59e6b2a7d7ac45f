//! Located diagnostics shared by every loader: `path:line:col: message`,
//! with "did you mean" suggestions for misspelt keys.

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// The closest candidate within a distance of a third of the key's length
/// (at least 2), if any.
pub fn did_you_mean<'a>(
    key: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(key, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Render a TOML deserialisation error as `path:line:col: message`, adding
/// "did you mean" when serde names an unknown field and its expected ones.
pub fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> String {
    let (line, col) = err.span().map_or((1, 1), |s| line_col(text, s.start));
    let message = err.message().trim().to_string();
    let mut out = format!("{path}:{line}:{col}: {message}");
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((unknown, tail)) = rest.split_once('`') {
            let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
            if let Some(s) = did_you_mean(unknown, expected.iter().copied()) {
                out.push_str(&format!(" (did you mean `{s}`?)"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("robot_nick", "robot_nicks"), 1);
        assert_eq!(
            did_you_mean("tmie", ["time", "text", "sender"]),
            Some("time")
        );
        assert_eq!(did_you_mean("zzzzzz", ["time", "text"]), None);
        assert_eq!(line_col("a\nbc\nd", 3), (2, 2));
    }
}
