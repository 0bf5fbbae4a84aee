//! Advice planned from figures: which paths a session should be denied,
//! and (later) which references to read instead. Pure: no I/O, no printing.

pub mod deny;
