//! The one integration-test binary: drives the real `ctxbudget` CLI on
//! fixture repositories built in temporary directories.

mod util;

mod cache;
mod check;
mod claude_md;
mod cli_misc;
mod hook;
mod hostile;
mod init;
mod layout;
mod mcp;
mod refs;
mod refs_store;
mod scan_bad_input;
mod scan_counts;
mod scan_output;
mod scan_walk;
mod sessions;
mod snapshots;
mod symbols;
