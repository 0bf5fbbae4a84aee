//! Symbol spans from tree-sitter syntax trees: parses a file with its
//! grammar (bounded in size and time) and walks the tree only where the
//! grammar's table says definitions live. Returns spans; counts nothing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, Parser};

use crate::lang::SymbolKind;
use crate::lang::grammar::{Grammar, NameMode, Role};

/// The version of the code that turns a tree (or a document's headings)
/// into spans, bumped on every change to it: cached spans are keyed by it,
/// as by the grammar tables.
pub(crate) const RULES: u32 = 5;

/// One symbol: where it is and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The name as written (`load`).
    pub(crate) name: String,
    /// The name with its containers (`Config.load`, `Parser::parse`).
    pub(crate) qualified_name: String,
    /// `function`, `method`, `class`, `struct`, ...
    pub(crate) kind: SymbolKind,
    /// First line, 1-based: the first attribute, decorator or doc comment.
    pub(crate) start_line: u32,
    /// Last line, 1-based, inclusive: the last line with a non-comment token.
    pub(crate) end_line: u32,
}

/// Bounds on parsing one file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseLimits {
    /// Files larger than this are not parsed.
    pub(crate) max_bytes: u64,
    /// A parse running longer than this is abandoned.
    pub(crate) timeout: Duration,
}

impl Default for ParseLimits {
    fn default() -> ParseLimits {
        ParseLimits {
            max_bytes: 8 << 20,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Why a file with a grammar has no symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoSymbols {
    /// Larger than the parse limit.
    TooLarge {
        /// The file's size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The grammar does not load into the parser.
    GrammarLoad {
        /// The grammar's name.
        grammar: &'static str,
        /// What the parser said.
        message: String,
    },
    /// The parse ran past its time limit (depends on the machine's load,
    /// so never cached).
    TimedOut {
        /// The limit, in milliseconds.
        ms: u128,
    },
    /// The parser returned no tree.
    GaveUp,
}

impl NoSymbols {
    /// Whether the reason depends on the machine rather than the text.
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(self, NoSymbols::TimedOut { .. })
    }
}

impl std::fmt::Display for NoSymbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoSymbols::TooLarge { bytes, limit } => {
                write!(f, "not parsed: {bytes} bytes > {limit}-byte parse limit")
            }
            NoSymbols::GrammarLoad { grammar, message } => {
                write!(f, "grammar {grammar} cannot load: {message}")
            }
            NoSymbols::TimedOut { ms } => write!(f, "parse timed out after {ms} ms"),
            NoSymbols::GaveUp => f.write_str("the parser gave up"),
        }
    }
}

thread_local! {
    static PARSERS: RefCell<HashMap<&'static str, Parser>> = RefCell::new(HashMap::new());
}

/// The symbols of `text` under `grammar`, sorted by start line (containers
/// before their members), or why there are none.
pub(crate) fn spans(
    grammar: &Grammar,
    text: &str,
    limits: ParseLimits,
) -> Result<Vec<Span>, NoSymbols> {
    if text.len() as u64 > limits.max_bytes {
        return Err(NoSymbols::TooLarge {
            bytes: text.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let tree = PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match parsers.entry(grammar.name) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut parser = Parser::new();
                parser
                    .set_language(&grammar.language)
                    .map_err(|e| NoSymbols::GrammarLoad {
                        grammar: grammar.name,
                        message: e.to_string(),
                    })?;
                e.insert(parser)
            }
        };
        let deadline = Instant::now() + limits.timeout;
        let mut timed_out = false;
        let mut progress = |_: &tree_sitter::ParseState| {
            if Instant::now() > deadline {
                timed_out = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |offset, _| &bytes[offset.min(bytes.len())..],
            None,
            Some(ParseOptions::new().progress_callback(&mut progress)),
        );
        if tree.is_none() {
            parser.reset();
            return Err(if timed_out {
                NoSymbols::TimedOut {
                    ms: limits.timeout.as_millis(),
                }
            } else {
                NoSymbols::GaveUp
            });
        }
        tree.ok_or(NoSymbols::GaveUp)
    })?;
    let mut walk = Walk {
        grammar,
        source: text.as_bytes(),
        out: Vec::new(),
    };
    walk.children(tree.root_node(), &Scope::top(), false);
    let mut spans = walk.out;
    spans.sort_by(|a, b| {
        a.start_line
            .cmp(&b.start_line)
            .then(b.end_line.cmp(&a.end_line))
            .then_with(|| a.qualified_name.cmp(&b.qualified_name))
    });
    Ok(spans)
}

/// How deep the walk follows nested definitions and blocks. Real code
/// stays far below; hostile input (20,000 nested modules) would otherwise
/// overflow a worker's stack, which aborts the whole run.
pub(crate) const MAX_DEPTH: usize = 256;

/// Where the walk is: the qualifier for names, whether functions here are
/// methods, and how deep it is.
#[derive(Debug, Clone)]
struct Scope {
    qualifier: String,
    in_type: bool,
    /// Joins the functions here to `qualifier` instead of their rule's
    /// separator (inside Ruby's `class << self`).
    member_separator: Option<String>,
    depth: usize,
}

impl Scope {
    fn top() -> Scope {
        Scope {
            qualifier: String::new(),
            in_type: false,
            member_separator: None,
            depth: 0,
        }
    }

    fn deeper(&self) -> Scope {
        Scope {
            depth: self.depth + 1,
            ..self.clone()
        }
    }
}

struct Walk<'a> {
    grammar: &'a Grammar,
    source: &'a [u8],
    out: Vec<Span>,
}

impl<'a> Walk<'a> {
    fn role(&self, node: Node<'_>) -> Role {
        self.grammar
            .roles
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Role::None)
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        std::str::from_utf8(&self.source[node.start_byte()..node.end_byte()]).unwrap_or("")
    }

    /// Visits the named children of `parent` in order. A definition that
    /// scopes what follows it (a file-scoped namespace) qualifies the rest.
    /// `body`: `parent` holds a definition's members.
    fn children(&mut self, parent: Node<'_>, scope: &Scope, body: bool) {
        if scope.depth >= MAX_DEPTH {
            return;
        }
        let mut scope = scope.deeper();
        let mut cursor = parent.walk();
        let children: Vec<Node<'_>> = parent.named_children(&mut cursor).collect();
        for (index, &child) in children.iter().enumerate() {
            let start = if index == 0 && body {
                // Comments above a body's first statement can lie outside
                // the body node (Ruby's `body_statement` starts at its
                // first statement): they are the siblings before the body.
                let outside =
                    std::iter::successors(parent.prev_named_sibling(), |n| n.prev_named_sibling());
                self.attached_start(outside, child)
            } else {
                self.attached_start(children[..index].iter().rev().copied(), child)
            };
            if let Some(following) = self.visit(child, &scope, start) {
                scope = following;
            }
        }
    }

    /// The first row of the run of attached siblings (doc comments,
    /// attributes) directly above `node`, with no blank line between.
    fn attached_start<'t>(&self, before: impl Iterator<Item = Node<'t>>, node: Node<'_>) -> usize {
        let mut start = node.start_position().row;
        if !matches!(self.role(node), Role::Definition(_) | Role::Wrapper) {
            return start;
        }
        for sibling in before {
            let Some(Some(prefixes)) = self.grammar.attached.get(usize::from(sibling.kind_id()))
            else {
                break;
            };
            let text = self.text(sibling);
            // A script's `#!` line says how to run the file, not what
            // the function below it does.
            let shebang = sibling.start_position().row == 0 && text.starts_with("#!");
            // A comment after code on its line (`class A  # note`) is
            // about that code. Attributes share lines freely
            // (`#[derive(Debug)] #[serde(default)]`).
            let is_comment = self
                .grammar
                .comments
                .get(usize::from(sibling.kind_id()))
                .copied()
                .unwrap_or(false);
            let line_start = sibling.start_byte() - sibling.start_position().column;
            let trailing = is_comment
                && self.source[line_start..sibling.start_byte()]
                    .iter()
                    .any(|b| !b.is_ascii_whitespace());
            if !prefixes.iter().any(|p| text.starts_with(p.as_str()))
                || last_row(sibling) + 1 < start
                || shebang
                || trailing
            {
                break;
            }
            start = sibling.start_position().row;
        }
        start
    }

    /// Visits one node; returns a new scope for the siblings after it when
    /// it is a body-less scoping definition.
    fn visit(&mut self, node: Node<'_>, scope: &Scope, start: usize) -> Option<Scope> {
        match self.role(node) {
            Role::None => None,
            Role::Descend => {
                self.children(node, scope, false);
                None
            }
            Role::Wrapper if scope.depth < MAX_DEPTH => {
                let mut cursor = node.walk();
                let inner: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                let deeper = scope.deeper();
                // A group (`type ( A int; B string )` in Go) holds several
                // definitions: each starts at its own doc comment, not at
                // the group's first line.
                let group = inner
                    .iter()
                    .filter(|&&n| matches!(self.role(n), Role::Definition(_) | Role::Wrapper))
                    .count()
                    > 1;
                for (index, &child) in inner.iter().enumerate() {
                    let start = if group {
                        self.attached_start(inner[..index].iter().rev().copied(), child)
                    } else {
                        start
                    };
                    self.visit(child, &deeper, start);
                }
                None
            }
            Role::Wrapper => None,
            Role::MemberScope(index) => {
                let (body, separator) = &self.grammar.member_scopes[index];
                let inner = Scope {
                    member_separator: Some(separator.clone()),
                    ..scope.clone()
                };
                match body {
                    Some(field) => {
                        if let Some(body) = node.child_by_field_id(*field) {
                            self.children(body, &inner, true);
                        }
                    }
                    None => self.children(node, &inner, false),
                }
                None
            }
            Role::Definition(index) => self.definition(node, index, scope, start),
        }
    }

    fn definition(
        &mut self,
        node: Node<'_>,
        index: usize,
        scope: &Scope,
        start: usize,
    ) -> Option<Scope> {
        let grammar = self.grammar;
        let def = &grammar.definitions[index];
        let rule = &def.rule;
        if let Some(field) = def.require {
            node.child_by_field_id(field)?;
        }
        if let Some(field) = def.value {
            let value = node.child_by_field_id(field)?;
            if !rule.value_kinds.iter().any(|k| k == value.kind()) {
                // A chain (`res.set = res.header = function header() {}`):
                // the definition is its last link.
                if matches!(self.role(value), Role::Definition(_)) && scope.depth < MAX_DEPTH {
                    return self.visit(value, &scope.deeper(), start);
                }
                return None;
            }
        }
        let name_node = match rule.name_mode {
            NameMode::Field => node.child_by_field_id(def.name?)?,
            NameMode::Declarator => self.declarator_name(node.child_by_field_id(def.name?)?),
        };
        if !rule.name_kinds.is_empty() && !rule.name_kinds.iter().any(|k| k == name_node.kind()) {
            return None;
        }
        let written = collapse_whitespace(self.text(name_node));
        if written.is_empty() {
            return None;
        }
        let separator = match (&scope.member_separator, rule.member_kind) {
            (Some(separator), Some(_)) => separator.as_str(),
            _ => rule.separator.as_deref().unwrap_or(&grammar.separator),
        };
        let mut kind = rule.kind;
        if let Some(mapped) = def
            .kind_field
            .and_then(|field| node.child_by_field_id(field))
            .and_then(|n| rule.kind_map.get(n.kind()))
        {
            kind = *mapped;
        }
        if let (true, Some(member)) = (scope.in_type, rule.member_kind) {
            kind = member;
        }
        // The type a Go method hangs off, or the Rust type an impl is for.
        let base = last_segment(&written, &grammar.separator).to_string();
        let type_name = strip_generics(&base).to_string();
        let (name, members_qualifier_name) =
            match def.trait_field.and_then(|f| node.child_by_field_id(f)) {
                Some(trait_node) => {
                    let trait_name = strip_generics(last_segment(
                        &collapse_whitespace(self.text(trait_node)),
                        &grammar.separator,
                    ))
                    .to_string();
                    (format!("{trait_name} for {type_name}"), type_name.clone())
                }
                None if def.trait_field.is_some() => (type_name.clone(), type_name.clone()),
                None => (base.clone(), written.clone()),
            };
        let qualifier = match def.receiver.and_then(|f| node.child_by_field_id(f)) {
            Some(receiver) => self.receiver_type(receiver).unwrap_or_default(),
            None => scope.qualifier.clone(),
        };
        let full = if def.trait_field.is_some() {
            name.clone()
        } else {
            written.clone()
        };
        let qualified_name = join(&qualifier, separator, &full);
        self.out.push(Span {
            name,
            qualified_name: qualified_name.clone(),
            kind,
            start_line: start as u32 + 1,
            end_line: self.last_line(node) as u32 + 1,
        });
        let inner = Scope {
            qualifier: join(&qualifier, separator, &members_qualifier_name),
            in_type: rule.members_are_methods,
            member_separator: None,
            depth: scope.depth,
        };
        match def.body.and_then(|f| node.child_by_field_id(f)) {
            Some(body) => {
                self.children(body, &inner, true);
                None
            }
            None if rule.scopes_following => Some(inner),
            None => None,
        }
    }

    /// Follows `declarator` fields (and declarator wrappers) down to the
    /// node that names a C or C++ function or type.
    fn declarator_name<'t>(&self, mut node: Node<'t>) -> Node<'t> {
        loop {
            if let Some(inner) = self
                .grammar
                .declarator_field
                .and_then(|f| node.child_by_field_id(f))
            {
                node = inner;
            } else if node.kind().ends_with("declarator") && node.named_child_count() > 0 {
                match node.named_child(0) {
                    Some(inner) => node = inner,
                    None => return node,
                }
            } else {
                return node;
            }
        }
    }

    /// The type name in a Go receiver `(s *Server[T])` -> `Server`.
    fn receiver_type(&self, receiver: Node<'_>) -> Option<String> {
        let mut node = receiver;
        loop {
            if node.kind() == "type_identifier" {
                return Some(self.text(node).to_string());
            }
            let mut cursor = node.walk();
            let next = node
                .named_children(&mut cursor)
                .find(|c| c.kind() != "identifier")?;
            node = next;
        }
    }

    /// The last row holding a token of `node` that is not a comment.
    fn last_line(&self, node: Node<'_>) -> usize {
        let mut current = node;
        loop {
            let mut last = None;
            for i in (0..current.child_count()).rev() {
                let Some(child) = current.child(i) else {
                    continue;
                };
                let is_comment = self
                    .grammar
                    .comments
                    .get(usize::from(child.kind_id()))
                    .copied()
                    .unwrap_or(false);
                if !is_comment && child.end_byte() > child.start_byte() {
                    last = Some(child);
                    break;
                }
            }
            match last {
                Some(child) => current = child,
                None => return last_row(current),
            }
        }
    }
}

/// The row of a node's last character (an end at column 0 belongs to the
/// line before).
fn last_row(node: Node<'_>) -> usize {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

fn join(qualifier: &str, separator: &str, name: &str) -> String {
    if qualifier.is_empty() {
        name.to_string()
    } else {
        format!("{qualifier}{separator}{name}")
    }
}

/// The last part of a qualified name (`a::b::c` -> `c`).
fn last_segment<'s>(name: &'s str, separator: &str) -> &'s str {
    name.rsplit(separator).next().unwrap_or(name)
}

/// `Parser<'a, T>` -> `Parser`.
fn strip_generics(name: &str) -> &str {
    name.split('<').next().unwrap_or(name).trim()
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
/// A Markdown document's sections: each ATX (`## Install`) or setext
/// (a line underlined with `===` or `---`) heading outside code fences and
/// front matter, running to the line before the next heading of the same
/// or a higher level. Named by the heading's text, qualified by the
/// headings it sits under (`Usage > Install`).
pub(crate) fn markdown_sections(text: &str) -> Vec<Span> {
    let lines: Vec<&str> = text.lines().collect();
    let mut fences = crate::memory::markdown::Fences::default();
    // (level, text, first line)
    let mut headings: Vec<(usize, String, u32)> = Vec::new();
    let mut index = 0;
    if lines.first().is_some_and(|l| l.trim_end() == "---") {
        // YAML front matter: up to the closing `---`.
        index = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "---" || l.trim_end() == "...")
            .map_or(0, |at| at + 2);
    }
    while index < lines.len() {
        let line = lines[index];
        if fences.step(line) {
            index += 1;
            continue;
        }
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if indent < 4
            && (1..=6).contains(&hashes)
            && (trimmed.len() == hashes || trimmed[hashes..].starts_with([' ', '\t']))
        {
            let title = trimmed[hashes..].trim().trim_end_matches('#').trim();
            headings.push((hashes, title.to_string(), index as u32 + 1));
            index += 1;
            continue;
        }
        let next = lines.get(index + 1).map(|l| l.trim());
        let underline = next.and_then(|n| {
            if n.len() >= 2 && n.bytes().all(|b| b == b'=') {
                Some(1)
            } else if n.len() >= 2 && n.bytes().all(|b| b == b'-') {
                Some(2)
            } else {
                None
            }
        });
        let paragraph = !line.trim().is_empty()
            && indent < 4
            && !trimmed.starts_with(['-', '*', '+', '>', '|', '<'])
            && index
                .checked_sub(1)
                .is_none_or(|before| lines[before].trim().is_empty());
        if let (Some(level), true) = (underline, paragraph) {
            headings.push((level, line.trim().to_string(), index as u32 + 1));
            index += 2;
            continue;
        }
        index += 1;
    }
    sections(&headings, lines.len() as u32)
}

/// A reStructuredText document's sections: each title (a line underlined,
/// or over- and underlined, with one repeated punctuation character at
/// least as long as the title), its level set by the order in which the
/// document first uses each style, as docutils does. Indented lines and
/// transitions (a lone line of punctuation) are not titles.
pub(crate) fn rst_sections(text: &str) -> Vec<Span> {
    let lines: Vec<&str> = text.lines().collect();
    // A line of one repeated punctuation character, four or more long for
    // an overline (shorter runs are ordinary text).
    let adornment = |line: &str| -> Option<(u8, usize)> {
        let line = line.trim_end();
        let first = *line.as_bytes().first()?;
        (first.is_ascii_punctuation() && line.bytes().all(|b| b == first))
            .then_some((first, line.len()))
    };
    let width = |title: &str| title.trim().chars().count();
    let mut styles: Vec<(u8, bool)> = Vec::new();
    let mut headings: Vec<(usize, String, u32)> = Vec::new();
    let mut level_of = |style: (u8, bool)| match styles.iter().position(|&s| s == style) {
        Some(at) => at + 1,
        None => {
            styles.push(style);
            styles.len()
        }
    };
    let blank_before = |index: usize| index == 0 || lines[index - 1].trim().is_empty();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        // Over- and underlined: adornment, title, the same adornment.
        if let (Some((c, n)), Some(title), Some(under)) = (
            adornment(line),
            lines.get(index + 1),
            lines.get(index + 2).and_then(|l| adornment(l)),
        ) && blank_before(index)
            && n >= 3
            && under == (c, n)
            && !title.trim().is_empty()
            && adornment(title).is_none()
            && width(title) <= n
        {
            let level = level_of((c, true));
            headings.push((level, title.trim().to_string(), index as u32 + 1));
            index += 3;
            continue;
        }
        // Underlined: a paragraph's only line, then the adornment.
        let plain = !line.trim().is_empty()
            && !line.starts_with([' ', '\t'])
            && adornment(line).is_none()
            && !line.starts_with("..");
        if plain
            && blank_before(index)
            && let Some((c, n)) = lines.get(index + 1).and_then(|l| adornment(l))
            && n >= width(line).max(2)
        {
            let level = level_of((c, false));
            headings.push((level, line.trim().to_string(), index as u32 + 1));
            index += 2;
            continue;
        }
        index += 1;
    }
    sections(&headings, lines.len() as u32)
}

/// The spans of `headings` (level, title, first line) in a document of
/// `total` lines: each runs to the line before the next heading of its
/// level or higher, qualified by the headings it sits under.
fn sections(headings: &[(usize, String, u32)], total: u32) -> Vec<Span> {
    let mut spans = Vec::with_capacity(headings.len());
    let mut open: Vec<(usize, String)> = Vec::new();
    for (i, (level, title, start)) in headings.iter().enumerate() {
        let end = headings[i + 1..]
            .iter()
            .find(|(l, _, _)| l <= level)
            .map_or(total, |(_, _, next)| next - 1)
            .max(*start);
        while open.last().is_some_and(|(l, _)| l >= level) {
            open.pop();
        }
        let name = crate::text::escape(title).into_owned();
        let mut qualified: Vec<&str> = open.iter().map(|(_, t)| t.as_str()).collect();
        qualified.push(&name);
        let qualified_name = qualified.join(" > ");
        spans.push(Span {
            name: name.clone(),
            qualified_name,
            kind: SymbolKind::Section,
            start_line: *start,
            end_line: end,
        });
        open.push((*level, name));
    }
    // A title at the top whose section is the whole document says nothing
    // its subsections do not: it is left out (its name still qualifies
    // theirs).
    if spans.len() > 1 && spans[0].start_line <= 3 && spans[0].end_line == total.max(1) {
        spans.remove(0);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::markdown_sections;

    #[test]
    fn rst_titles_take_their_level_from_the_order_of_styles() {
        let text = "=======\nProject\n=======\n\nIntro.\n\nInstall\n-------\n\ntext\n\n  indented\n  --------\n\n----\n\nFrom pip\n~~~~~~~~\n\n::\n\n    code\n\nUsage\n-----\n\n.. note\n-------\nend\n";
        let found: Vec<(String, u32, u32)> = super::rst_sections(text)
            .into_iter()
            .map(|s| (s.qualified_name, s.start_line, s.end_line))
            .collect();
        assert_eq!(
            found,
            [
                ("Project > Install".to_string(), 7, 23),
                ("Project > Install > From pip".to_string(), 17, 23),
                ("Project > Usage".to_string(), 24, 29),
            ],
            "{found:?}"
        );
        let short = "Title\n==\n\nA much longer line\n---\n";
        let names: Vec<String> = super::rst_sections(short)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert!(
            names.is_empty(),
            "underlines shorter than their title: {names:?}"
        );
    }

    #[test]
    fn markdown_sections_run_to_the_next_heading_of_their_level() {
        let text = "---\ntitle: x\n---\n# Doc\nintro\n## A\ntext\n```\n# not a heading\n```\n\nSetext B\n--------\nmore\n# C\nend\n";
        let found: Vec<(String, u32, u32)> = markdown_sections(text)
            .into_iter()
            .map(|s| (s.qualified_name, s.start_line, s.end_line))
            .collect();
        assert_eq!(
            found,
            [
                ("Doc".to_string(), 4, 14),
                ("Doc > A".to_string(), 6, 11),
                ("Doc > Setext B".to_string(), 12, 14),
                ("C".to_string(), 15, 16),
            ]
        );
        let titled = "# Title\n\n## One\na\n## Two\nb\n";
        let names: Vec<String> = markdown_sections(titled)
            .into_iter()
            .map(|s| s.qualified_name)
            .collect();
        assert_eq!(
            names,
            ["Title > One", "Title > Two"],
            "the whole-document title is left out"
        );
    }
}
