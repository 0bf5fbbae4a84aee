//! Words out of code: identifiers split into subwords (snake_case,
//! camelCase, PascalCase, acronyms), lower-cased and lightly stemmed, so a
//! query's "parse config file" meets `parse_config`, `ConfigParser` and
//! "parses the configuration file". Pure functions, no I/O.

/// The version of the rules that make terms, bumped on every change to
/// them: stored indexes hold terms and are keyed by it.
pub(crate) const RULES: u32 = 1;

/// The identifiers in `text`: runs of letters, digits and `_` (and `$`,
/// for JavaScript and PHP) that do not start with a digit.
pub(crate) fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            if is_word_byte(bytes[at]) {
                while at < bytes.len() && is_word_byte(bytes[at]) {
                    at += 1;
                }
                let word = &text[start..at];
                if !word.as_bytes()[0].is_ascii_digit() {
                    return Some(word);
                }
            } else {
                at += 1;
            }
        }
        None
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The subwords of one identifier, in order and as written:
/// `parseHTTPResponse_v2` gives `parse`, `HTTP`, `Response`, `v2`.
pub(crate) fn subwords(ident: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in ident.split(['_', '$']).filter(|p| !p.is_empty()) {
        let chars: Vec<(usize, char)> = part.char_indices().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (at, c) = chars[i];
            let prev = chars[i - 1].1;
            let next = chars.get(i + 1).map(|&(_, c)| c);
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_ascii_digit()))
                || (c.is_uppercase()
                    && prev.is_uppercase()
                    && next.is_some_and(char::is_lowercase));
            if boundary {
                out.push(&part[start..at]);
                start = at;
            }
        }
        out.push(&part[start..]);
    }
    out
}

/// English words too common to say anything about code.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "has", "have",
    "how", "if", "in", "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "then",
    "there", "these", "this", "those", "to", "was", "what", "when", "where", "which", "who", "why",
    "will", "with",
];

/// The search term of one subword: lower-cased and stemmed, or `None` for
/// stopwords and single characters.
pub(crate) fn term(subword: &str) -> Option<String> {
    if subword.len() < 2 {
        return None;
    }
    let lower = subword.to_lowercase();
    if STOPWORDS.binary_search(&lower.as_str()).is_ok() {
        return None;
    }
    Some(stem(&lower))
}

/// Every search term in `text`, in order (identifiers split into subwords).
pub(crate) fn terms(text: &str, mut each: impl FnMut(String)) {
    for ident in identifiers(text) {
        for sub in subwords(ident) {
            if let Some(term) = term(sub) {
                each(term);
            }
        }
    }
}

/// Words that code and the people asking about it use for one another:
/// verbs that name the same action ("show" for `echo`, "run" for
/// `invoke`) and the abbreviations code is written in ("configuration"
/// for `cfg`, "context" for `ctx`). A query term brings in the others of
/// its groups at a lower weight, so a word that is not in the code can
/// still find the code that does it.
const SYNONYMS: &[&[&str]] = &[
    // Actions.
    &["show", "display", "print", "echo", "render", "emit"],
    &["create", "make", "build", "construct", "new"],
    &["delete", "remove", "erase", "unlink", "del", "rm"],
    &["get", "fetch", "retrieve", "obtain"],
    &["run", "execute", "invoke", "exec", "call"],
    &["start", "begin", "launch", "spawn"],
    &["stop", "halt", "terminate", "kill", "abort", "cancel"],
    &["find", "search", "lookup", "locate", "seek"],
    &["check", "validate", "verify", "ensure"],
    &["add", "insert", "append", "push", "register"],
    &["update", "modify", "change"],
    &["copy", "clone", "duplicate"],
    &["serialize", "marshal", "encode", "dump"],
    &["deserialize", "unmarshal", "decode"],
    &["split", "tokenize"],
    &["escape", "sanitize", "quote"],
    &["wait", "sleep", "pause"],
    &["sort", "order"],
    &["compare", "cmp"],
    &["exit", "quit"],
    &["initialize", "init", "setup"],
    &["cleanup", "teardown"],
    // Things, and how code abbreviates them.
    &["error", "exception", "err", "failure"],
    &["config", "configuration", "cfg", "conf", "settings"],
    &["option", "opt", "flag"],
    &["argument", "arg", "argv"],
    &["parameter", "param"],
    &["directory", "dir", "folder"],
    &["color", "colour"],
    &["time", "datetime", "timestamp"],
    &["context", "ctx"],
    &["connection", "conn"],
    &["database", "db"],
    &["request", "req"],
    &["response", "resp"],
    &["message", "msg"],
    &["command", "cmd"],
    &["character", "char"],
    &["string", "str"],
    &["number", "num"],
    &["length", "len", "size"],
    &["password", "passwd"],
    &["authentication", "authenticate", "auth"],
    &["environment", "env"],
    &["variable", "var"],
    &["function", "func", "fn"],
    &["library", "lib"],
    &["attribute", "attr"],
    &["source", "src"],
    &["destination", "dest", "dst"],
    &["buffer", "buf"],
    &["previous", "prev"],
    &["maximum", "max"],
    &["minimum", "min"],
    &["position", "pos"],
    &["reference", "ref"],
    &["regex", "regexp"],
    &["information", "info"],
    &["utility", "util"],
    &["allocate", "alloc"],
    &["address", "addr"],
    &["certificate", "cert"],
    &["temporary", "temp", "tmp"],
    &["transaction", "txn"],
    &["expression", "expr"],
    &["statement", "stmt"],
    &["token", "tok"],
    &["value", "val"],
    &["index", "idx"],
    &["iterate", "iter"],
];

/// The other terms of `term`'s synonym groups (both sides stemmed).
pub(crate) fn synonyms(term: &str) -> &'static [String] {
    static BY_TERM: std::sync::LazyLock<rustc_hash::FxHashMap<String, Vec<String>>> =
        std::sync::LazyLock::new(|| {
            let mut map: rustc_hash::FxHashMap<String, Vec<String>> = Default::default();
            for group in SYNONYMS {
                let stems: Vec<String> = group.iter().filter_map(|w| self::term(w)).collect();
                for own in &stems {
                    let others = map.entry(own.clone()).or_default();
                    for other in &stems {
                        if other != own && !others.contains(other) {
                            others.push(other.clone());
                        }
                    }
                }
            }
            map
        });
    BY_TERM.get(term).map_or(&[], Vec::as_slice)
}

/// The search terms of a query: [`terms`], and numbers of two digits or
/// more, which names carry (`get_object_or_404`) though code's literals
/// are not indexed.
pub(crate) fn query_terms(text: &str, mut each: impl FnMut(String)) {
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
        if word.len() >= 2 && word.bytes().all(|b| b.is_ascii_digit()) {
            each(word.to_string());
        } else {
            terms(word, &mut each);
        }
    }
}

/// A light suffix stripper: plurals, `-ing`, `-ed` and `-er` forms, so
/// "parsing", "parses", "parsed" and "parser" meet "parse". Both documents
/// and queries go through it, so its mistakes cancel out.
pub(crate) fn stem(word: &str) -> String {
    if !word.is_ascii() || word.len() <= 3 {
        return word.to_string();
    }
    let mut w = word.to_string();
    // Plurals.
    if let Some(rest) = word.strip_suffix("ies").filter(|r| r.len() >= 2) {
        w = format!("{rest}y");
    } else if let Some(rest) = word
        .strip_suffix("es")
        .filter(|r| ["ss", "x", "z", "ch", "sh"].iter().any(|s| r.ends_with(s)))
    {
        w = rest.to_string();
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        w.pop();
    }
    // Verb and agent forms, then a doubled final consonant ("running").
    for suffix in ["ing", "ed", "er"] {
        if let Some(rest) = w.strip_suffix(suffix).filter(|r| r.len() >= 3) {
            let mut rest = rest.to_string();
            let b = rest.as_bytes();
            let n = b.len();
            if b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z' | b'f') {
                rest.pop();
            }
            w = rest;
            break;
        }
    }
    // Latinate nouns meet their verb: "validation" and "validator" meet
    // "validate", "decompression" meets "decompress", "editor" meets
    // "edit". Short stems ("option", "error", "color") are left whole.
    if let Some(rest) = w.strip_suffix("ion").filter(|r| r.len() >= 4)
        && (rest.ends_with('t') || rest.ends_with("ss"))
    {
        return rest.to_string();
    }
    if let Some(rest) = w.strip_suffix("or").filter(|r| r.len() >= 4) {
        return rest.to_string();
    }
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn identifiers_split_at_case_underscores_and_acronyms() {
        assert_eq!(subwords("parse_config_file"), ["parse", "config", "file"]);
        assert_eq!(subwords("parseHTTPResponse"), ["parse", "HTTP", "Response"]);
        assert_eq!(subwords("ConfigParser"), ["Config", "Parser"]);
        assert_eq!(subwords("__init__"), ["init"]);
        assert_eq!(subwords("utf8Decode"), ["utf8", "Decode"]);
        assert_eq!(subwords("HTTP"), ["HTTP"]);
    }

    #[test]
    fn identifiers_skip_numbers_and_punctuation() {
        let found: Vec<&str> = identifiers("x = self.load(path, 42) # 3rd $el").collect();
        assert_eq!(found, ["x", "self", "load", "path", "$el"]);
    }

    #[test]
    fn word_forms_meet_at_one_stem() {
        for group in [
            &["parse", "parses", "parsing", "parsed", "parser"][..],
            &["file", "files"],
            &["retry", "retries"],
            &["run", "running"],
            &["config", "configs"],
            &["class", "classes"],
            &["backoff", "backoffs"],
            &[
                "validate",
                "validation",
                "validator",
                "validators",
                "validated",
            ],
            &["decompress", "decompression", "decompressor"],
            &["edit", "editor", "editing"],
            &["complete", "completion", "completer"],
            &["connect", "connection", "connector", "connections"],
            &["execute", "execution", "executor"],
            &["generate", "generator", "generation"],
            &["mirror", "mirroring"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.windows(2).all(|w| w[0] == w[1]),
                "{group:?} -> {stems:?}"
            );
        }
        assert_ne!(stem("status"), stem("stat"));
        // Short stems stay whole rather than meet unrelated words.
        for word in ["option", "error", "color", "region", "actor"] {
            assert_eq!(stem(word), word);
        }
    }

    #[test]
    fn synonyms_go_both_ways_in_any_word_form() {
        let show = term("show").expect("a term");
        let echo = term("echo").expect("a term");
        assert!(synonyms(&show).contains(&echo));
        assert!(synonyms(&echo).contains(&show));
        let config = term("configuration").expect("a term");
        assert!(synonyms(&config).contains(&term("cfg").expect("a term")));
        assert!(!synonyms(&show).contains(&show));
        assert!(synonyms("zzyzx").is_empty());
    }

    #[test]
    fn a_query_keeps_its_numbers_and_a_name_its_numeric_subwords() {
        let mut found = Vec::new();
        query_terms("get object or 404 x 7", |t| found.push(t));
        assert_eq!(found, ["get", "object", "404"]);
        let mut found = Vec::new();
        terms("get_object_or_404 = 200", |t| found.push(t));
        assert_eq!(found, ["get", "object", "404"]);
    }

    #[test]
    fn terms_drop_stopwords_and_short_words() {
        let mut found = Vec::new();
        terms("Retries the request with a backoff_delay", |t| {
            found.push(t)
        });
        assert_eq!(found, ["retry", "request", "backoff", "delay"]);
    }
}
