//! `refs`'s configuration: the input, the queries, how many and how to print.

use super::file::Loaded;
use crate::cli::Cli;
use crate::cli::refs::{RefsArgs, RefsFormat};
use crate::error::Error;
use crate::report::refs::RefsStyle;

use super::input::InputConfig;

/// Most queries one `refs` run takes.
const MAX_QUERIES: usize = 256;
/// Most words in one query.
pub(crate) const MAX_QUERY_WORDS: usize = 64;
/// Most bytes in one query.
pub(crate) const MAX_QUERY_BYTES: usize = 1024;

/// Everything `refs` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct RefsConfig {
    /// How to walk, count and parse the project (its one path is the root).
    pub(crate) input: InputConfig,
    /// The queries, as given.
    pub(crate) queries: Vec<String>,
    /// How to print.
    pub(crate) style: RefsStyle,
    /// Color the human output.
    pub(crate) color: bool,
    /// Columns human output must fit (`None`: piped, no limit).
    pub(crate) width: Option<usize>,
    /// Results per query (`None`: all).
    pub(crate) limit: Option<usize>,
    /// Candidates per query when choosing under a budget.
    pub(crate) pool: usize,
    /// The token budget for the chosen set.
    pub(crate) budget: Option<u64>,
}

/// References shown per query by default.
pub(crate) const DEFAULT_REFS_LIMIT: usize = 10;

/// Candidates per query that `--budget` chooses among.
pub(crate) const BUDGET_POOL: usize = 100;

/// Builds the `refs` configuration from the parsed command line.
pub(crate) fn build(cli: &Cli, args: &RefsArgs) -> Result<RefsConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.input.count.config.as_deref(), &paths)?;
    let mut input = super::input::build(&args.input, &paths, None, &loaded)?;
    // References need symbols, whatever the scan settings say.
    input.symbols = true;
    if args.budget == Some(0) {
        return Err(Error::Usage(
            "--budget must be a positive number of tokens".into(),
        ));
    }
    // Queries are bounded so a run is: each costs a pass over the index.
    if args.queries.len() > MAX_QUERIES {
        return Err(Error::Usage(format!(
            "{} queries: refs takes at most {MAX_QUERIES} at once\nhint: split them over several runs",
            args.queries.len()
        )));
    }
    if let Some(long) = args
        .queries
        .iter()
        .find(|q| q.len() > MAX_QUERY_BYTES || q.split_whitespace().count() > MAX_QUERY_WORDS)
    {
        return Err(Error::Usage(format!(
            "a query of {} bytes and {} words: each query may have at most {MAX_QUERY_WORDS} words and {MAX_QUERY_BYTES} bytes\nhint: name what you look for in a few words",
            long.len(),
            long.split_whitespace().count()
        )));
    }
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => Some(DEFAULT_REFS_LIMIT),
    };
    Ok(RefsConfig {
        input,
        queries: args.queries.clone(),
        style: match args.format {
            _ if args.plain => RefsStyle::Plain,
            RefsFormat::Human => RefsStyle::Human,
            RefsFormat::Plain => RefsStyle::Plain,
            RefsFormat::Json => RefsStyle::Json,
        },
        color: super::use_color(cli.color),
        width: super::output_width(),
        limit,
        pool: BUDGET_POOL,
        budget: args.budget,
    })
}
