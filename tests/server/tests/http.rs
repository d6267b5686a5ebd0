//! Plain HTTP (static files, headers) and the binary's CLI.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{make_www, start, WAIT, WASM};

#[tokio::test]
async fn serves_wasm_with_content_type() {
    let s = start().await;
    let r = s.get("/app.wasm").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.body, WASM);
    let js = s.get("/app.js?v=1").await;
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
}

#[tokio::test]
async fn index_and_directories() {
    let s = start().await;
    assert_eq!(s.get("/").await.body, b"<h1>root</h1>");
    assert_eq!(s.get("/sub/").await.body, b"<h1>sub</h1>");
    let r = s.get("/sub").await;
    assert_eq!((r.status, r.header("location")), (301, Some("/sub/")));
    assert_eq!(s.get("/missing.js").await.status, 404);
    let head = s.request("HEAD", "/app.wasm").await;
    assert_eq!((head.status, head.body.len()), (200, 0));
}

#[tokio::test]
async fn dot_dot_is_rejected() {
    let s = start().await;
    assert_eq!(s.get("/../Cargo.toml").await.status, 403);
    assert_eq!(s.get("/sub/%2e%2e/index.html").await.status, 403);
}

// Static files are `no-cache` (fetched again on every use, yet their pages may enter the
// back/forward cache); everything else is `no-store`.
#[tokio::test]
async fn cors_and_no_store_everywhere_but_files() {
    let s = start().await;
    for (target, cache) in [
        ("/", "no-cache"),
        ("/missing", "no-store"),
        ("/control/stats", "no-store"),
        ("/../x", "no-store"),
    ] {
        let r = s.get(target).await;
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("*"),
            "{target}"
        );
        assert_eq!(r.header("cache-control"), Some(cache), "{target}");
        assert_eq!(r.header("connection"), Some("close"), "{target}");
    }
    let r = s.get("/control/stats").await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(s.request("OPTIONS", "/control/stats").await.status, 204);
    assert_eq!(s.request("POST", "/").await.status, 405);
}

/// Kills the child process if the test fails before it exits.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn binary_prints_port_and_exits_on_sigterm() {
    let www = make_www();
    let port_file = www.join("port");
    let child = Command::new(env!("CARGO_BIN_EXE_resocket-test-server"))
        .args(["--port", "0", "--www"])
        .arg(&www)
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Reaper(child);
    let mut line = String::new();
    let stdout = child.0.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening on 127.0.0.1:").unwrap();
    assert_eq!(std::fs::read_to_string(&port_file).unwrap(), port);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = common::Server { addr, www };
    assert_eq!(rt.block_on(server.get("/")).status, 200);

    let pid = child.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = child.0.try_wait().unwrap() {
            break st;
        }
        assert!(std::time::Instant::now() < deadline, "server did not exit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
