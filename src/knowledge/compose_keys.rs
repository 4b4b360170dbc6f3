//! Every key the Compose file format takes, as data: `compose_keys.toml` beside this file,
//! carried over from the schema `docker compose` validates files with (compose-go's
//! `schema/compose-spec.json`; the file's header names the commit). Each mapping context
//! (the top level, a service, `build`, a long-syntax port, `ipam.config`, ...) lists its keys;
//! each key has a [`Shape`] (the value types Compose accepts after interpolation), the enum
//! values the schema allows, whether it is deprecated, a one-line description and the link
//! to its section of the Compose file reference.
//!
//! [`schema`] loads the table once. The walk over a file is
//! [`model::compose::schema`](crate::model::compose::schema); completion and hover read the
//! table through [`Schema::context_at`] and [`Schema::key`].

use std::sync::OnceLock;

use serde::Deserialize;

/// Index of a context in [`Schema::contexts`].
pub type CtxId = usize;

/// One alternative of a value's shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Alt {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    /// Anything: the schema does not constrain it.
    Any,
    /// A string that Go's `time.ParseDuration` reads (`30s`, `1m30s`).
    Duration,
    /// A sequence whose items have this shape.
    List(Shape),
    /// A mapping with free keys whose values have this shape.
    Map(Shape),
    /// A mapping with the fixed keys of this context.
    Mapping(CtxId),
}

/// The value types a key takes: any of the alternatives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape(pub Vec<Alt>);

impl Shape {
    pub fn any(&self) -> bool {
        self.0.contains(&Alt::Any)
    }

    /// The context of the fixed-key mapping this shape allows, if any.
    pub fn mapping(&self) -> Option<CtxId> {
        self.0.iter().find_map(|a| match a {
            Alt::Mapping(c) => Some(*c),
            _ => None,
        })
    }

    /// The value shape of a free-key mapping this shape allows, if any.
    pub fn map_values(&self) -> Option<&Shape> {
        self.0.iter().find_map(|a| match a {
            Alt::Map(s) => Some(s),
            _ => None,
        })
    }

    /// The item shape of a list this shape allows, if any.
    pub fn items(&self) -> Option<&Shape> {
        self.0.iter().find_map(|a| match a {
            Alt::List(s) => Some(s),
            _ => None,
        })
    }

    pub fn scalar(&self) -> bool {
        self.0.iter().any(|a| {
            matches!(
                a,
                Alt::String | Alt::Number | Alt::Integer | Alt::Boolean | Alt::Duration | Alt::Any
            )
        })
    }

    /// In words, for messages: "a list", "a string or a list", "a mapping".
    pub fn describe(&self) -> String {
        let mut words: Vec<&str> = Vec::new();
        for a in &self.0 {
            let w = match a {
                Alt::String => "a string",
                Alt::Number => "a number",
                Alt::Integer => "an integer",
                Alt::Boolean => "a boolean",
                Alt::Null => continue,
                Alt::Any => "any value",
                Alt::Duration => "a duration such as `30s`",
                Alt::List(_) => "a list",
                Alt::Map(_) | Alt::Mapping(_) => "a mapping",
            };
            if !words.contains(&w) {
                words.push(w);
            }
        }
        match words.as_slice() {
            [] => "nothing".to_string(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }

    fn parse(text: &str, ids: &dyn Fn(&str) -> Option<CtxId>) -> Result<Shape, String> {
        let mut p = ShapeParser { s: text, i: 0, ids };
        let shape = p.shape()?;
        if p.i != text.len() {
            return Err(format!("trailing text at {} in `{text}`", p.i));
        }
        Ok(shape)
    }
}

struct ShapeParser<'a> {
    s: &'a str,
    i: usize,
    ids: &'a dyn Fn(&str) -> Option<CtxId>,
}

impl ShapeParser<'_> {
    fn shape(&mut self) -> Result<Shape, String> {
        let mut alts = vec![self.alt()?];
        while self.s[self.i..].starts_with('|') {
            self.i += 1;
            alts.push(self.alt()?);
        }
        Ok(Shape(alts))
    }

    fn alt(&mut self) -> Result<Alt, String> {
        let rest = &self.s[self.i..];
        if let Some(r) = rest.strip_prefix('{') {
            let end = r
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` in `{}`", self.s))?;
            let id = &r[..end];
            self.i += end + 2;
            let ctx = (self.ids)(id).ok_or_else(|| format!("no context `{id}`"))?;
            return Ok(Alt::Mapping(ctx));
        }
        for (prefix, list) in [("list<", true), ("map<", false)] {
            if rest.starts_with(prefix) {
                self.i += prefix.len();
                let inner = self.shape()?;
                if !self.s[self.i..].starts_with('>') {
                    return Err(format!("unclosed `{prefix}` in `{}`", self.s));
                }
                self.i += 1;
                return Ok(if list {
                    Alt::List(inner)
                } else {
                    Alt::Map(inner)
                });
            }
        }
        let end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let alt = match &rest[..end] {
            "string" => Alt::String,
            "number" => Alt::Number,
            "integer" => Alt::Integer,
            "boolean" => Alt::Boolean,
            "null" => Alt::Null,
            "any" => Alt::Any,
            "duration" => Alt::Duration,
            other => return Err(format!("unknown type `{other}` in `{}`", self.s)),
        };
        self.i += end;
        Ok(alt)
    }
}

/// A key of a context.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    pub shape: Shape,
    pub doc: String,
    pub link: String,
    /// The values the schema allows, when it names them.
    pub values: Vec<String>,
    pub deprecated: bool,
    pub note: Option<String>,
}

/// A mapping whose keys are fixed.
#[derive(Debug, Clone)]
pub struct Context {
    pub id: String,
    /// A few words for messages: "service", "long-syntax port".
    pub title: String,
    /// `x-` keys are allowed.
    pub x: bool,
    /// Any key is allowed (the listed ones are still typed).
    pub open: bool,
    pub page: String,
    pub keys: Vec<Key>,
    /// `keys` by name: the walk looks a key up for every key of a file.
    index: rustc_hash::FxHashMap<String, usize>,
}

impl Context {
    pub fn key(&self, name: &str) -> Option<&Key> {
        self.index.get(name).map(|&i| &self.keys[i])
    }
}

/// The whole table.
#[derive(Debug)]
pub struct Schema {
    /// Where the facts come from (schema, commit, date).
    pub source: String,
    pub contexts: Vec<Context>,
}

#[derive(Deserialize)]
struct RawTable {
    source: String,
    context: Vec<RawContext>,
    key: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    id: String,
    title: String,
    #[serde(default)]
    x: bool,
    #[serde(default)]
    open: bool,
    page: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    #[serde(rename = "in")]
    context: String,
    name: String,
    shape: String,
    doc: String,
    link: String,
    #[serde(default, rename = "enum")]
    values: Vec<String>,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    note: Option<String>,
}

/// Service keys of the legacy version 1 format that the current format took over under
/// another name with the same values (docker-compose 1.x `config_schema_v1.json`).
const V1_RENAMES: &[(&str, &str)] = &[("net", "network_mode")];

const TABLE: &str = include_str!("compose_keys.toml");

/// Reads the table; `Err` says what is wrong with it (a test loads it, so a bad table
/// never ships).
pub fn load(text: &str) -> Result<Schema, String> {
    let raw: RawTable = toml::from_str(text).map_err(|e| e.to_string())?;
    let ids: Vec<String> = raw.context.iter().map(|c| c.id.clone()).collect();
    let find = |id: &str| ids.iter().position(|i| i == id);
    let mut contexts: Vec<Context> = raw
        .context
        .into_iter()
        .map(|c| Context {
            id: c.id,
            title: c.title,
            x: c.x,
            open: c.open,
            page: c.page,
            keys: Vec::new(),
            index: Default::default(),
        })
        .collect();
    for k in raw.key {
        let ctx = find(&k.context)
            .ok_or_else(|| format!("key `{}`: no context `{}`", k.name, k.context))?;
        let shape = Shape::parse(&k.shape, &find)
            .map_err(|e| format!("key `{}.{}`: {e}", k.context, k.name))?;
        if contexts[ctx].key(&k.name).is_some() {
            return Err(format!("key `{}.{}` is listed twice", k.context, k.name));
        }
        let at = contexts[ctx].keys.len();
        contexts[ctx].index.insert(k.name.clone(), at);
        contexts[ctx].keys.push(Key {
            name: k.name,
            shape,
            doc: k.doc,
            link: k.link,
            values: k.values,
            deprecated: k.deprecated,
            note: k.note,
        });
    }
    if find("top").is_none() {
        return Err("no context `top`".into());
    }
    Ok(Schema {
        source: raw.source,
        contexts,
    })
}

/// The table, read once.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| load(TABLE).unwrap_or_else(|e| panic!("compose_keys.toml: {e}")))
}

impl Schema {
    pub fn top(&self) -> CtxId {
        self.contexts
            .iter()
            .position(|c| c.id == "top")
            .unwrap_or(0)
    }

    pub fn context(&self, id: CtxId) -> &Context {
        &self.contexts[id]
    }

    pub fn by_id(&self, id: &str) -> Option<CtxId> {
        self.contexts.iter().position(|c| c.id == id)
    }

    pub fn key(&self, ctx: CtxId, name: &str) -> Option<&Key> {
        self.contexts.get(ctx)?.key(name)
    }

    /// The key of `ctx` that `name` most likely meant.
    pub fn suggest(&self, ctx: CtxId, name: &str) -> Option<&str> {
        let c = self.contexts.get(ctx)?;
        // Version 1 names of service keys that the current format renamed.
        if c.id == "service"
            && let Some(&(_, to)) = V1_RENAMES.iter().find(|(from, _)| *from == name)
        {
            return c.key(to).map(|k| k.name.as_str());
        }
        // A singular or plural slip first (`port`, `network`), then an edit distance.
        for k in &c.keys {
            if k.name.strip_suffix('s') == Some(name) || name.strip_suffix('s') == Some(&k.name) {
                return Some(&k.name);
            }
        }
        let lower = name.to_ascii_lowercase().replace('-', "_");
        if let Some(k) = c.keys.iter().find(|k| k.name == lower) {
            return Some(&k.name);
        }
        crate::text::did_you_mean(name, c.keys.iter().map(|k| k.name.as_str()))
    }

    /// The fixed-key context of the mapping reached by `path` (a segment names a key of a fixed-key mapping,
    /// the key of a free-key mapping such as a service's name, or `-` for a list item);
    /// the top level for an empty path.
    pub fn context_at(&self, path: &[&str]) -> Option<CtxId> {
        let mut ctx = self.top();
        let mut i = 0;
        while i < path.len() {
            let key = self.key(ctx, path[i])?;
            i += 1;
            let mut shape = &key.shape;
            loop {
                if let Some(c) = shape.mapping() {
                    // A key of the fixed mapping, or the end of the path.
                    if i == path.len()
                        || self.key(c, path[i]).is_some()
                        || (shape.map_values().is_none() && shape.items().is_none())
                    {
                        ctx = c;
                        break;
                    }
                }
                if i == path.len() {
                    return None;
                }
                let next = if path[i] == "-" {
                    shape.items()
                } else {
                    shape.map_values()
                };
                shape = next?;
                i += 1;
            }
        }
        Some(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_every_key_is_documented() {
        let s = schema();
        assert!(s.contexts.len() >= 5);
        for c in &s.contexts {
            assert!(
                !c.title.is_empty() && c.page.starts_with("https://docs.docker.com/"),
                "{}",
                c.id
            );
            for k in &c.keys {
                assert!(!k.doc.is_empty(), "{}.{}", c.id, k.name);
                assert!(
                    k.link.starts_with("https://docs.docker.com/"),
                    "{}.{}",
                    c.id,
                    k.name
                );
            }
        }
    }

    #[test]
    fn shapes_parse() {
        let ids = |id: &str| (id == "port").then_some(7);
        assert_eq!(
            Shape::parse("list<number|string|{port}>", &ids).unwrap(),
            Shape(vec![Alt::List(Shape(vec![
                Alt::Number,
                Alt::String,
                Alt::Mapping(7)
            ]))])
        );
        assert!(Shape::parse("list<string", &ids).is_err());
        assert!(Shape::parse("{nope}", &ids).is_err());
        assert!(Shape::parse("strin", &ids).is_err());
        assert_eq!(
            Shape::parse("string|list<string>", &ids)
                .unwrap()
                .describe(),
            "a string or a list"
        );
    }

    #[test]
    fn contexts_by_path() {
        let s = schema();
        let id = |p: &[&str]| s.context_at(p).map(|c| s.context(c).id.as_str());
        assert_eq!(id(&[]), Some("top"));
        assert_eq!(id(&["services", "web"]), Some("service"));
        assert_eq!(id(&["services", "web", "ports", "-"]), Some("port"));
        assert_eq!(id(&["services", "web", "healthcheck"]), Some("healthcheck"));
        assert_eq!(
            id(&["services", "web", "depends_on", "db"]),
            Some("depends_on")
        );
        assert_eq!(id(&["services", "web", "nope"]), None);
    }

    #[test]
    fn suggestions() {
        let s = schema();
        let service = s.by_id("service").unwrap();
        assert_eq!(s.suggest(service, "port"), Some("ports"));
        assert_eq!(s.suggest(service, "network"), Some("networks"));
        assert_eq!(s.suggest(service, "netwroks"), Some("networks"));
        assert_eq!(s.suggest(service, "network_mod"), Some("network_mode"));
        assert_eq!(s.suggest(service, "zzzzzz"), None);
        assert_eq!(s.suggest(service, "net"), Some("network_mode"));
    }
}
