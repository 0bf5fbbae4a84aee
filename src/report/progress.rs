//! The progress bar on stderr: shown only when stderr is a terminal and the
//! work has run for a while, so quick runs and pipes never see it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan runs before the bar appears.
const DELAY: Duration = Duration::from_millis(400);

/// Counts files and bytes as workers finish them. Cheap to call from many
/// threads; draws nothing unless enabled and slow.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// A progress counter; `wanted` false (or stderr not a terminal) keeps it silent.
    pub(crate) fn new(wanted: bool) -> Progress {
        Progress::labelled(wanted, "scanning")
    }

    /// [`Progress::new`] saying `label` instead of "scanning".
    pub(crate) fn labelled(wanted: bool, label: &str) -> Progress {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let template = format!("{{spinner}} {label}: {{pos}} files, {{msg}} [{{elapsed}}]");
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// One more file done, of `bytes` bytes (running total in `total_bytes`).
    pub(crate) fn file_done(&self, total_bytes: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
            bar.enable_steady_tick(Duration::from_millis(100));
        }
        bar.inc(1);
        bar.set_message(crate::units::human_bytes(total_bytes));
    }

    /// Removes the bar, leaving stderr as it was.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
