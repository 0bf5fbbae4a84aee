//! Advice planned from figures: which paths a session should be denied,
//! and which symbols to reference instead of whole files. Pure: no I/O, no
//! printing.

pub(crate) mod choose;
pub(crate) mod claude_md;
pub(crate) mod deny;
pub(crate) mod outline;
pub(crate) mod paths;
pub(crate) mod project;
pub(crate) mod refs;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod words;
