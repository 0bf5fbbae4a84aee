//! The block's opening lines: what the project is, its commands and languages,
//! and a map of its top directories.

use super::*;

pub(super) fn intro(facts: &Facts<'_>, lines: &mut Vec<Line>) {
    let first = match &facts.about.description {
        Some(description) => format!(
            "**{}**: {}",
            inert_prose(facts.name),
            inert_prose(description)
        ),
        None => format!("**{}**", inert_prose(facts.name)),
    };
    lines.push(Line {
        part: Part::Intro,
        text: first,
        value: 100.0,
    });
    let total: u64 = facts.files.iter().map(|f| f.tokens).sum();
    lines.push(Line {
        part: Part::Intro,
        text: format!(
            "{} files, {} tokens in all ({:.1}x a {} context window): read line ranges, not whole files or directories.",
            facts.files.len(),
            approx(total),
            total as f64 / facts.limits.window as f64,
            approx(facts.limits.window)
        ),
        value: 95.0,
    });
    // Lock files, generated and data files say nothing of the project.
    let mut by_language: BTreeMap<&str, u64> = BTreeMap::new();
    let mut described = 0;
    for file in facts.files.iter().filter(|f| !never_read(f)) {
        if let Some(language) = file.language.filter(|_| file.kind != Some(Kind::Data)) {
            *by_language.entry(language).or_default() += file.tokens;
            described += file.tokens;
        }
    }
    let mut shares: Vec<(&str, u64)> = by_language.into_iter().collect();
    shares.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let listed: Vec<String> = shares
        .iter()
        .filter(|(_, tokens)| described > 0 && tokens * 100 >= described)
        .take(6)
        .map(|(language, tokens)| {
            format!("{language} {}%", (tokens * 100 + described / 2) / described)
        })
        .collect();
    if !listed.is_empty() {
        lines.push(Line {
            part: Part::Intro,
            text: format!("Languages by share of tokens: {}.", listed.join(", ")),
            value: 85.0,
        });
    }
}

/// Top-level directories by weight; a directory holding nothing but one
/// directory is shown as that one (`src/flask/`).
pub(super) fn layout(facts: &Facts<'_>, lines: &mut Vec<Line>) {
    let mut dirs: BTreeMap<String, Weight> = BTreeMap::new();
    let tops: BTreeMap<&str, Vec<&FileStat>> =
        facts.files.iter().fold(BTreeMap::new(), |mut tops, file| {
            if let Some((top, _)) = file.path.split_once('/') {
                tops.entry(top).or_default().push(file);
            }
            tops
        });
    for (top, files) in tops {
        let mut dir = top.to_string();
        // Descend while every file sits in one and the same subdirectory.
        loop {
            let prefix = format!("{dir}/");
            let mut subs = files
                .iter()
                .map(|f| f.path[prefix.len()..].split_once('/').map(|(sub, _)| sub));
            let Some(Some(first)) = subs.next() else {
                break;
            };
            if subs.all(|s| s == Some(first)) {
                dir = format!("{dir}/{first}");
            } else {
                break;
            }
        }
        let weight = dirs.entry(dir).or_default();
        for file in files {
            weight.tokens += file.tokens;
            weight.files += 1;
            if let Some(language) = file.language.filter(|_| file.kind == Some(Kind::Code)) {
                *weight.languages.entry(language).or_default() += file.tokens;
            }
        }
    }
    let mut dirs: Vec<(String, Weight)> = dirs.into_iter().collect();
    dirs.sort_by(|a, b| b.1.tokens.cmp(&a.1.tokens).then(a.0.cmp(&b.0)));
    for (i, (dir, weight)) in dirs.iter().take(15).enumerate() {
        // A language is named when its code is most of the directory.
        let language = weight
            .languages
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .filter(|(_, tokens)| **tokens * 2 >= weight.tokens)
            .map(|(l, _)| *l);
        let what = match (purpose(dir), language) {
            (Some(p), Some(l)) => format!(": {p} ({l})"),
            (Some(p), None) => format!(": {p}"),
            (None, Some(l)) => format!(": {l} code"),
            (None, None) => String::new(),
        };
        lines.push(Line {
            part: Part::Layout,
            text: format!(
                "- {} {} tokens, {} file{}{what}",
                code_span(&format!("{dir}/")),
                approx(weight.tokens),
                weight.files,
                if weight.files == 1 { "" } else { "s" }
            ),
            value: 70.0 - 3.0 * i as f64,
        });
    }
}

#[derive(Debug, Default)]
pub(super) struct Weight {
    tokens: u64,
    files: u64,
    languages: BTreeMap<&'static str, u64>,
}

/// Standard-library types of `language` that a project's own type of the
/// same name is drowned by (`File` in Rust, `Required` in TypeScript).
pub(super) fn standard_names(language: &str) -> &'static [&'static str] {
    match language {
        "rust" => &[
            "File",
            "Path",
            "PathBuf",
            "HashMap",
            "HashSet",
            "BTreeMap",
            "BTreeSet",
            "Arc",
            "Rc",
            "Cell",
            "RefCell",
            "Mutex",
            "RwLock",
            "Cow",
            "Duration",
            "Instant",
            "SystemTime",
            "Ordering",
            "Command",
            "Stdio",
            "Read",
            "Write",
            "BufRead",
            "BufReader",
            "BufWriter",
            "Formatter",
            "Cursor",
            "Bytes",
            "Chars",
            "Lines",
            "Range",
            "Sink",
            "Empty",
            "Stdin",
            "Stdout",
            "Stderr",
            "OsStr",
            "OsString",
            "Metadata",
            "Permissions",
            "Component",
            "Components",
            "Any",
            "PhantomData",
            "Pin",
            "Future",
            "Entry",
            "Weak",
            "Borrow",
            "ToOwned",
            "ToString",
            "FromStr",
            "Fn",
            "FnMut",
            "FnOnce",
            "ErrorKind",
            "Index",
            "Extend",
        ],
        "typescript" | "tsx" | "javascript" => &[
            "Required",
            "Partial",
            "Record",
            "Pick",
            "Omit",
            "Readonly",
            "ReturnType",
            "Parameters",
            "Awaited",
            "Exclude",
            "Extract",
            "NonNullable",
            "Promise",
            "Response",
            "Request",
            "Headers",
            "URL",
            "URLSearchParams",
            "Blob",
            "FormData",
            "ReadableStream",
            "AbortController",
            "AbortSignal",
            "Date",
            "Array",
            "Function",
            "Symbol",
            "Number",
            "Boolean",
            "RegExp",
            "Uint8Array",
            "TextDecoder",
            "TextEncoder",
            "Event",
            "EventTarget",
            "Element",
            "Node",
        ],
        "python" => &[
            "Path",
            "Enum",
            "Optional",
            "Union",
            "Dict",
            "Tuple",
            "Callable",
            "Iterable",
            "Sequence",
            "Mapping",
            "TypeVar",
            "Generic",
            "Protocol",
            "Exception",
            "ValueError",
            "TypeError",
            "KeyError",
            "datetime",
            "date",
            "timedelta",
            "Decimal",
            "namedtuple",
            "dataclass",
            "field",
            "property",
            "partial",
            "wraps",
            "defaultdict",
            "OrderedDict",
            "Counter",
            "deque",
            "ABC",
            "IO",
            "TextIO",
            "StringIO",
            "BytesIO",
            "Thread",
            "Lock",
            "Queue",
            "Logger",
            "Pattern",
            "Match",
        ],
        "go" => &[
            "Reader",
            "Writer",
            "Context",
            "Duration",
            "Time",
            "Buffer",
            "Builder",
            "Mutex",
            "WaitGroup",
            "Once",
            "Stringer",
            "Handler",
            "Request",
            "Response",
            "Client",
            "Server",
            "File",
        ],
        _ => &[],
    }
}

/// Names that the languages and their standard libraries use everywhere
/// (a derive, a trait method, an imported package): a count of the files
/// naming them says nothing about the project's own symbol.
pub(super) const LANGUAGE_NAMES: &[&str] = &[
    "Debug",
    "Display",
    "Clone",
    "Copy",
    "Default",
    "Hash",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Serialize",
    "Deserialize",
    "From",
    "Into",
    "Error",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Box",
    "Vec",
    "String",
    "Iterator",
    "IntoIterator",
    "Drop",
    "Deref",
    "AsRef",
    "Send",
    "Sync",
    "Sized",
    "fmt",
    "str",
    "u8",
    "u16",
    "u32",
    "u64",
    "usize",
    "i32",
    "i64",
    "f64",
    "bool",
    "new",
    "default",
    "clone",
    "from",
    "into",
    "next",
    "drop",
    "deref",
    "as_ref",
    "as_str",
    "to_string",
    "len",
    "is_empty",
    "iter",
    "into_iter",
    "get",
    "set",
    "map",
    "write",
    "read",
    "main",
    "run",
    "init",
    "test",
    "len",
    "equals",
    "hashCode",
    "toString",
    "String",
    "Object",
    "List",
    "Map",
    "Set",
    "print",
    "println",
    "printf",
    "format",
    "log",
    "error",
    "info",
    "debug",
    "warn",
    "os",
    "io",
    "sys",
    "json",
    "time",
    "path",
    "http",
    "net",
    "sort",
    "strings",
    "bytes",
    "errors",
    "context",
    "sync",
    "self",
    "this",
    "super",
    "constructor",
    "toJSON",
    "valueOf",
    "then",
    "catch",
    "resolve",
    "reject",
    "filter",
    "reduce",
    "keys",
    "values",
    "items",
    "append",
    "extend",
    "update",
    "copy",
    "__init__",
    "__str__",
    "__repr__",
    "u128",
    "char",
    "convert",
];
