//! `scan`'s configuration: the input plus flags to fail on and how to print.

use std::path::PathBuf;

use super::file::Loaded;
use crate::cli::Cli;
use crate::cli::scan::{Format as FormatArg, ScanArgs};
use crate::error::Error;
use crate::report::{Format, Output};
use crate::stats::Flag;

pub(crate) use super::input::InputConfig;

/// How many entries the top lists show by default.
pub(crate) const DEFAULT_TOP: usize = 15;

/// Everything `scan` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct ScanConfig {
    /// What to price and how.
    pub(crate) input: InputConfig,
    /// Exit 1 when a file has one of these.
    pub(crate) fail_on: Vec<Flag>,
    /// How to print.
    pub(crate) output: Output,
    /// Debug: list the walk and stop.
    pub(crate) dump_files: bool,
    /// Debug: print one file's spans and stop.
    pub(crate) dump_spans: Option<PathBuf>,
}

/// Builds the scan configuration from the parsed command line.
pub(crate) fn build(cli: &Cli, args: &ScanArgs) -> Result<ScanConfig, Error> {
    let loaded = Loaded::read(args.input.count.config.as_deref(), &args.paths)?;
    let mut input = super::input::build(&args.input, &args.paths, args.window, &loaded)?;
    let section = &loaded.file.scan;
    input.project_relative = true;
    input.symbols = !args.no_symbols && section.symbols.unwrap_or(true);
    let mut config = ScanConfig {
        input,
        fail_on: Vec::new(),
        output: Output {
            format: Format::Human,
            tree: false,
            min_share: 0.0,
            top: DEFAULT_TOP,
            color: super::use_color(cli.color),
            width: super::output_width(),
        },
        dump_files: false,
        dump_spans: None,
    };

    for name in &section.fail_on {
        let flag = Flag::from_name(name.get_ref()).ok_or_else(|| {
            let allowed: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
            loaded.bad(
                "scan.fail_on",
                name.span(),
                &format!("unknown flag; allowed: {}", allowed.join(", ")),
            )
        })?;
        config.fail_on.push(flag);
    }
    for name in &args.fail_on {
        // clap already restricted the names.
        config.fail_on.extend(Flag::from_name(name));
    }
    config.fail_on.sort();
    config.fail_on.dedup();

    config.output.top = match args.top {
        Some(top) => top,
        None => section.top.map(|v| v.0).map_or(DEFAULT_TOP, |v| v as usize),
    };
    if !(args.min_share.is_finite() && (0.0..=100.0).contains(&args.min_share)) {
        return Err(Error::Usage(format!(
            "--min-share {} is out of range: use a percentage from 0 to 100",
            args.min_share
        )));
    }
    config.output.format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Markdown => Format::Markdown,
    };
    config.output.tree = args.tree;
    config.output.min_share = args.min_share;
    config.dump_files = args.dump_files;
    config.dump_spans = args.dump_spans.clone();
    Ok(config)
}
