//! The fault-injection proxy of the tests (tests/support/fault_proxy.rs,
//! included rather than copied) as a program, for `bench/faults.sh`.
//!
//! `fault_proxy UPSTREAM_PORT SCENARIO` listens on a free port of 127.0.0.1,
//! prints its URL on the first line of stdout and forwards to moto on
//! 127.0.0.1:UPSTREAM_PORT until it is killed. Scenarios (each also answers
//! moto's missing LookupEvents / ListEventDataStores as an empty account):
//! - `clean`: no faults;
//! - `sts-throttle-2`: the first two sts:GetCallerIdentity are throttled;
//! - `first-of-each`: the first request of every operation is throttled, in its protocol's shape.

#[allow(dead_code)]
#[path = "../tests/support/fault_proxy.rs"]
mod fault_proxy;

use std::io::Write;
use std::process::ExitCode;

use fault_proxy::{Fault, FaultProxy, Rule, Times, moto_gaps};

const USAGE: &str = "usage: fault_proxy UPSTREAM_PORT (clean|sts-throttle-2|first-of-each)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [port, scenario] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("UPSTREAM_PORT must be a port number; {USAGE}");
        return ExitCode::from(2);
    };
    let faults = match scenario.as_str() {
        "clean" => vec![],
        "sts-throttle-2" => vec![Rule::new("sts", "GetCallerIdentity", Fault::Throttle, Times::First(2))],
        "first-of-each" => vec![Rule::everywhere(Fault::Throttle, Times::FirstOfEach(1))],
        other => {
            eprintln!("unknown scenario `{other}`; {USAGE}");
            return ExitCode::from(2);
        }
    };
    let proxy = FaultProxy::start(port, faults.into_iter().chain(moto_gaps()).collect());
    println!("{}", proxy.url);
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
