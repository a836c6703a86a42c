//! Random edits of a valid text, the one mutation loop of the parsers' property tests: the
//! filter-pattern parser's (src/filter_pattern/proptests.rs, which includes this file with
//! `#[path]`: unit tests cannot reach tests/support otherwise) and the loaders'
//! (tests/properties.rs). Kept apart from support/mod.rs so neither pulls in the moto helpers.

/// One edit, drawn by the caller's strategy: `(kind, a, b, c)`. `a` and `b` are positions taken
/// modulo the text's length; kind 0 deletes the range between them, 1 inserts `c` at `a`,
/// 2 duplicates the range, anything else truncates the text at `a`.
pub type Edit = (u8, usize, usize, char);

/// `text` with `edits` applied in order; a deleted or duplicated range spans at most
/// `max_span` characters (a large text's mutants stay near it instead of mostly halving it).
pub fn apply(text: &str, edits: &[Edit], max_span: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(kind, a, b, c) in edits {
        let len = chars.len().max(1);
        let (i, j) = (a % len, b % len);
        let (lo, hi) = (i.min(j), i.max(j).min(chars.len()).min(i.min(j).saturating_add(max_span)));
        match kind {
            0 => {
                chars.drain(lo..hi);
            }
            1 => chars.insert(i.min(chars.len()), c),
            2 => {
                let slice: Vec<char> = chars[lo..hi].to_vec();
                chars.splice(hi..hi, slice);
            }
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}
