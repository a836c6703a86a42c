//! Finds the line of a result's resource in the audited snapshot file, so
//! SARIF can point at it.
//!
//! One pass over the text: each account's byte range is found from its
//! `"account_id"`, and the string literals inside it are indexed once, so the
//! cost is linear in the snapshot size, not results × size.

use std::collections::HashMap;

use crate::finding::RuleResult;

/// String literals of one account's part of the snapshot: as object keys (the
/// resource's own record, `"arn": {`) and anywhere (a mention).
#[derive(Default)]
struct AccountIndex<'t> {
    start: usize,
    keys: HashMap<&'t str, usize>,
    mentions: HashMap<&'t str, usize>,
}

/// Sets `snapshot_line` on each result: the line of its resource's record, or
/// of its first mention, within its account; the account's line for account-
/// and region-level subjects when nothing closer is found.
pub fn attach_lines(text: &str, results: &mut [RuleResult]) {
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    let starts = account_starts(text);
    let ranges: HashMap<&str, (usize, usize)> = starts.iter().map(|(id, start, end)| (id.as_str(), (*start, *end))).collect();
    // One account's index at a time: results taken account by account, each
    // index dropped when the next account's is built (holding every
    // account's index at once grew with the snapshot, about 250 MB at 1,000
    // accounts).
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[a].account.cmp(&results[b].account));
    let mut current: Option<(&str, AccountIndex)> = None;
    for i in order {
        let result = &mut results[i];
        let Some((&id, &(start, end))) = ranges.get_key_value(result.account.as_str()) else {
            result.snapshot_line = None;
            continue;
        };
        if current.as_ref().is_none_or(|(held, _)| *held != id) {
            current = Some((id, index_range(text, start, end)));
        }
        let Some((_, index)) = current.as_ref() else { continue };
        // An account subject points at its account; a region subject at the region's key.
        let needle: Option<String> = match result.resource.strip_prefix("AWS::::Account:") {
            Some(rest) => rest.split_once('/').map(|(_, region)| region.to_owned()),
            None => Some(json_content(&result.resource)),
        };
        let offset =
            needle.and_then(|n| index.keys.get(n.as_str()).or_else(|| index.mentions.get(n.as_str())).copied()).unwrap_or(index.start);
        result.snapshot_line = Some(line_of(offset));
    }
}

/// The string as it appears between quotes in JSON.
fn json_content(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1)].to_owned()
}

/// `(account id, start, end)` of each account's part of the text, in order.
/// Only the first `"account_id"` per id counts (errors repeat them later).
fn account_starts(text: &str) -> Vec<(String, usize, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (at, _) in text.match_indices("\"account_id\"") {
        let rest = text[at + 12..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else { continue };
        let rest = rest.trim_start();
        let Some(value) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) else { continue };
        if seen.insert(value) {
            found.push((value.to_owned(), at));
        }
    }
    let mut sorted = found.clone();
    sorted.sort_by_key(|(_, at)| *at);
    sorted.iter().enumerate().map(|(i, (id, at))| (id.clone(), *at, sorted.get(i + 1).map_or(text.len(), |(_, next)| *next))).collect()
}

fn index_range(text: &str, start: usize, end: usize) -> AccountIndex<'_> {
    let mut index = AccountIndex { start, ..AccountIndex::default() };
    let bytes = text.as_bytes();
    let mut i = start;
    while i < end {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let open = i + 1;
        let mut j = open;
        while j < end && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        if j >= end {
            break;
        }
        let literal = &text[open..j];
        index.mentions.entry(literal).or_insert(i);
        let mut k = j + 1;
        while k < end && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        if k < end && bytes[k] == b':' {
            index.keys.entry(literal).or_insert(i);
        }
        i = j + 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Severity, Status};

    fn result(account: &str, resource: &str) -> RuleResult {
        RuleResult {
            rule_id: "CT-001".into(),
            status: Status::Pass,
            severity: Severity::Low,
            account: account.into(),
            region: None,
            resource: resource.into(),
            message: String::new(),
            evidence: serde_json::json!({}),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        }
    }

    /// Results of several accounts in any order (one index built at a time)
    /// each get the line of their own account's record, mention or account.
    #[test]
    fn interleaved_accounts_each_get_their_own_lines() {
        let text = "{\"accounts\": [\n{\"account_id\": \"111\",\n \"trails\": {\"arn:t\": {\n \"name\": \"t\"}}},\n{\"account_id\": \"222\",\n \"trails\": {\"arn:t\": {}},\n \"note\": \"arn:u\"}\n]}\n";
        let mut results = vec![
            result("222", "arn:t"),
            result("111", "arn:t"),
            result("222", "arn:u"),
            result("111", "arn:u"),
            result("333", "arn:t"),
            result("111", "AWS::::Account:111"),
        ];
        attach_lines(text, &mut results);
        let lines: Vec<Option<usize>> = results.iter().map(|r| r.snapshot_line).collect();
        // 222's trail key on line 6, 111's on line 3; arn:u is mentioned in 222 only
        // (line 7), so 111 falls back to its account's line (2); 333 is not in the text.
        assert_eq!(lines, [Some(6), Some(3), Some(7), Some(2), None, Some(2)]);
    }
}
