//! `ctxbudget mcp`: a Model Context Protocol server on stdio with three
//! tools (outline, refs, cost). The tokenizer, the cache and the refs
//! index stay warm between calls; each call runs on a blocking thread so
//! a slow one never holds up the next; only the protocol goes to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    InitializeResult, JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    Tool, ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Value, json};

use crate::cache::Cache;
use crate::config::mcp::{MAX_ANSWER_TOKENS, McpConfig};
use crate::config::refs::{BUDGET_POOL, DEFAULT_REFS_LIMIT, MAX_QUERY_BYTES, MAX_QUERY_WORDS};
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::guard::weigh;
use crate::price::refs::{self as lookup, Corpus, Query};
use crate::price::{self, price_file};
use crate::report::mcp::{Cost, OutlineAnswer};
use crate::report::refs::Section;
use crate::suggest::outline;
use crate::tokenize::Tokenizer;

/// Most paths one `cost` call takes.
const MAX_COST_PATHS: usize = 64;

/// Most references one `refs` answer lists.
const MAX_REF_LINES: usize = 150;

/// Runs the server until the client closes stdin.
pub(crate) fn run(config: &McpConfig, err: &mut dyn Write) -> Result<ExitCode, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            action: "start the server for",
            path: config.root.clone(),
            source,
        })?;
    let server = Server {
        state: Arc::new(State::new(config.clone())),
    };
    let outcome: Result<(), String> = runtime.block_on(serve(server));
    // Blocking reads of stdin may still be pending: do not wait for them.
    runtime.shutdown_background();
    // A store write under way finishes (cut off, it would leave its
    // temporary file behind).
    crate::price::refs::store::Pending::wait_for_writes();
    match outcome {
        Ok(()) => Ok(ExitCode::Ok),
        Err(message) => {
            crate::report::warn(err, format_args!("mcp: {message}"));
            Ok(ExitCode::Ok)
        }
    }
}

/// Longest request line read; a longer one gets a JSON-RPC error.
const MAX_LINE_BYTES: usize = 4 << 20;

/// Serves on stdio through two pipes: requests are read here first, so a
/// line that is not JSON gets a parse error (the protocol library would
/// drop it silently) and a line past the bound is never held; every
/// response goes out through one writer.
async fn serve(server: Server) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let (mut to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (lines_tx, mut lines_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();

    let errors = lines_tx.clone();
    let reader = tokio::spawn(async move {
        let mut input = tokio::io::BufReader::new(tokio::io::stdin());
        let mut line = Vec::new();
        loop {
            match read_line(&mut input, &mut line).await {
                Ok(None) | Err(_) => break,
                Ok(Some(false)) => {
                    let _ = errors.send(parse_error("the request line is too long"));
                }
                Ok(Some(true)) => {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    if serde_json::from_slice::<serde::de::IgnoredAny>(&line).is_err() {
                        let _ = errors.send(parse_error("the request is not JSON"));
                        continue;
                    }
                    line.push(b'\n');
                    if to_server.write_all(&line).await.is_err() {
                        break;
                    }
                }
            }
        }
        // Dropping the pipe tells the server the client is gone.
        drop(to_server);
    });
    let forward = tokio::spawn(async move {
        let mut responses = tokio::io::BufReader::new(from_server).split(b'\n');
        while let Ok(Some(line)) = responses.next_segment().await {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(mut line) = lines_rx.recv().await {
            line.push(b'\n');
            if stdout.write_all(&line).await.is_err() || stdout.flush().await.is_err() {
                break;
            }
        }
    });

    let served = match server.serve((server_in, server_out)).await {
        Ok(service) => service.waiting().await.map(drop).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    reader.abort();
    let _ = forward.await;
    let _ = writer.await;
    served
}

/// Reads one line (without its newline) into `line`: `None` at the end,
/// `Some(false)` for a line longer than [`MAX_LINE_BYTES`], passed over
/// without being held.
async fn read_line(
    input: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    use tokio::io::AsyncBufReadExt;
    line.clear();
    let mut seen = false;
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(seen.then_some(!too_long));
        }
        seen = true;
        let (chunk, used, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(n) => (&buffer[..n], n + 1, true),
            None => (buffer, buffer.len(), false),
        };
        if !too_long && line.len() + chunk.len() <= MAX_LINE_BYTES {
            line.extend_from_slice(chunk);
        } else if !too_long {
            too_long = true;
            *line = Vec::new();
        }
        input.consume(used);
        if done {
            return Ok(Some(!too_long));
        }
    }
}

/// A JSON-RPC parse error (the request's id is unknown).
fn parse_error(why: &str) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("Parse error: {why}")}})
        .to_string()
        .into_bytes()
}

/// What the server keeps between calls.
struct State {
    config: McpConfig,
    tokenizer: Tokenizer,
    cache: Cache,
    /// The project's priced files and index, with the fingerprint of the
    /// tree they were built from when stats cannot tell whether it holds.
    warm: Mutex<Option<(Option<u128>, Arc<Corpus>)>>,
}

/// Why a call failed.
enum CallError {
    /// The tool does not exist (a protocol error).
    Unknown(String),
    /// The tool ran and could not answer (a tool error the model reads).
    Failed(String),
}

impl State {
    fn new(config: McpConfig) -> State {
        let input = &config.input;
        let tokenizer = Tokenizer::new(input.tokenizer, input.claude_factor);
        let cache = match &input.cache_dir {
            Some(dir) => Cache::open(dir, &input.paths),
            None => Cache::disabled(),
        };
        State {
            config,
            tokenizer,
            cache,
            warm: Mutex::new(None),
        }
    }

    fn call(&self, name: &str, args: &JsonObject) -> Result<String, CallError> {
        match name {
            "outline" => self.outline(string(args, "path")?),
            "refs" => self.refs(
                string(args, "query")?,
                number(args, "budget")?,
                number(args, "limit")?,
            ),
            "cost" => self.cost(args),
            other => Err(CallError::Unknown(other.to_string())),
        }
    }

    /// A path inside the project: its canonical form and its name from
    /// the root.
    fn resolve(&self, given: &str) -> Result<(PathBuf, String), CallError> {
        let root = &self.config.root;
        let path = Path::new(given);
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            root.join(path)
        };
        let real = joined
            .canonicalize()
            .map_err(|_| CallError::Failed(format!("no such file or directory: {given}")))?;
        if !real.starts_with(root) {
            return Err(CallError::Failed(format!(
                "{given} is outside the project {}",
                root.display()
            )));
        }
        let rel = crate::walk::relative(root, &real, false);
        let rel = if rel.is_empty() { ".".to_string() } else { rel };
        Ok((real, rel))
    }

    fn outline(&self, given: &str) -> Result<String, CallError> {
        let (real, rel) = self.resolve(given)?;
        if !real.is_file() {
            return Err(CallError::Failed(format!(
                "{rel} is a directory; outline takes a file (cost takes directories)"
            )));
        }
        let input = &self.config.input;
        let source = crate::source::read(&real, input.max_file_bytes, false)
            .map_err(|skip| CallError::Failed(format!("cannot outline {rel}: {}", skip.message)))?;
        let stat = price_file(rel.clone(), &source, input, &self.tokenizer, &self.cache);
        let (kind, parts) = weigh::parts(
            &stat,
            &source.text,
            &self.tokenizer,
            self.config.read_tokens,
        );
        let count = |text: &str| self.tokenizer.scale(self.tokenizer.count(text));
        let planned = outline::plan(&parts, MAX_ANSWER_TOKENS - 200, &count);
        Ok(crate::report::mcp::outline(&OutlineAnswer {
            path: &rel,
            whole_tokens: stat.read_tokens,
            lines: source.text.lines().count() as u64,
            kind,
            total_parts: parts.len(),
            outline: &planned,
        }))
    }

    fn refs(
        &self,
        text: &str,
        budget: Option<u64>,
        limit: Option<u64>,
    ) -> Result<String, CallError> {
        if text.len() > MAX_QUERY_BYTES || text.split_whitespace().count() > MAX_QUERY_WORDS {
            return Err(CallError::Failed(format!(
                "a query may have at most {MAX_QUERY_WORDS} words and {MAX_QUERY_BYTES} bytes"
            )));
        }
        let root = &self.config.root;
        let query = lookup::classify(root, text).map_err(|e| CallError::Failed(e.to_string()))?;
        let corpus = match &query {
            Query::Name(_) | Query::Text(_) | Query::Dir { .. } => self.warm_corpus(),
            Query::File { .. } | Query::Line { .. } => Arc::new(
                Corpus::build(
                    &self.config.input,
                    &self.tokenizer,
                    std::slice::from_ref(&query),
                )
                .map_err(|e| CallError::Failed(e.to_string()))?,
            ),
        };
        let files = &corpus.files;
        let (hits, title) = lookup::answer(&query, text, files, corpus.index.as_deref());
        if hits.is_empty() {
            return Ok(lookup::nothing_found(&query, text, files, corpus.index.as_deref()) + "\n");
        }
        let limit = match limit {
            Some(0) => None,
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            None => Some(DEFAULT_REFS_LIMIT),
        };
        let section = match budget {
            Some(budget) => {
                let queries = [text.to_string()];
                lookup::choose(budget, limit, BUDGET_POOL, &queries, &[(0, hits)], files)
            }
            None => {
                let shown = limit.map_or(hits.len(), |n| n.min(hits.len()));
                Section {
                    title,
                    references: hits[..shown]
                        .iter()
                        .map(|h| lookup::reference(text, h, files))
                        .collect(),
                    omitted: hits.len() - shown,
                }
            }
        };
        if section.references.is_empty() {
            return Ok(format!(
                "no matching symbol fits in {} tokens\n",
                budget.unwrap_or(0)
            ));
        }
        Ok(crate::report::mcp::refs(&[section], MAX_REF_LINES))
    }

    /// The project's corpus, rebuilt only when a file's size or time
    /// changed since it was built: told by stats alone when every stamp
    /// had settled when it was built, else by walking the tree.
    fn warm_corpus(&self) -> Arc<Corpus> {
        let input = &self.config.input;
        let mut warm = self.warm.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((print, corpus)) = warm.as_ref() {
            let holds = match (&corpus.fresh, print) {
                (Some(fresh), _) => fresh.holds(),
                (None, Some(print)) => *print == lookup::fingerprint(input),
                (None, None) => false,
            };
            if holds {
                return Arc::clone(corpus);
            }
        }
        // A walk to fingerprint the tree only when stats cannot tell (a
        // corpus that could be checked by stats is expected to be again);
        // taken before the build, so a change while it runs shows.
        let checkable = warm.as_ref().is_some_and(|(_, c)| c.fresh.is_some());
        let print = (!checkable).then(|| lookup::fingerprint(input));
        let mut corpus = Corpus::whole(input, &self.tokenizer);
        // The store is written while the answer goes out.
        std::mem::take(&mut corpus.pending).spawn();
        let corpus = Arc::new(corpus);
        *warm = Some((print, Arc::clone(&corpus)));
        corpus
    }

    fn cost(&self, args: &JsonObject) -> Result<String, CallError> {
        let paths: Vec<&str> = match args.get("paths") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| CallError::Failed("paths must be strings".into()))
                })
                .collect::<Result<_, _>>()?,
            Some(Value::String(one)) => vec![one.as_str()],
            _ => {
                return Err(CallError::Failed(
                    "paths is required: a list of paths".into(),
                ));
            }
        };
        if paths.is_empty() || paths.len() > MAX_COST_PATHS {
            return Err(CallError::Failed(format!(
                "give from 1 to {MAX_COST_PATHS} paths"
            )));
        }
        let input = &self.config.input;
        let mut costs = Vec::with_capacity(paths.len());
        for given in paths {
            let (real, rel) = self.resolve(given)?;
            if real.is_file() {
                let source =
                    crate::source::read(&real, input.max_file_bytes, false).map_err(|skip| {
                        CallError::Failed(format!("cannot price {rel}: {}", skip.message))
                    })?;
                let stat = price_file(rel.clone(), &source, input, &self.tokenizer, &self.cache);
                costs.push(Cost {
                    path: rel,
                    files: 1,
                    tokens: stat.tokens,
                    read_tokens: stat.read_tokens,
                    skipped: 0,
                    largest: Vec::new(),
                    flags: stat.verdicts.iter().map(|v| v.flag.name()).collect(),
                });
                continue;
            }
            let mut under = input.clone();
            under.paths = vec![real];
            under.project_relative = false;
            under.symbols = false;
            let (files, skipped) = price::price(&under, &self.tokenizer, |_, _| ());
            let prefix = if rel == "." {
                String::new()
            } else {
                format!("{rel}/")
            };
            let mut largest: Vec<(String, u64)> = files
                .iter()
                .map(|(f, ())| (format!("{prefix}{}", f.path), f.read_tokens))
                .collect();
            largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            largest.truncate(5);
            costs.push(Cost {
                path: if rel == "." { rel } else { format!("{rel}/") },
                files: files.len() as u64,
                tokens: files.iter().map(|(f, ())| f.tokens).sum(),
                read_tokens: files.iter().map(|(f, ())| f.read_tokens).sum(),
                skipped: skipped.len() as u64,
                largest,
                flags: Vec::new(),
            });
        }
        Ok(crate::report::mcp::cost(
            &costs,
            &crate::report::TokenizerInfo {
                kind: self.tokenizer.kind(),
                factor: self.tokenizer.factor(),
            }
            .describe(),
        ))
    }
}

/// A required string argument.
fn string<'a>(args: &'a JsonObject, key: &str) -> Result<&'a str, CallError> {
    match args.get(key) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(CallError::Failed(format!(
            "{key} must be a non-empty string"
        ))),
        None => Err(CallError::Failed(format!("{key} is required"))),
    }
}

/// An optional whole number argument.
fn number(args: &JsonObject, key: &str) -> Result<Option<u64>, CallError> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| CallError::Failed(format!("{key} must be a whole number"))),
    }
}

/// The tools, with descriptions kept short: every request pays for them.
fn tools() -> Vec<Tool> {
    let schema = |value: Value| -> JsonObject {
        match value {
            Value::Object(map) => map,
            _ => JsonObject::new(),
        }
    };
    let read_only = ToolAnnotations::new().read_only(true);
    vec![
        Tool::new(
            "outline",
            "A file's symbols (else Markdown sections, else line ranges), nested, each with the Read offset/limit that fetches it and its token cost, and the whole file's read cost. Call before reading a large file whole.",
            schema(json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "File path, relative to the project root or absolute inside it"}
                },
                "required": ["path"]
            })),
        )
        .with_annotations(read_only.clone()),
        Tool::new(
            "refs",
            "Find the code about a symbol name, some words, a file or path:line; answers @path#Lstart-end lines with token costs, best first. With budget: the best set that fits.",
            schema(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "A symbol name (Class.method), free words, a path, or path:line"},
                    "budget": {"type": "integer", "minimum": 1, "description": "Most tokens the chosen set may cost"},
                    "limit": {"type": "integer", "minimum": 0, "description": "Most references (default 10; 0: all)"}
                },
                "required": ["query"]
            })),
        )
        .with_annotations(read_only.clone()),
        Tool::new(
            "cost",
            "Tokens and Read cost of files and directories (a directory: its files summed and the costliest).",
            schema(json!({
                "type": "object",
                "properties": {
                    "paths": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_COST_PATHS, "description": "Paths relative to the project root"}
                },
                "required": ["paths"]
            })),
        )
        .with_annotations(read_only),
    ]
}

/// The rmcp handler.
#[derive(Clone)]
struct Server {
    state: Arc<State>,
}

impl rmcp::ServerHandler for Server {
    fn get_info(&self) -> InitializeResult {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("ctxbudget", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Token costs of this project's files and symbols. Before reading a large file whole, call outline and read only the ranges you need.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, rmcp::ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, rmcp::ErrorData> {
        let state = Arc::clone(&self.state);
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        let answer = tokio::task::spawn_blocking(move || state.call(&name, &args)).await;
        let result = match answer {
            Ok(Ok(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Ok(Err(CallError::Unknown(name))) => {
                return Err(rmcp::ErrorData::invalid_params(
                    format!("no tool named {name:?}; the tools are outline, refs and cost"),
                    None,
                ));
            }
            Ok(Err(CallError::Failed(message))) => {
                CallToolResult::error(vec![ContentBlock::text(message)])
            }
            Err(_) => CallToolResult::error(vec![ContentBlock::text(
                "internal error in ctxbudget; the server goes on",
            )]),
        };
        Ok(result.into())
    }
}
