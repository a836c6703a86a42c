//! Finds the line of a result's resource in the audited snapshot file, so
//! SARIF can point at it.

use super::result::RuleResult;

/// Sets `snapshot_line` on each result: the line of its resource's record (or
/// first mention) after its account's `"account_id"`.
pub fn attach_lines(text: &str, results: &mut [RuleResult]) {
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    let mut account_offsets: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for result in results.iter_mut() {
        let account_at = *account_offsets.entry(result.account.clone()).or_insert_with(|| {
            let quoted = serde_json::to_string(&result.account).unwrap_or_default();
            find_key_value(text, "account_id", &quoted).unwrap_or(0)
        });
        let offset = if let Some(rest) = result.resource.strip_prefix("AWS::::Account:") {
            match rest.split_once('/') {
                Some((_, region)) => {
                    let quoted = serde_json::to_string(region).unwrap_or_default();
                    text[account_at..].find(&format!("{quoted}:")).map(|i| account_at + i).or(Some(account_at))
                }
                None => Some(account_at),
            }
        } else {
            // Prefer the resource's own record (a map key, `"arn": {`) over a mention of it.
            let quoted = serde_json::to_string(&result.resource).unwrap_or_default();
            let key = format!("{quoted}:");
            let tail = &text[account_at..];
            tail.find(&key).or_else(|| tail.find(&quoted)).map(|i| account_at + i).or_else(|| text.find(&quoted))
        };
        result.snapshot_line = offset.map(line_of);
    }
}

fn find_key_value(text: &str, key: &str, quoted_value: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        let after = text[at + needle.len()..].trim_start().strip_prefix(':')?.trim_start();
        if after.starts_with(quoted_value) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}
