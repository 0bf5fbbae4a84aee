//! Repository text made inert for CLAUDE.md: whatever it holds, a line
//! built from it has no import, no line break and no control character.
#![no_main]

use ctxbudget::memory::markdown::{code_span, imports, inert_prose, loaded_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line = format!("- {} {} @real", code_span(&text), inert_prose(&text));
    assert!(!line.chars().any(char::is_control), "{line:?}");
    let found = imports(&loaded_lines(&line));
    let targets: Vec<&str> = found.iter().map(|i| i.target.as_str()).collect();
    assert_eq!(targets, ["real"], "{line:?}");
});
