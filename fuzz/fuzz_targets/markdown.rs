//! A memory file as Claude Code reads it: comments, fences, imports,
//! sections and rule front matter never panic on any text.
#![no_main]

use ctxbudget::memory::markdown;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = markdown::loaded_lines(&text);
    let imports = markdown::imports(&lines);
    for import in &imports {
        assert!(!import.target.is_empty());
        assert!(import.line as usize <= text.split_inclusive('\n').count().max(1));
    }
    let _ = markdown::sections(&lines);
    let _ = markdown::front_matter_paths(&text);
});
