//! Measuring Claude's tokens against cl100k from a user's own transcripts.
//!
//! Each request's usage is exact. When the only thing that entered the
//! main conversation between two consecutive requests is one tool result,
//! the second request's context exceeds the first's by that result, the
//! first response (its output tokens) and a little framing. So
//! `(context₂ − context₁ − output₁) / cl100k(result as shown)` estimates
//! Claude's tokens per cl100k token on that text. Pairs are dropped when
//! anything else came in between (a prompt, an attachment, a compaction,
//! several results), when the first response held thinking, when the two
//! requests were answered by different models, when the result is under
//! 2,000 cl100k tokens (framing would weigh too much), and when the ratio
//! is implausible. The framing and any reminder Claude Code adds stay in
//! the delta, so the figure leans high; the low quartile is the safer one.
//! A response whose output was recorded as its first streamed chunk makes
//! a pair lean high as well.

/// Tool results smaller than this many cl100k tokens make no pair.
pub(crate) const MIN_RESULT_TOKENS: u64 = 2_000;

/// Ratios outside this range are not a tokenizer's: something else came in.
const PLAUSIBLE: std::ops::RangeInclusive<f64> = 0.7..=2.5;

/// One measured pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    /// The second request's key (a pair copied into a resumed session's
    /// file counts once).
    pub(crate) key: u64,
    /// The model that answered both requests.
    pub(crate) model: String,
    /// Claude tokens per cl100k token.
    pub(crate) ratio: f64,
}

/// The request before, as pairing needs it.
#[derive(Debug, Clone)]
struct Before {
    key: u64,
    context: u64,
    output: u64,
    model: Option<String>,
    thinking: bool,
}

/// Pairing state of one session's main conversation.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    before: Option<Before>,
    /// cl100k tokens of each tool result since `before` (0 when too small
    /// to measure).
    results: Vec<u64>,
    /// Something other than tool results entered the context.
    dirty: bool,
}

impl Pairing {
    /// A line of a main-conversation response. Returns a sample when this
    /// line starts a request that closes a clean pair.
    pub(crate) fn response(
        &mut self,
        key: u64,
        context: u64,
        output: u64,
        model: Option<&str>,
        thinking: bool,
    ) -> Option<Sample> {
        if let Some(before) = self.before.as_mut()
            && before.key == key
        {
            // A further line of the same response.
            before.output = output;
            before.thinking |= thinking;
            return None;
        }
        let sample = self.before.take().and_then(|before| {
            let clean = !self.dirty
                && !before.thinking
                && self.results.len() == 1
                && self.results[0] >= MIN_RESULT_TOKENS
                && before.model.as_deref() == model;
            if !clean {
                return None;
            }
            let grown = context
                .checked_sub(before.context)?
                .checked_sub(before.output)?;
            let ratio = grown as f64 / self.results[0] as f64;
            PLAUSIBLE.contains(&ratio).then(|| Sample {
                key,
                model: model.unwrap_or("(unknown)").to_string(),
                ratio,
            })
        });
        self.before = Some(Before {
            key,
            context,
            output,
            model: model.map(str::to_string),
            thinking,
        });
        self.results.clear();
        self.dirty = false;
        sample
    }

    /// A tool result entered the conversation, of `tokens` cl100k tokens
    /// (0 when not measured).
    pub(crate) fn result(&mut self, tokens: u64) {
        self.results.push(tokens);
    }

    /// Something else entered the conversation (a prompt, an attachment).
    pub(crate) fn other(&mut self) {
        self.dirty = true;
    }
}

/// The ratio measured for one model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Calibration {
    /// As the API names it.
    pub(crate) model: String,
    /// The median ratio.
    pub(crate) factor: f64,
    /// The low quartile (the safer figure: the method leans high).
    pub(crate) p25: f64,
    /// The high quartile.
    pub(crate) p75: f64,
    /// Pairs measured.
    pub(crate) pairs: usize,
}

/// Fewer pairs than this give no factor worth writing.
pub(crate) const MIN_PAIRS: usize = 5;

/// Per model, most pairs first.
pub(crate) fn calibrate(samples: &[Sample]) -> Vec<Calibration> {
    let mut by_model: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for sample in samples {
        by_model
            .entry(&sample.model)
            .or_default()
            .push(sample.ratio);
    }
    let mut out: Vec<Calibration> = by_model
        .into_iter()
        .map(|(model, mut ratios)| {
            ratios.sort_by(f64::total_cmp);
            Calibration {
                model: model.to_string(),
                factor: quantile(&ratios, 0.5),
                p25: quantile(&ratios, 0.25),
                p75: quantile(&ratios, 0.75),
                pairs: ratios.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.pairs.cmp(&a.pairs).then_with(|| a.model.cmp(&b.model)));
    out
}

/// The `q` quantile of sorted values, linearly interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let at = q * (n - 1) as f64;
            let low = at.floor() as usize;
            let high = at.ceil() as usize;
            sorted[low] + (sorted[high] - sorted[low]) * (at - low as f64)
        }
    }
}

/// A model id as its family: `claude-opus-4-6-20260205` -> `claude-opus-4-6`
/// (a trailing date is dropped).
pub(crate) fn family(model: &str) -> &str {
    match model.rsplit_once('-') {
        Some((head, date)) if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => model,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_pair_gives_the_ratio_and_anything_else_spoils_it() {
        let mut pairing = Pairing::default();
        assert!(pairing.response(1, 10_000, 50, Some("m"), false).is_none());
        pairing.result(4_000);
        let sample = pairing
            .response(2, 10_000 + 50 + 4_600, 80, Some("m"), false)
            .expect("a clean pair");
        assert!((sample.ratio - 1.15).abs() < 1e-9);
        // A prompt in between.
        pairing.result(4_000);
        pairing.other();
        assert!(pairing.response(3, 20_000, 10, Some("m"), false).is_none());
        // Two results.
        pairing.result(4_000);
        pairing.result(4_000);
        assert!(pairing.response(4, 30_000, 10, Some("m"), false).is_none());
        // Thinking in the response before.
        assert!(pairing.response(4, 30_000, 900, Some("m"), true).is_none());
        pairing.result(4_000);
        assert!(pairing.response(5, 35_500, 10, Some("m"), false).is_none());
        // Another model; a small result; an implausible jump.
        pairing.result(4_000);
        assert!(pairing.response(6, 40_000, 10, Some("n"), false).is_none());
        pairing.result(1_000);
        assert!(pairing.response(7, 41_200, 10, Some("n"), false).is_none());
        pairing.result(4_000);
        assert!(pairing.response(8, 90_000, 10, Some("n"), false).is_none());
    }

    #[test]
    fn quartiles_and_families() {
        let samples: Vec<Sample> = [1.0, 1.1, 1.2, 1.3, 1.4]
            .iter()
            .enumerate()
            .map(|(i, &ratio)| Sample {
                key: i as u64,
                model: "claude-opus-4-6".into(),
                ratio,
            })
            .collect();
        let found = calibrate(&samples);
        assert_eq!(found.len(), 1);
        assert!((found[0].factor - 1.2).abs() < 1e-9);
        assert!((found[0].p25 - 1.1).abs() < 1e-9);
        assert!((found[0].p75 - 1.3).abs() < 1e-9);
        assert_eq!(family("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
        assert_eq!(family("claude-opus-4-6"), "claude-opus-4-6");
    }
}
