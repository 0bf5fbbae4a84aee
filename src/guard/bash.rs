//! Which files a shell command prints to the session: the file arguments
//! of `cat`, `bat`, `less`, `more`, `nl`, `tac`, `head` and `tail` whose
//! output is not piped on or redirected away, parsed with tree-sitter-bash.
//! Arguments with expansions, globs or substitutions are not guessed at.

use super::{Amount, Print};

/// Programs that print their file arguments whole (unless told a range).
const WHOLE_PRINTERS: &[&str] = &["cat", "bat", "batcat", "less", "more", "nl", "tac"];

/// Commands longer than this are not parsed (none of them is a plain read).
const MAX_COMMAND_BYTES: usize = 64 << 10;

/// The files `command` prints to its output, each with how much of it.
pub(crate) fn whole_prints(command: &str) -> Vec<Print> {
    if command.len() > MAX_COMMAND_BYTES {
        return Vec::new();
    }
    parse(command)
}

#[cfg(feature = "lang-bash")]
fn parse(command: &str) -> Vec<Print> {
    let mut parser = tree_sitter::Parser::new();
    let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
    if parser.set_language(&language).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(command, None) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "command" {
            if reaches_output(node, command) {
                out.extend(prints(node, command));
            }
            continue;
        }
        // Nothing inside a substitution reaches the output directly.
        if matches!(node.kind(), "command_substitution" | "process_substitution") {
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    out
}

#[cfg(not(feature = "lang-bash"))]
fn parse(_command: &str) -> Vec<Print> {
    Vec::new()
}

/// Whether a command's standard output is what the session sees: not fed
/// to the next command of a pipeline, not redirected to a file.
#[cfg(feature = "lang-bash")]
fn reaches_output(command: tree_sitter::Node<'_>, source: &str) -> bool {
    let mut node = command;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "pipeline" => {
                let mut cursor = parent.walk();
                let last = parent.named_children(&mut cursor).last();
                if last.map(|n| n.id()) != Some(node.id()) {
                    return false;
                }
            }
            "redirected_statement" => {
                let mut cursor = parent.walk();
                let away = parent
                    .children_by_field_name("redirect", &mut cursor)
                    .any(|r| redirects_stdout(r, source));
                if away {
                    return false;
                }
            }
            _ => {}
        }
        node = parent;
    }
    true
}

/// Whether a redirect sends standard output somewhere (`>`, `>>`, `&>`,
/// `1>`, or a here-string feeding nothing out).
#[cfg(feature = "lang-bash")]
fn redirects_stdout(redirect: tree_sitter::Node<'_>, source: &str) -> bool {
    if redirect.kind() != "file_redirect" {
        return false;
    }
    let descriptor = redirect
        .child_by_field_name("descriptor")
        .and_then(|d| d.utf8_text(source.as_bytes()).ok());
    let mut cursor = redirect.walk();
    let operator = redirect
        .children(&mut cursor)
        .find(|c| !c.is_named())
        .map(|c| c.kind().to_string())
        .unwrap_or_default();
    let writes = matches!(operator.as_str(), ">" | ">>" | "&>" | "&>>" | ">|");
    // `2>` sends only errors away; no descriptor or `1` is the output.
    let descriptor_is_stdout = descriptor.is_none_or(|d| d == "1");
    writes && (descriptor_is_stdout || operator.starts_with('&'))
}

/// The files one simple command prints, with how much of each.
#[cfg(feature = "lang-bash")]
fn prints(command: tree_sitter::Node<'_>, source: &str) -> Vec<Print> {
    let Some(name_node) = command.child_by_field_name("name") else {
        return Vec::new();
    };
    let Some(name) = literal(name_node, source) else {
        return Vec::new();
    };
    let program = name.rsplit('/').next().unwrap_or(&name).to_string();
    let mut cursor = command.walk();
    let args: Vec<Option<String>> = command
        .children_by_field_name("argument", &mut cursor)
        .map(|a| literal(a, source))
        .collect();
    interpret(&program, &args)
}

/// What a program prints given its arguments (`None`: an argument that is
/// not a plain literal).
fn interpret(program: &str, args: &[Option<String>]) -> Vec<Print> {
    let (amount, files) = match program {
        p if WHOLE_PRINTERS.contains(&p) => {
            let mut files = Vec::new();
            for arg in args {
                let Some(arg) = arg else { continue };
                if arg.starts_with('-') && arg.len() > 1 {
                    // A range or paging option: not a whole print.
                    if matches!(p, "bat" | "batcat")
                        && (arg.starts_with("-r") || arg.starts_with("--line-range"))
                    {
                        return Vec::new();
                    }
                    continue;
                }
                if arg.starts_with('+') && matches!(p, "less" | "more") {
                    continue;
                }
                files.push(arg.clone());
            }
            (Amount::All, files)
        }
        "head" | "tail" => {
            let head = program == "head";
            let mut amount = if head {
                Amount::FirstLines(10)
            } else {
                Amount::LastLines(10)
            };
            let mut files = Vec::new();
            let mut iter = args.iter();
            while let Some(arg) = iter.next() {
                let Some(arg) = arg else { continue };
                let value =
                    |flag: &str, arg: &str, next: &mut std::slice::Iter<'_, Option<String>>| {
                        let rest = arg.strip_prefix(flag)?;
                        let rest = rest.strip_prefix('=').unwrap_or(rest);
                        if rest.is_empty() {
                            next.next().cloned().flatten()
                        } else {
                            Some(rest.to_string())
                        }
                    };
                if let Some(n) = value("--lines", arg, &mut iter).or_else(|| {
                    (arg.starts_with("-n"))
                        .then(|| value("-n", arg, &mut iter))
                        .flatten()
                }) {
                    amount = lines_amount(head, &n).unwrap_or(Amount::FirstLines(0));
                } else if let Some(n) = value("--bytes", arg, &mut iter).or_else(|| {
                    (arg.starts_with("-c"))
                        .then(|| value("-c", arg, &mut iter))
                        .flatten()
                }) {
                    amount = match (head, n.parse::<u64>()) {
                        (true, Ok(n)) => Amount::FirstBytes(n),
                        _ => Amount::FirstLines(0),
                    };
                } else if let Some(n) = arg
                    .strip_prefix('-')
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                {
                    amount = lines_amount(head, n).unwrap_or(Amount::FirstLines(0));
                } else if !head && arg.starts_with('+') {
                    amount = lines_amount(false, arg).unwrap_or(Amount::FirstLines(0));
                } else if arg.starts_with('-') && arg.len() > 1 {
                    continue;
                } else {
                    files.push(arg.clone());
                }
            }
            (amount, files)
        }
        _ => return Vec::new(),
    };
    if amount == Amount::FirstLines(0) {
        return Vec::new();
    }
    files
        .into_iter()
        .filter(|f| f != "-" && !f.is_empty())
        .map(|path| Print {
            path: path.into(),
            amount,
        })
        .collect()
}

/// `head -n N` / `tail -n N` / `tail -n +K`: how much that prints.
/// `head -n -K` prints all but the last K lines: counted as all of it.
fn lines_amount(head: bool, n: &str) -> Option<Amount> {
    if head {
        if let Some(rest) = n.strip_prefix('-') {
            rest.parse::<u64>().ok()?;
            return Some(Amount::All);
        }
        return n.parse().ok().map(Amount::FirstLines);
    }
    if let Some(from) = n.strip_prefix('+') {
        let from: u64 = from.parse().ok()?;
        // From line 1 (or 0) is the whole file; later starts are partial.
        return Some(if from <= 1 {
            Amount::All
        } else {
            Amount::FirstLines(0)
        });
    }
    n.parse().ok().map(Amount::LastLines)
}

/// The text of a word or quoted string with nothing to expand; `None`
/// otherwise.
#[cfg(feature = "lang-bash")]
fn literal(node: tree_sitter::Node<'_>, source: &str) -> Option<String> {
    let text = node.utf8_text(source.as_bytes()).ok()?;
    match node.kind() {
        "word" | "command_name" => {
            let inner = if node.kind() == "command_name" {
                node.named_child(0)?
            } else {
                node
            };
            if inner.kind() != "word" {
                return None;
            }
            let text = inner.utf8_text(source.as_bytes()).ok()?;
            let plain = !text.contains(['$', '*', '?', '[', '`', '\\', '~', '{']);
            plain.then(|| text.to_string())
        }
        "number" => Some(text.to_string()),
        "raw_string" => Some(text.trim_matches('\'').to_string()),
        "string" => {
            let mut cursor = node.walk();
            let only_text = node
                .named_children(&mut cursor)
                .all(|c| c.kind() == "string_content");
            let inner = text.strip_prefix('"')?.strip_suffix('"')?;
            (only_text && !inner.contains(['\\', '$', '`'])).then(|| inner.to_string())
        }
        _ => None,
    }
}

#[cfg(all(test, feature = "lang-bash"))]
mod tests {
    use super::*;

    fn files(command: &str) -> Vec<(String, Amount)> {
        whole_prints(command)
            .into_iter()
            .map(|p| (p.path.to_string_lossy().into_owned(), p.amount))
            .collect()
    }

    fn all(paths: &[&str]) -> Vec<(String, Amount)> {
        paths.iter().map(|p| (p.to_string(), Amount::All)).collect()
    }

    #[test]
    fn printers_at_the_end_of_a_pipeline_print_their_files() {
        assert_eq!(files("cat src/big.rs"), all(&["src/big.rs"]));
        assert_eq!(files("cat -n a.py b.py"), all(&["a.py", "b.py"]));
        assert_eq!(files("cd /p && bat 'src/x y.rs'"), all(&["src/x y.rs"]));
        assert_eq!(files("less \"README.md\""), all(&["README.md"]));
        assert_eq!(files("/bin/cat big.json; echo done"), all(&["big.json"]));
        assert_eq!(files("git log | cat big.txt"), all(&["big.txt"]));
    }

    #[test]
    fn piped_redirected_filtered_or_expanded_output_is_not_a_whole_print() {
        assert!(files("cat big.rs | grep fn").is_empty());
        assert!(files("cat big.rs > copy.rs").is_empty());
        assert!(files("cat big.rs >> log").is_empty());
        assert!(files("cat $FILE").is_empty());
        assert!(files("cat src/*.rs").is_empty());
        assert!(files("echo \"$(cat big.rs)\" | wc -c").is_empty());
        assert!(files("bat -r 10:20 big.rs").is_empty());
        assert!(files("grep -n fn big.rs").is_empty());
        assert!(files("cat").is_empty());
        assert!(files("cat -").is_empty());
    }

    #[test]
    fn head_and_tail_print_a_count_of_lines() {
        assert_eq!(
            files("head big.rs"),
            [("big.rs".to_string(), Amount::FirstLines(10))]
        );
        assert_eq!(
            files("head -n 100000 big.rs"),
            [("big.rs".to_string(), Amount::FirstLines(100_000))]
        );
        assert_eq!(
            files("head -5000 big.rs"),
            [("big.rs".to_string(), Amount::FirstLines(5000))]
        );
        assert_eq!(
            files("head --lines=20 big.rs"),
            [("big.rs".to_string(), Amount::FirstLines(20))]
        );
        assert_eq!(files("head -n -1 big.rs"), all(&["big.rs"]));
        assert_eq!(files("tail -n +1 big.rs"), all(&["big.rs"]));
        assert!(files("tail -n +50 big.rs").is_empty());
        assert_eq!(
            files("tail -n 400 big.rs"),
            [("big.rs".to_string(), Amount::LastLines(400))]
        );
        assert_eq!(
            files("head -c 99999 big.rs"),
            [("big.rs".to_string(), Amount::FirstBytes(99_999))]
        );
        assert!(Amount::FirstLines(10).is_all(10, 500));
        assert!(!Amount::FirstLines(10).is_all(11, 500));
    }

    #[test]
    fn junk_never_panics() {
        for command in ["", "|", "cat <<EOF\nx\nEOF", "((", "cat 'unclosed", "\u{0}"] {
            let _ = files(command);
        }
    }
}
