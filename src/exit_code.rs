//! The process exit codes, decided in one place. Only `main.rs` exits.

/// What a run of ctxbudget ended with, as scripts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// The run finished and nothing asked for a failure.
    Ok,
    /// The run finished and found what the user asked to fail on
    /// (a `--fail-on` flag, a budget overrun, a stale block).
    Findings,
    /// The run could not do its job: bad path, bad config, bad arguments.
    Failure,
}

impl ExitCode {
    /// The numeric code handed to the operating system.
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Ok => 0,
            ExitCode::Findings => 1,
            ExitCode::Failure => 2,
        }
    }
}
