//! Words out of code: identifiers split into subwords (snake_case,
//! camelCase, PascalCase, acronyms), lower-cased and lightly stemmed, so a
//! query's "parse config file" meets `parse_config`, `ConfigParser` and
//! "parses the configuration file". Pure functions, no I/O.

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
/// stopwords, single letters and numbers.
pub(crate) fn term(subword: &str) -> Option<String> {
    if subword.len() < 2 || subword.bytes().all(|b| b.is_ascii_digit()) {
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
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.windows(2).all(|w| w[0] == w[1]),
                "{group:?} -> {stems:?}"
            );
        }
        assert_ne!(stem("status"), stem("stat"));
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
