//! `resocket-test-server [--port N] [--www DIR] [--port-file PATH] [-v]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use resocket_test_server::{serve_until, Config};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: resocket-test-server [--port N] [--www DIR] [--port-file PATH] [-v]";

struct Args {
    port: u16,
    www: PathBuf,
    port_file: Option<PathBuf>,
    verbose: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        port: 8080,
        www: PathBuf::from("www"),
        port_file: None,
        verbose: false,
    };
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--www" => args.www = PathBuf::from(value()?),
            "--port-file" => args.port_file = Some(PathBuf::from(value()?)),
            "-v" | "--verbose" => args.verbose = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(args)
}

/// Writes `port` to `path` via a temporary file and a rename.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    std::fs::write(&tmp, port.to_string())?;
    std::fs::rename(&tmp, path)
}

/// Registers SIGINT/SIGTERM now; the future resolves on the first of them.
fn shutdown_signals() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Handlers go in before the "listening" line, so a signal right after it is not lost.
    let shutdown = match shutdown_signals() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bind 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map_or(args.port, |a| a.port());
    // The port file is in place before the stdout line, so either signal means ready.
    if let Some(path) = &args.port_file {
        if let Err(e) = write_port_file(path, port) {
            eprintln!("port file {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("listening on 127.0.0.1:{port}");
    let _ = std::io::stdout().flush();
    let config = Config {
        www: args.www,
        verbose: args.verbose,
    };
    match serve_until(listener, config, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
