//! The shape of one transcript line, as far as `sessions` needs it. Every
//! field is optional and anything else is ignored, so a record written by
//! a newer Claude Code still reads; a field of an unexpected type reads as
//! missing rather than failing the line. Nothing here does I/O.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One line of a transcript.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record {
    /// `user`, `assistant`, `system`, `summary`, ...
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub(crate) kind: Option<String>,
    /// The session the line belongs to (subagent lines carry their parent's).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) session_id: Option<String>,
    /// The same, as some versions spell it.
    #[serde(rename = "session_id", default, deserialize_with = "lenient")]
    pub(crate) session_id_snake: Option<String>,
    /// The working directory of the session when the line was written.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) cwd: Option<String>,
    /// The line's own id.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) uuid: Option<String>,
    /// When the line was written (ISO 8601, UTC).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) timestamp: Option<String>,
    /// The API request an assistant line came from.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) request_id: Option<String>,
    /// True in subagent transcripts.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) is_sidechain: Option<bool>,
    /// `compact_boundary`, ... for `system` lines.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) subtype: Option<String>,
    /// The API message (assistant) or the prompt and tool results (user).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) message: Option<Message>,
    /// What a tool returned, beside the text the model saw.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) tool_use_result: Option<ToolUseResult>,
}

impl Record {
    /// The blocks of the line's message content (none for plain text).
    pub(crate) fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.message
            .as_ref()
            .and_then(|m| m.content.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|b| b.0.as_ref())
    }
}

/// A line read for its usage figures only (`sessions --usage-only`): the
/// same fields as [`Record`] without the content and tool results, which
/// are passed over without being built.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageRecord {
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    session_id: Option<String>,
    #[serde(rename = "session_id", default, deserialize_with = "lenient")]
    session_id_snake: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    cwd: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    uuid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    is_sidechain: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    subtype: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    message: Option<UsageMessage>,
}

#[derive(Debug, Default, Deserialize)]
struct UsageMessage {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    model: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    usage: Option<Usage>,
    #[serde(default, deserialize_with = "lenient")]
    stop_reason: Option<String>,
}

impl From<UsageRecord> for Record {
    fn from(r: UsageRecord) -> Record {
        Record {
            kind: r.kind,
            session_id: r.session_id,
            session_id_snake: r.session_id_snake,
            cwd: r.cwd,
            uuid: r.uuid,
            timestamp: r.timestamp,
            request_id: r.request_id,
            is_sidechain: r.is_sidechain,
            subtype: r.subtype,
            message: r.message.map(|m| Message {
                id: m.id,
                model: m.model,
                content: None,
                usage: m.usage,
                stop_reason: m.stop_reason,
            }),
            tool_use_result: None,
        }
    }
}

/// An API message.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Message {
    /// The response id (assistant).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) id: Option<String>,
    /// The model that answered.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) model: Option<String>,
    /// Content blocks; a plain-text content reads as none.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) content: Option<Vec<Maybe<Block>>>,
    /// Token usage reported by the API.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) usage: Option<Usage>,
    /// Why the response ended; only its last line carries one.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) stop_reason: Option<String>,
}

/// Token usage of one API request.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub(crate) struct Usage {
    /// Input tokens not read from or written to the cache.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) input_tokens: Option<u64>,
    /// Input tokens written to the cache.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) cache_creation_input_tokens: Option<u64>,
    /// Input tokens read from the cache.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) cache_read_input_tokens: Option<u64>,
    /// Output tokens (grows over the lines of one response).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) output_tokens: Option<u64>,
}

/// One content block. Only the fields of `tool_use` and `tool_result`
/// blocks are kept; text and thinking are skipped unread.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Block {
    /// `tool_use`, `tool_result`, `text`, ...
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub(crate) kind: Option<String>,
    /// A tool call's id.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) id: Option<String>,
    /// A tool call's tool.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) name: Option<String>,
    /// A tool call's arguments.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) input: Option<ToolInput>,
    /// The call a tool result answers.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) tool_use_id: Option<String>,
    /// A tool result's text, as the model saw it.
    #[serde(default, deserialize_with = "text_or_blocks")]
    pub(crate) content: Option<String>,
    /// Whether the tool failed.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) is_error: Option<bool>,
}

/// The arguments of the tool calls `sessions` follows.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolInput {
    /// Read, Edit, MultiEdit, Write.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) file_path: Option<String>,
    /// Read: first line to read (1-based).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) offset: Option<u64>,
    /// Read: how many lines.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) limit: Option<u64>,
    /// Edit: the replacement text.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) new_string: Option<String>,
    /// MultiEdit: its edits.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) edits: Option<Vec<Maybe<EditInput>>>,
    /// Grep: the pattern.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) pattern: Option<String>,
    /// Grep, Glob: where to search.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) path: Option<String>,
}

/// One edit of a MultiEdit call.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EditInput {
    /// The replacement text.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) new_string: Option<String>,
}

/// The structured result of a tool call.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolUseResult {
    /// What a Read returned.
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) file: Option<ReadFile>,
}

/// The file part of a Read result.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadFile {
    /// The raw text returned (without line numbers).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) content: Option<String>,
    /// The first line returned (1-based).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) start_line: Option<u64>,
}

/// A value of type `T`, or `None` when the JSON value has another shape
/// (a string where an object was expected, a negative count, ...). The
/// value is read whole either way, so the rest of the line still parses.
#[derive(Debug)]
pub(crate) struct Maybe<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(Lenient(PhantomData))
            .map(Maybe)
    }
}

fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Maybe::deserialize(deserializer).map(|m| m.0)
}

struct Lenient<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Lenient<T> {
    fn via<E: de::Error, D: Deserializer<'de, Error = E>>(d: D) -> Result<Option<T>, E> {
        // A value of the wanted type, else nothing; the input is consumed.
        Ok(T::deserialize(d).ok())
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Lenient<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::via(de::value::BoolDeserializer::new(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::via(de::value::I64Deserializer::new(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::via(de::value::U64Deserializer::new(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Counts written as 12.0 are still counts.
        if v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 {
            return Self::via(de::value::U64Deserializer::new(v as u64));
        }
        Self::via(de::value::F64Deserializer::new(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::via(de::value::StrDeserializer::new(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    // The structs read through here take every field leniently, so they
    // fail only on a syntax error, which fails the line anyway.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(T::deserialize(MapAccessDeserializer::new(map)).ok())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(T::deserialize(de::value::SeqAccessDeserializer::new(seq)).ok())
    }
}

/// A tool result's content: a string, or text blocks joined; other blocks
/// (images) are left out.
fn text_or_blocks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Text;

    #[derive(Deserialize)]
    struct TextBlock {
        #[serde(default, deserialize_with = "lenient")]
        text: Option<String>,
    }

    impl<'de> Visitor<'de> for Text {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of text blocks")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut text = String::new();
            while let Some(block) = seq.next_element::<Maybe<TextBlock>>()? {
                if let Some(t) = block.0.and_then(|b| b.text) {
                    text.push_str(&t);
                }
            }
            Ok(Some(text))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(Text)
}
