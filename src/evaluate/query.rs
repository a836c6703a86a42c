//! The query that evaluates several rules at once.

/// `[data.<a>.results,\n data.<b>.results, ...]`, one rule per line: regorus
/// refuses lines longer than 1,024 columns, and a one-line query over a pack of
/// two dozen rules passes that, which silently sent every account down the
/// slow rule-by-rule path (shared library rules recomputed for every rule).
pub(super) fn combined_query<'a>(packages: impl Iterator<Item = &'a str>) -> String {
    let refs: Vec<String> = packages.map(|p| format!("data.{p}.results")).collect();
    format!("[\n{}\n]", refs.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::combined_query;

    /// A pack far larger than one query line may hold still evaluates in one query.
    #[test]
    fn combined_query_of_a_large_pack_parses() {
        let packages: Vec<String> = (0..200).map(|i| format!("trailaudit.some_category.a_rather_long_rule_name_{i:03}")).collect();
        let mut engine = crate::pack::new_engine();
        for p in &packages {
            engine.add_policy(format!("{p}.rego"), format!("package {p}\n\nresults := {{\"n\": 1}}\n")).unwrap();
        }
        let query = combined_query(packages.iter().map(String::as_str));
        assert!(query.len() > 1024);
        let value = engine.eval_query(query, false).unwrap().result[0].expressions[0].value.clone();
        assert_eq!(value.as_array().unwrap().len(), 200);
    }
}
