//! Synthetic snapshot generator for the benchmark (`bench/run.sh`).
//!
//! Writes a snapshot of N accounts × 17 regions × 3 trails per account, built
//! from the library's own model types so the output is always a valid
//! snapshot v1. Account 0 is the organization's management account and owns
//! an organization trail (multi-region, basic selectors with S3 data events);
//! every account sees that trail in every region, and owns a multi-region
//! trail with advanced selectors and a single-region application trail.
//! Posture varies per account from a seeded generator, so rules meet passing
//! and failing subjects alike, and the same seed always gives the same bytes.
//!
//! With `--shard K/N` it writes only the K-th of N shares of those accounts
//! (the i-th account in share i % N + 1), with the organization scope an
//! organization-wide `collect --shard K/N` records: the shards of one seed
//! merge (`trailaudit merge`) into the whole snapshot, which the merge
//! benchmark (`bench/merge.sh`) uses.
//!
//! Usage: `cargo run --release --example synth -- --accounts N --out FILE [--seed S] [--shard K/N]`

#[path = "synth/account.rs"]
mod account;
#[path = "synth/parts.rs"]
mod parts;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use trailaudit::snapshot::{CollectionSettings, Metadata, OrganizationScope, SCHEMA_VERSION, Shards, Snapshot, ToolInfo, write_file};

/// The 17 regions enabled by default in the `aws` partition (no opt-in regions).
pub const REGIONS: [&str; 17] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// splitmix64: tiny, fast, and good enough to vary posture; no crate needed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A UUID-shaped string (key ids, event ids, subscription ids).
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

struct Args {
    accounts: u32,
    out: PathBuf,
    seed: u64,
    shard: Option<(u32, u32)>,
}

fn parse_shard(value: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--shard: `{value}` is not K/N with 1 <= K <= N");
    let (k, n) = value.split_once('/').ok_or_else(bad)?;
    let (k, n) = (k.parse::<u32>().map_err(|_| bad())?, n.parse::<u32>().map_err(|_| bad())?);
    if k == 0 || k > n { Err(bad()) } else { Ok((k, n)) }
}

fn parse_args() -> Result<Args, String> {
    let mut accounts = None;
    let mut out = None;
    let mut seed = 0x7261_696c_6175_6469; // "railaudi"
    let mut shard = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--accounts" => accounts = Some(value()?.parse::<u32>().map_err(|e| format!("--accounts: {e}"))?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse::<u64>().map_err(|e| format!("--seed: {e}"))?,
            "--shard" => shard = Some(parse_shard(&value()?)?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let accounts = accounts.filter(|n| *n > 0).ok_or("--accounts N (N ≥ 1) is required")?;
    let out = out.ok_or("--out FILE is required")?;
    Ok(Args { accounts, out, seed, shard })
}

/// The snapshot for `accounts` accounts; a pure function of its arguments.
pub fn generate(accounts: u32, seed: u64) -> Snapshot {
    generate_share(accounts, seed, None)
}

/// Share `shard` = (K, N) of [`generate`]'s accounts, with its organization
/// scope; every account is built (the generator is sequential), only the
/// share is kept.
pub fn generate_share(accounts: u32, seed: u64, shard: Option<(u32, u32)>) -> Snapshot {
    let collected_at: DateTime<Utc> = "2026-11-20T09:00:00Z".parse().expect("a valid timestamp");
    let mut rng = Rng::new(seed);
    let ids: Vec<String> = (0..accounts).map(|i| format!("{:012}", 100_000_000_000u64 + u64::from(i) * 1_013)).collect();
    let management = ids[0].clone();
    let kept = |i: usize| shard.is_none_or(|(k, n)| i as u32 % n == k - 1);
    let accounts = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let account = account::build(id, &management, collected_at, &mut rng);
            kept(i).then_some(account)
        })
        .collect();
    let organization = shard.map(|(k, n)| OrganizationScope {
        id: account::ORG_ID.into(),
        management_account_id: management.clone(),
        discovered_from: management.clone(),
        delegated_administrators: Vec::new(),
        selected_accounts: ids.clone(),
        skipped_accounts: Vec::new(),
        shards: Some(Shards { count: n, indices: vec![k] }),
    });
    Snapshot {
        schema_version: SCHEMA_VERSION,
        metadata: Metadata {
            tool: ToolInfo { name: "trailaudit".into(), version: env!("CARGO_PKG_VERSION").into() },
            collected_at,
            partition: "aws".into(),
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
            settings: CollectionSettings { event_history_days: 90, event_history_max_events: 1000 },
        },
        organization,
        accounts,
        errors: Vec::new(),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("synth: {message}\nusage: synth --accounts N --out FILE [--seed S] [--shard K/N]");
            return ExitCode::from(2);
        }
    };
    let snapshot = generate_share(args.accounts, args.seed, args.shard);
    if let Err(e) = write_file(&snapshot, &args.out) {
        eprintln!("synth: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn output_parses_and_has_the_requested_shape() {
        let snapshot = generate(3, 42);
        let text = serde_json::to_string_pretty(&snapshot).unwrap();
        let parsed = trailaudit::snapshot::parse_str(&text, Path::new("synth.json")).unwrap();
        assert_eq!(parsed, snapshot);
        assert_eq!(parsed.accounts.len(), 3);
        for account in &parsed.accounts {
            assert_eq!(account.regions.len(), 17);
            assert_eq!(account.trails.len(), 3, "{}", account.account_id);
            for trail in account.trails.values() {
                let listed = account.regions.values().filter(|r| r.trail_arns.contains(&trail.arn)).count();
                assert_eq!(listed, if trail.is_multi_region_trail { 17 } else { 1 }, "{}", trail.arn);
            }
            assert!(account.regions.values().all(|r| r.config_recorders.len() == 1));
        }
    }

    #[test]
    fn shares_partition_the_accounts_under_one_scope() {
        let whole = generate(5, 9);
        let shares: Vec<Snapshot> = (1..=2).map(|k| generate_share(5, 9, Some((k, 2)))).collect();
        let mut ids: Vec<&str> = shares.iter().flat_map(|s| s.accounts.iter().map(|a| a.account_id.as_str())).collect();
        ids.sort_unstable();
        assert_eq!(ids, whole.accounts.iter().map(|a| a.account_id.as_str()).collect::<Vec<_>>());
        assert_eq!(shares[1].accounts[0], whole.accounts[1], "the same account, whichever share holds it");
        let scope = shares[0].organization.as_ref().unwrap();
        assert_eq!((scope.selected_accounts.len(), scope.shards.clone().unwrap().indices), (5, vec![1]));
        assert!(parse_shard("0/2").is_err() && parse_shard("3/2").is_err() && parse_shard("2").is_err());
    }

    #[test]
    fn same_seed_same_snapshot_other_seed_other_snapshot() {
        assert_eq!(generate(4, 7), generate(4, 7));
        assert_ne!(generate(4, 7), generate(4, 8));
    }
}
