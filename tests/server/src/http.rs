//! Minimal HTTP/1.1: request-head parsing, responses, static files and control routing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Duration};

use crate::query::{decode, split_target, Query};
use crate::{control, Shared};

/// A parsed request head (request line and headers).
#[derive(Debug, Clone)]
pub struct Head {
    /// Request method, e.g. `GET`.
    pub method: String,
    /// Request target as sent (`/path?query`).
    pub target: String,
    /// Header names (lower-cased) and values.
    pub headers: Vec<(String, String)>,
    /// Length of the head in bytes, including the final blank line.
    pub len: usize,
}

impl Head {
    /// Parses `buf`, which must contain a complete head ending in `\r\n\r\n`.
    pub fn parse(buf: &[u8]) -> Option<Head> {
        let end = find_head_end(buf)?;
        let text = String::from_utf8_lossy(&buf[..end]);
        let mut lines = text.split("\r\n");
        let mut parts = lines.next()?.split_whitespace();
        let method = parts.next()?.to_string();
        let target = parts.next()?.to_string();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Some(Head {
            method,
            target,
            headers,
            len: end,
        })
    }

    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True for a WebSocket upgrade request.
    pub fn is_upgrade(&self) -> bool {
        self.header("upgrade").is_some_and(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("websocket"))
        })
    }
}

/// Index just past the `\r\n\r\n` ending the head, if present.
pub fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// A complete response to write.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub extra: Vec<(&'static str, String)>,
    /// `Cache-Control`: `no-store`, but `no-cache` for static files (still fetched again
    /// on every use, and their pages may enter the back/forward cache, which Chromium
    /// refuses to pages served with `no-store`).
    pub cache_control: &'static str,
}

impl Response {
    /// A response with `status`, content type and body.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        let extra = Vec::new();
        Self {
            status,
            content_type,
            body,
            extra,
            cache_control: "no-store",
        }
    }

    /// A plain-text response whose body is the status reason.
    pub fn status(status: u16) -> Self {
        let body = format!("{status} {}\n", reason(status));
        Self::new(status, "text/plain; charset=utf-8", body)
    }

    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json", value.to_string())
    }

    /// The serialized head (status line and headers, with CORS and `cache_control`).
    pub fn head_bytes(&self) -> Vec<u8> {
        let mut h = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Access-Control-Allow-Origin: *\r\nCache-Control: {}\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len(),
            self.cache_control
        );
        for (k, v) in &self.extra {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str("\r\n");
        h.into_bytes()
    }
}

/// Reason phrase for the status codes this server uses.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Answers one plain HTTP request whose head is still unread on `stream`, then closes.
pub async fn handle(mut stream: TcpStream, head: Head, shared: Arc<Shared>) {
    let mut raw = vec![0; head.len];
    if stream.read_exact(&mut raw).await.is_err() {
        return;
    }
    let resp = route(&head, &shared).await;
    if shared.verbose {
        eprintln!("http {} {} -> {}", head.method, head.target, resp.status);
    }
    send_and_close(stream, &resp, head.method == "HEAD").await;
}

/// Writes `resp`, shuts down the write side and drains briefly so the peer gets it all.
pub async fn send_and_close(mut stream: TcpStream, resp: &Response, head_only: bool) {
    let mut out = resp.head_bytes();
    if !head_only {
        out.extend_from_slice(&resp.body);
    }
    if stream.write_all(&out).await.is_err() || stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut buf = [0u8; 4096];
        let mut total = 0usize;
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            total += n;
            if total > 1 << 20 {
                break;
            }
        }
    };
    let _ = timeout(Duration::from_secs(1), drain).await;
}

async fn route(head: &Head, shared: &Shared) -> Response {
    match head.method.as_str() {
        "GET" | "HEAD" => {}
        "OPTIONS" => {
            let mut r = Response::new(204, "text/plain", Vec::new());
            r.extra
                .push(("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS".into()));
            r.extra.push(("Access-Control-Allow-Headers", "*".into()));
            return r;
        }
        _ => return Response::status(405),
    }
    let (path, query) = split_target(&head.target);
    if let Some(name) = path.strip_prefix("/control/") {
        let q = Query::parse(query);
        return match control::handle(name, &q, &shared.registry) {
            Some(v) => Response::json(200, &v),
            None => Response::json(404, &serde_json::json!({ "error": "unknown control" })),
        };
    }
    static_file(&shared.www, path).await
}

/// Serves `url_path` from `www`.
async fn static_file(www: &Path, url_path: &str) -> Response {
    let decoded = decode(url_path, false);
    let mut file = www.to_path_buf();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Response::status(403),
            s if s.contains('\\') || s.contains('\0') => return Response::status(403),
            s => file.push(s),
        }
    }
    let slash = url_path.ends_with('/');
    let read = tokio::task::spawn_blocking(move || read_file(file, slash)).await;
    match read {
        Ok(Found::File(path, body)) => {
            let mut r = Response::new(200, content_type(&path), body);
            r.cache_control = "no-cache";
            r
        }
        Ok(Found::Dir) => {
            let mut r = Response::status(301);
            r.extra.push(("Location", format!("{url_path}/")));
            r
        }
        _ => Response::status(404),
    }
}

enum Found {
    File(PathBuf, Vec<u8>),
    /// A directory requested without a trailing `/`.
    Dir,
    Missing,
}

fn read_file(mut path: PathBuf, trailing_slash: bool) -> Found {
    if path.is_dir() {
        if !trailing_slash {
            return Found::Dir;
        }
        path.push("index.html");
    }
    match std::fs::read(&path) {
        Ok(body) => Found::File(path, body),
        Err(_) => Found::Missing,
    }
}

/// Content-Type by file extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ts" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
