//! Request-target splitting, percent-decoding and query parameters.

use std::collections::HashMap;
use std::str::FromStr;

/// Splits `path?query` into its path and query (query without the `?`).
pub fn split_target(target: &str) -> (&str, &str) {
    let target = target.split('#').next().unwrap_or("");
    match target.split_once('?') {
        Some((path, query)) => (path, query),
        None => (target, ""),
    }
}

/// Percent-decodes `s`; `plus_space` also turns `+` into a space (query strings).
/// Invalid escapes are kept verbatim; invalid UTF-8 is replaced lossily.
pub fn decode(s: &str, plus_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decoded query parameters; the first occurrence of a key wins.
#[derive(Debug, Default, Clone)]
pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    /// Parses a raw query string (`a=1&b=x%20y`).
    pub fn parse(raw: &str) -> Self {
        let mut params = HashMap::new();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params
                .entry(decode(k, true))
                .or_insert_with(|| decode(v, true));
        }
        Self { params }
    }

    /// The decoded value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// The `tag` parameter; an empty tag counts as absent.
    pub fn tag(&self) -> Option<&str> {
        self.get("tag").filter(|t| !t.is_empty())
    }

    /// `key` parsed as a number; `default` when absent or invalid.
    pub fn num<T: FromStr>(&self, key: &str, default: T) -> T {
        self.get(key)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// `key` parsed as a number, or `None` when absent or invalid.
    pub fn opt_num<T: FromStr>(&self, key: &str) -> Option<T> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode("a%20b+c%zz%4", true), "a b c%zz%4");
        assert_eq!(decode("a+b%2F", false), "a+b/");
        assert_eq!(decode("%", true), "%");
    }

    #[test]
    fn parses_query() {
        let q = Query::parse("code=4001&reason=bye%20now&tag=&x");
        assert_eq!(q.num("code", 0u16), 4001);
        assert_eq!(q.get("reason"), Some("bye now"));
        assert_eq!(q.tag(), None);
        assert_eq!(q.get("x"), Some(""));
        assert_eq!(split_target("/a?b=1#f"), ("/a", "b=1"));
    }
}
