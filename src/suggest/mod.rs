//! Advice planned from figures: which paths a session should be denied,
//! and which symbols to reference instead of whole files. Pure: no I/O, no
//! printing.

pub mod choose;
pub mod claude_md;
pub mod deny;
pub mod paths;
pub mod project;
pub mod refs;
pub mod sessions;
pub mod words;
