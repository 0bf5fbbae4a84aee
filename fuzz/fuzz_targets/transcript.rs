//! A Claude Code transcript: any bytes are read without a panic, and
//! every line is either a record or counted as skipped.
#![no_main]

use std::sync::LazyLock;

use ctxbudget::sessions::{Filter, reader};
use ctxbudget::tokenize::{Tokenizer, TokenizerKind};
use libfuzzer_sys::fuzz_target;

static TOKENIZER: LazyLock<Tokenizer> =
    LazyLock::new(|| Tokenizer::new(TokenizerKind::Cl100k, 1.0));

fuzz_target!(|data: &[u8]| {
    let filter = Filter::new(std::path::Path::new("/p"), None, Vec::new(), 5_000);
    let count = |text: &str, first: u64| match first {
        reader::AS_SHOWN => TOKENIZER.count(text),
        _ => TOKENIZER.count_as_read_from(text, first),
    };
    let _ = reader::read(data, Some("fuzz"), &filter, &TOKENIZER, &count);
});
