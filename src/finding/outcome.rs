//! The process exit codes: one type every command returns and every report
//! that prints or records an exit code reads, converted to a number in one
//! place ([`Outcome::code`]).

use serde::{Serialize, Serializer};

/// Documented process exit codes (`trailaudit --help`, README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing failing at or above `--fail-on`, no errors (diff: no drift; test: every test passed).
    Clean = 0,
    /// 1: at least one failing result at or above `--fail-on` (diff: drift; test: a test failed).
    Failed = 1,
    /// 2: bad usage or bad input (not produced by an audit).
    BadInput = 2,
    /// 3: error results (incomplete collection or a broken rule), nothing failing
    /// (collect: the snapshot has gaps; diff: something could not be compared).
    Incomplete = 3,
}

impl Outcome {
    /// The number the process exits with: the one conversion of an outcome to a number.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl From<Outcome> for std::process::ExitCode {
    fn from(outcome: Outcome) -> Self {
        std::process::ExitCode::from(outcome.code())
    }
}

/// Reports record the exit code as its number (`"exit_code": 1`).
impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn codes_are_the_documented_ones_and_serialize_as_numbers() {
        let all = [Outcome::Clean, Outcome::Failed, Outcome::BadInput, Outcome::Incomplete];
        assert_eq!(all.map(Outcome::code), [0, 1, 2, 3]);
        assert_eq!(serde_json::to_string(&all).unwrap(), "[0,1,2,3]");
    }
}
