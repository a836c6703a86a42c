//! Command-line arguments (clap derive). Only the shape of the command line
//! lives here; `commands/` turns it into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::{FailOn, Severity};

/// Audit how AWS CloudTrail is set up, as policy-as-code.
///
/// Exit codes: 0 nothing failing at or above --fail-on and no errors; 1 failing
/// results; 2 bad usage or bad input; 3 error results (incomplete collection or
/// a broken rule) and nothing failing.
#[derive(Debug, Parser)]
#[command(name = "trailaudit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress, no warnings and no notes on stderr (errors still print).
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// No ANSI colour in the text report, like NO_COLOR=1.
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
// One value per process, parsed once: boxing the audit's arguments would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Audit a recorded snapshot (--snapshot) or, without it, the live AWS account.
    Audit(AuditArgs),
    /// Collect a snapshot of the live AWS account(s) into a file.
    Collect(CollectArgs),
    /// List the rules of the pack (the catalogue, generated from METADATA), or print one in full.
    Rules(RulesArgs),
    /// List the compliance frameworks, their controls and the rules mapped to each.
    Frameworks(FrameworksArgs),
    /// Run the `test_*` rules of the built-in pack or of policy directories, like `opa test`
    /// (failures and a summary; -v lists every test).
    Test(TestArgs),
    /// Print the JSON Schema of snapshot v1.
    Schema,
    /// Compare two snapshots and report drift that weakens logging or monitoring.
    Diff(DiffArgs),
    /// Join snapshots (the shards of an organization, or accounts collected apart) into one.
    Merge(MergeArgs),
    /// Print the least-privilege IAM policy the collector needs (JSON).
    Permissions(PermissionsArgs),
    /// Print a shell completion script: `trailaudit completions bash > /etc/bash_completion.d/trailaudit`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `trailaudit man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// The policy of an organization audit account: discovery, and sts:AssumeRole into this
    /// member role in every account (each member role needs the policy printed without it).
    #[arg(long, value_name = "NAME")]
    pub member_role: Option<String>,
    /// AWS partition of the role ARNs.
    #[arg(long, default_value = "aws", value_name = "PARTITION")]
    pub partition: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
    Markdown,
    /// JUnit XML (one test suite per rule, one test case per subject).
    Junit,
    /// OCSF 1.5.0 Detection Findings (class 2004), a JSON array as Prowler writes it.
    Ocsf,
    /// AWS Security Finding Format: the `Findings` array of securityhub:BatchImportFindings.
    Asff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegoEngine {
    Vm,
    Interpreter,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Add the rules in DIR (repeatable); written like the built-in pack.
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Snapshot file to audit offline; without it, collect from AWS first.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Configuration file (default: ./trailaudit.yaml if it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Format of the main report.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the main report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a SARIF 2.1.0 report to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Also write a JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a Markdown report to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Keep the Markdown report under BYTES: rows of findings beyond it are
    /// counted, not listed (the summary tables always stay). GitHub refuses a
    /// job summary over 1 MiB; the GitHub Action passes 1000000.
    #[arg(long, value_name = "BYTES")]
    pub markdown_max_bytes: Option<usize>,
    /// Also write a JUnit XML report to FILE (GitLab, Jenkins).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write OCSF Detection Findings (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub ocsf: Option<PathBuf>,
    /// Also write AWS Security Finding Format findings (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub asff: Option<PathBuf>,
    /// Compare with an earlier JSON report: results are marked new or unchanged,
    /// and baseline failures that pass now are listed as fixed.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Exit 1 only for failing results that are new since --baseline (errors still exit 3).
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Lowest severity of a failing result that makes the exit code 1 (critical, high, medium,
    /// low, info), or `none`: report, never fail on findings (errors still exit 3) [default: low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// List every passing result in the text and Markdown reports (without it they are counted).
    #[arg(long)]
    pub show_passes: bool,
    /// Where a live audit keeps the snapshot it collected (SARIF points into it)
    /// [default: trailaudit-snapshot.json beside the first report file, or in the current directory].
    #[arg(long, value_name = "FILE")]
    pub save_snapshot: Option<PathBuf>,
    /// Only the rules serving this framework (`cis-aws-v5.0`, `cis-aws-v4.0`, `cis-aws-v3.0`,
    /// `aws-securityhub`, `mitre-attack`), with a per-control summary in the report.
    #[arg(long, value_name = "KEY")]
    pub framework: Option<String>,
    /// Only these rules: ids or globs (`CT-006`, `MON-*`), comma-separated or repeated.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Never these rules: ids or globs, comma-separated or repeated.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// Only rules of this severity or higher (critical, high, medium, low, info).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
    /// Stop a rule whose evaluation on one account runs longer than SECONDS: its results
    /// for that account become `error` (exit 3), the rest of the report is complete.
    #[arg(long, value_name = "SECONDS", default_value = "20", value_parser = parse_timeout)]
    pub rule_timeout: std::time::Duration,
    /// Stop a rule whose evaluation needs more than MIB mebibytes of memory (beyond the
    /// loaded snapshot and pack): its results become `error` (exit 3), the rest of the
    /// report is complete.
    #[arg(long, value_name = "MIB", default_value = "1024", value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub rule_memory_mib: u64,
    /// Refuse a --snapshot file larger than MIB mebibytes [default: 1024, or
    /// TRAILAUDIT_MAX_SNAPSHOT_MIB].
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_snapshot_mib: Option<u64>,
    /// Print how long parsing, policy loading, evaluation and reporting took (stderr).
    #[arg(long)]
    pub timings: bool,
    /// Rego engine, for benchmarks only. `vm` (regorus bytecode) is about 3x faster but
    /// reads an error inside a rule body as "undefined" and misses the built-in event
    /// detections (EVT-*) and CFG-001/CFG-003 passes; audits use the interpreter.
    #[arg(long, value_enum, default_value_t = RegoEngine::Interpreter, hide = true)]
    pub engine: RegoEngine,
    #[command(flatten)]
    pub live: LiveArgs,
}

/// Options of live collection, shared by `collect` and live `audit`.
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// AWS profile (default: the standard credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Comma-separated regions (default: config `collect.regions`, else the account's enabled
    /// regions from account:ListRegions; pinning them avoids that call and its permission).
    #[arg(long, visible_alias = "region", value_delimiter = ',')]
    pub regions: Option<Vec<String>>,
    /// Send every AWS call to URL (emulators, tests): http:// or https:// with a host;
    /// AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL", value_parser = EndpointUrl)]
    pub endpoint_url: Option<String>,
    /// Also collect the account behind this role (sts:AssumeRole; repeatable).
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,
    /// Most AWS calls in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Days of event history to read with LookupEvents (1-90) [default: 7].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=90))]
    pub event_history_days: Option<u32>,
    /// Most events kept per account [default: 10000].
    #[arg(long)]
    pub max_events: Option<u32>,
    /// Timeout of one attempt of an AWS call, in seconds (1-3600). A throttled or failed
    /// attempt is retried (5 attempts, backoff up to 1, 2, 4, 8 s) and each retry gets its
    /// own timeout; waiting for a free slot or for the account's pacing is not counted.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub call_timeout: u64,
    /// Print API calls per service, retries and wall time (stderr).
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub organization: OrganizationArgs,
}

/// Organization-wide collection: discover the accounts with AWS Organizations.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Organization")]
pub struct OrganizationArgs {
    /// Discover the accounts of the AWS Organization (run from the management account or a
    /// delegated administrator) and collect every active one through --member-role.
    #[arg(long, requires = "member_role")]
    pub organization: bool,
    /// Role to assume in each member account: arn:PARTITION:iam::ACCOUNT:role/NAME.
    #[arg(long, value_name = "NAME", requires = "organization")]
    pub member_role: Option<String>,
    /// External id the member role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "organization")]
    pub external_id: Option<String>,
    /// Only accounts under this organizational unit (ou-... or the root r-...), at any depth; repeatable.
    #[arg(long = "ou", value_name = "OU_ID", requires = "organization")]
    pub ous: Vec<String>,
    /// Only these accounts: comma-separated ids or globs (1111*). The calling account is always included.
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "organization")]
    pub accounts: Vec<String>,
    /// Never these accounts: comma-separated ids or globs.
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "organization")]
    pub exclude_accounts: Vec<String>,
    /// Collect share K of N of the selected accounts (by account id), e.g. 2/3; `trailaudit merge` joins the shares.
    #[arg(long, value_name = "K/N", requires = "organization")]
    pub shard: Option<crate::collect::Shard>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Snapshot file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Configuration file (default: ./trailaudit.yaml if it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogueFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print this rule in full (title, severity, description, frameworks, requires, remediation).
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
    pub format: CatalogueFormat,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct FrameworksArgs {
    /// Only this framework (`cis-aws-v5.0`, `aws-securityhub`, ...).
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
    /// `text` or `json` (`markdown` prints the text).
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
    pub format: CatalogueFormat,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy directories whose tests to run (default: the built-in pack).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// List every test with its output, not only the failing ones.
    #[arg(long, short)]
    pub verbose: bool,
    /// Stop a test running longer than SECONDS; it is reported as ERROR.
    #[arg(long, value_name = "SECONDS", default_value = "20", value_parser = parse_timeout)]
    pub rule_timeout: std::time::Duration,
}

/// Exit codes of `diff`: 0 no drift; 1 drift; 2 bad input; 3 no drift, but
/// something could not be compared (a failed call, a region not collected).
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later snapshot.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Exit codes of `merge`: 0 merged (warnings on stderr); 2 bad input or parts
/// that cannot be joined (different organizations, schema versions or settings,
/// an account that differs between parts, collection times too far apart).
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The snapshots to join; the first is the one the others are compared with.
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    /// The merged snapshot to write (atomically; it may be one of the inputs).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Most minutes between the parts' `collected_at` (the merge keeps the earliest,
    /// which delivery ages are measured from).
    #[arg(long, value_name = "MINUTES", default_value_t = crate::snapshot::merge::DEFAULT_MAX_SKEW_MINUTES)]
    pub max_skew_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// `--endpoint-url`: checked here so that a typo fails before any work. A
/// parser of its own because clap's message for a rejected value quotes the
/// value, and a URL may carry a password.
#[derive(Clone)]
struct EndpointUrl;

impl clap::builder::TypedValueParser for EndpointUrl {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, _: Option<&clap::Arg>, value: &std::ffi::OsStr) -> Result<String, clap::Error> {
        let invalid = |why: String| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("invalid value for '--endpoint-url <URL>': {why}\n"))
                .with_cmd(cmd)
        };
        let s = value.to_str().ok_or_else(|| invalid("not UTF-8".to_owned()))?;
        crate::collect::check_endpoint_url(s).map_err(invalid)?;
        Ok(s.to_owned())
    }
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

/// A positive number of seconds, fractions allowed (`0.5`), at most a day.
fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!("`{s}` is not a number of seconds between 0 (excluded) and 86400")),
    }
}
