//! Seeds a moto server with the collector's test scenarios, for
//! `bench/collect.sh`. The scenarios are the integration tests' own
//! (`tests/support/seed.rs`, included here rather than copied), so the
//! benchmark collects exactly what the tests assert on.
//!
//! `cargo run --example seed -- --endpoint http://127.0.0.1:PORT compliant us-east-1 main`
//! prints the ARN of the trail it created;
//! `... --endpoint URL organization MEMBERS` seeds the organization of
//! `tests/support/organization.rs` with MEMBERS plain members (bench/org.sh)
//! and prints its id and account count. Credentials come from the
//! environment like any SDK client (moto accepts any static keys).

#[allow(dead_code)]
#[path = "../tests/support/seed.rs"]
mod seed;

#[allow(dead_code)]
#[path = "../tests/support/organization.rs"]
mod organization;

use std::process::ExitCode;

const USAGE: &str = "usage: seed --endpoint URL (compliant|noncompliant) REGION NAME | seed --endpoint URL organization MEMBERS";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, endpoint, scenario, members] = args.as_slice()
        && flag == "--endpoint"
        && scenario == "organization"
    {
        let Ok(members) = members.parse::<usize>() else {
            eprintln!("MEMBERS must be a number; {USAGE}");
            return ExitCode::from(2);
        };
        let seeder = seed::Seeder::new(endpoint).await;
        let org = organization::seed(&seeder, members).await;
        println!("{} {}", org.id, org.accounts.len());
        return ExitCode::SUCCESS;
    }
    let [flag, endpoint, scenario, region, name] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if flag != "--endpoint" {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let seeder = seed::Seeder::new(endpoint).await;
    let arn = match scenario.as_str() {
        "compliant" => seeder.compliant(region, name).await,
        "noncompliant" => seeder.non_compliant(region, name).await,
        other => {
            eprintln!("unknown scenario `{other}`; {USAGE}");
            return ExitCode::from(2);
        }
    };
    println!("{arn}");
    ExitCode::SUCCESS
}
