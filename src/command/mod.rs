//! One orchestrator per subcommand: the only code that calls several
//! stages. Each takes a finished configuration and writers.

pub mod cache;
pub mod check;
pub mod refs;
pub mod scan;
