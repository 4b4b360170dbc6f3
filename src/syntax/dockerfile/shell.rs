//! BuildKit's word processing (`frontend/dockerfile/shell/lex.go`): quotes, the escape
//! character and `$VAR` / `${VAR}` / `${VAR:-w}` / `${VAR-w}` / `${VAR:+w}` / `${VAR+w}` /
//! `${VAR:?w}` / `${VAR?w}`, as `ENV`, `ARG`, `EXPOSE` and the other expanding instructions
//! apply them at build time.
//!
//! One difference on purpose: a variable whose value we do not know (not declared in the
//! Dockerfile, declared without a value, or set from something unknown) makes the whole
//! word unknown (`None`), where BuildKit would use the base image's environment, a
//! `--build-arg` or the empty string. The pattern operators (`${V#p}`, `${V%p}`,
//! `${V/p/r}`) give `None` too: rare in the instructions portside reads.

/// A processed word: the single-word result (`ENV`, `ARG`) and the result split into words
/// at unquoted whitespace (`EXPOSE`, which can expand to several ports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub word: String,
    pub words: Vec<String>,
}

/// Processes `src` as BuildKit does with the escape character `escape` (`\` or `` ` ``);
/// `env` gives a variable's value, `None` when it is not known. `None` when a variable is
/// not known, or the word is malformed (an unterminated quote, `${`...).
pub fn process(src: &str, escape: char, env: &dyn Fn(&str) -> Option<String>) -> Option<Processed> {
    if !src.contains(['$', '\'', '"', escape, '<']) {
        return Some(Processed {
            word: src.to_string(),
            words: src.split_whitespace().map(str::to_string).collect(),
        });
    }
    let mut lexer = Lexer {
        chars: src.chars().collect(),
        pos: 0,
        escape,
        env,
        depth: 0,
    };
    let (word, words) = lexer.until(None, false)?;
    Some(Processed { word, words })
}

/// How deep `${A:-${B:-...}}` may nest before the word counts as unknown: the lexer
/// recurses there, and a hostile file must not exhaust the stack.
const MAX_DEPTH: usize = 32;

struct Lexer<'e> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    env: &'e dyn Fn(&str) -> Option<String>,
    depth: usize,
}

/// The words of a result: unquoted whitespace splits, quoted or escaped text does not.
#[derive(Default)]
struct Words {
    buf: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() {
            if self.in_word && !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(c);
        }
    }

    fn add_raw_char(&mut self, c: char) {
        self.buf.push(c);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.words.push(self.buf);
        }
        self.words
    }
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// Reads up to `stop` (consumed) or the end; `None` when `stop` is never found.
    fn until(&mut self, stop: Option<char>, raw_escapes: bool) -> Option<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Some((result, words.finish()));
            }
            match c {
                '$' => {
                    let value = self.dollar()?;
                    result.push_str(&value);
                    words.add_string(&value);
                }
                '\'' => {
                    let value = self.single_quoted()?;
                    result.push_str(&value);
                    words.add_raw_string(&value);
                }
                '"' => {
                    let value = self.double_quoted(raw_escapes)?;
                    result.push_str(&value);
                    words.add_raw_string(&value);
                }
                '<' => {
                    // `<<` and the blanks after it stay one word (a heredoc marker).
                    self.pos += 1;
                    let mut value = String::from("<");
                    if self.peek() == Some('<') {
                        self.pos += 1;
                        value.push('<');
                        while let Some(c) = self.peek().filter(|c| *c == ' ' || *c == '\t') {
                            value.push(c);
                            self.pos += 1;
                        }
                    }
                    result.push_str(&value);
                    words.add_raw_string(&value);
                }
                _ => {
                    self.pos += 1;
                    let mut c = c;
                    if c == self.escape {
                        if raw_escapes {
                            words.add_raw_char(c);
                            result.push(c);
                        }
                        let Some(escaped) = self.next() else { break };
                        c = escaped;
                        words.add_raw_char(c);
                    } else {
                        words.add_char(c);
                    }
                    result.push(c);
                }
            }
        }
        if stop.is_some() {
            return None;
        }
        Some((result, words.finish()))
    }

    fn single_quoted(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next()? {
                '\'' => return Some(out),
                c => out.push(c),
            }
        }
    }

    fn double_quoted(&mut self, raw_escapes: bool) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek()? {
                '"' => {
                    self.pos += 1;
                    return Some(out);
                }
                '$' => out.push_str(&self.dollar()?),
                _ => {
                    let mut c = self.next()?;
                    if c == self.escape {
                        if raw_escapes {
                            out.push(c);
                        }
                        match self.peek() {
                            // An escape at the very end is dropped.
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                c = n;
                                self.pos += 1;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }

    fn dollar(&mut self) -> Option<String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Some("$".to_string());
            }
            return self.lookup(&name);
        }
        self.pos += 1;
        match self.peek() {
            None | Some('{' | '}' | ':') => return None,
            _ => {}
        }
        let name = self.name();
        let mut modifier = self.next()?;
        let mut null_is_unset = false;
        match modifier {
            '}' => return self.lookup(&name),
            '/' => return None,
            ':' => {
                null_is_unset = true;
                modifier = self.next()?;
            }
            _ => {}
        }
        if !matches!(modifier, '+' | '-' | '?' | '#' | '%') {
            return None;
        }
        let pattern = modifier == '#' || modifier == '%';
        if null_is_unset && pattern {
            return None;
        }
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let inner = self.until(Some('}'), pattern);
        self.depth -= 1;
        let (word, _) = inner?;
        let value = self.lookup(&name)?;
        let empty = null_is_unset && value.is_empty();
        match modifier {
            '-' => Some(if empty { word } else { value }),
            '+' => Some(if empty { String::new() } else { word }),
            // `${V:?}` with V empty stops the build; not ours to report here.
            '?' => (!empty).then_some(value),
            _ => None,
        }
    }

    /// A variable name: letters, digits and `_`; a run of digits or one special parameter.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return c.to_string();
            }
            if !c.is_alphanumeric() && c != '_' {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        name
    }
}

/// BuildKit's `parseWords`: splits at whitespace outside quotes, keeping quotes and escapes
/// in the words (they are processed later, word by word). For `ENV` and `ARG`.
pub fn raw_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut buf = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if !in_word && c.is_whitespace() => {}
            None if c.is_whitespace() => {
                if blank_ok || !buf.is_empty() {
                    words.push(std::mem::take(&mut buf));
                }
                in_word = false;
                blank_ok = false;
            }
            None => {
                in_word = true;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                }
                if c == escape {
                    let Some(n) = chars.next() else { continue };
                    buf.push(c);
                    buf.push(n);
                    continue;
                }
                buf.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    let Some(n) = chars.next() else {
                        quote = None;
                        continue;
                    };
                    buf.push(c);
                    buf.push(n);
                    continue;
                }
                buf.push(c);
            }
        }
    }
    if in_word && (blank_ok || !buf.is_empty()) {
        words.push(buf);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PORT" => Some("8080".into()),
            "EMPTY" => Some(String::new()),
            "TWO" => Some("80 443".into()),
            _ => None,
        }
    }

    fn word(src: &str) -> Option<String> {
        process(src, '\\', &env).map(|p| p.word)
    }

    fn words(src: &str) -> Option<Vec<String>> {
        process(src, '\\', &env).map(|p| p.words)
    }

    #[test]
    fn variables_and_modifiers() {
        assert_eq!(word("$PORT").as_deref(), Some("8080"));
        assert_eq!(word("${PORT}/tcp").as_deref(), Some("8080/tcp"));
        assert_eq!(word("${PORT:-3000}").as_deref(), Some("8080"));
        assert_eq!(word("${EMPTY:-3000}").as_deref(), Some("3000"));
        assert_eq!(word("${EMPTY-3000}").as_deref(), Some(""));
        assert_eq!(word("${PORT:+x}").as_deref(), Some("x"));
        assert_eq!(word("${EMPTY:+x}").as_deref(), Some(""));
        assert_eq!(word("${EMPTY+x}").as_deref(), Some("x"));
        assert_eq!(word("${PORT:?no}").as_deref(), Some("8080"));
        assert_eq!(word("${PORT:-$EMPTY}").as_deref(), Some("8080"));
        // Unknown variables, patterns and malformed words: not guessed.
        assert_eq!(word("$NOPE"), None);
        assert_eq!(word("${NOPE:-80}"), None);
        assert_eq!(word("${PORT%0}"), None);
        assert_eq!(word("${PORT/8/9}"), None);
        assert_eq!(word("${PORT"), None);
        assert_eq!(word("${}"), None);
        assert_eq!(word("'open"), None);
        // Deep nesting is not followed (no stack exhaustion on hostile input).
        let deep = "${PORT:-".repeat(100_000) + &"}".repeat(100_000);
        assert_eq!(word(&deep), None);
        let fine = "${PORT:-".repeat(10) + &"}".repeat(10);
        assert_eq!(word(&fine).as_deref(), Some("8080"));
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(word("'$PORT'").as_deref(), Some("$PORT"));
        assert_eq!(word("\"$PORT\"").as_deref(), Some("8080"));
        assert_eq!(word("\\$PORT").as_deref(), Some("$PORT"));
        assert_eq!(word("\"a\\\"b\\x\"").as_deref(), Some("a\"b\\x"));
        assert_eq!(word("a$").as_deref(), Some("a$"));
        assert_eq!(word("$-x").as_deref(), None);
        assert_eq!(
            process("`$PORT", '`', &env).map(|p| p.word).as_deref(),
            Some("$PORT")
        );
        assert_eq!(
            process("C:\\app", '`', &env).map(|p| p.word).as_deref(),
            Some("C:\\app")
        );
    }

    #[test]
    fn word_splitting() {
        assert_eq!(words("$TWO").unwrap(), ["80", "443"]);
        assert_eq!(words("\"$TWO\"").unwrap(), ["80 443"]);
        assert_eq!(words("80/tcp").unwrap(), ["80/tcp"]);
        assert_eq!(words("$EMPTY").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn raw_words_keep_quotes() {
        assert_eq!(
            raw_words("A=1 B=\"two words\" C='x y' D=a\\ b", '\\'),
            ["A=1", "B=\"two words\"", "C='x y'", "D=a\\ b"]
        );
        assert_eq!(raw_words("  X=\"\"  ", '\\'), ["X=\"\""]);
    }
}
