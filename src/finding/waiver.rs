//! Waivers as results carry them, and the warnings triage raises about them
//! (applied by [`crate::triage::waivers`]).

use serde::{Deserialize, Serialize};

use super::vocabulary::Status;

/// A waiver that turned a result into `waived`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    /// Who answers for the accepted risk (required in `trailaudit.yaml`).
    pub owner: String,
    /// `YYYY-MM-DD`, inclusive; `None` = does not expire.
    pub expires: Option<String>,
    /// The status the result had before the waiver.
    pub original_status: Status,
}

/// Something about the audit's configuration the reader should act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// One sentence, also printed on stderr.
    pub message: String,
    /// The waiver the warning is about, as configured.
    pub waiver: WaiverRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The waiver's `expires` date has passed; it no longer applies.
    WaiverExpired,
    /// The waiver matches no failing or error result of this audit.
    WaiverStale,
}

/// A waiver as written in `trailaudit.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRef {
    pub rule: String,
    pub resource: String,
    pub account: Option<String>,
    pub owner: String,
    pub expires: String,
}
