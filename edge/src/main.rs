//! xdm-relay-edge: a local stand-in for the Adobe Experience Platform Edge Network and IMS.

mod app;
mod config;
mod faults;
mod http;
mod platform;
mod strict;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const HELP: &str = "\
xdm-relay-edge — a local Adobe Experience Platform Edge Network and IMS for demos, tests and staging

Point the XDM Relay extension at it instead of Adobe (xdm_relay_configure(['edge_url' => 'http://127.0.0.1:PORT']))
and every event your store sends is validated the way the Edge validates it, recorded, and shown at
http://127.0.0.1:PORT/ . Nothing leaves this machine.

USAGE:
    xdm-relay-edge [OPTIONS]

OPTIONS:
    --listen ADDR:PORT     where to listen (default 127.0.0.1:8080; port 0 picks a free port, printed on start)
    --data DIR             where received events are recorded as events.jsonl (default ./xdm-relay-edge-data)
    --config FILE          JSON file declaring datastreams, OAuth clients and faults (see edge/README.md)
    --strict-xdm           also validate every event against the official XDM schemas (needs python3 + jsonschema)
    --xdm-schemas DIR      the XDM schemas for --strict-xdm (default ../shared/xdm)
    --xdm-checker FILE     the checker script for --strict-xdm (default tools/xdm_check.py)
    --public               allow listening on a non-loopback address (the emulator has no authentication of its own)
    -h, --help             this help

CONTROL API:
    GET /_emulator/events?datastreamId=&eventType=&since=&limit=   recorded events (newest last)
    GET /_emulator/stats                                          counts: requests by status, events, duplicates
    DELETE /_emulator/events                                      forget everything recorded
    GET|POST|DELETE /_emulator/faults                             inject failures (503, 429 + Retry-After, latency, resets, ...)
    POST /_emulator/tokens/expire                                 expire every issued IMS token (tests refresh)
    GET|PUT /_emulator/platform                                   the Platform APIs' datasets, sandboxes, tenant and tenant fields

PLATFORM APIS (the admin's data customization report; IMS bearer token required):
    GET /data/foundation/catalog/dataSets/{id}                    a configured dataset with its schemaRef
    GET /data/foundation/schemaregistry/stats                     the tenant id
    GET /data/foundation/schemaregistry/tenant/schemas/{id}       the dataset's schema, resolved (xed-full), with the tenant fields
";

struct Options {
    listen: String,
    data: PathBuf,
    config: Option<PathBuf>,
    strict: bool,
    schemas: PathBuf,
    checker: PathBuf,
    public: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        listen: "127.0.0.1:8080".to_string(),
        data: PathBuf::from("xdm-relay-edge-data"),
        config: None,
        strict: false,
        schemas: PathBuf::from("../shared/xdm"),
        checker: PathBuf::from("tools/xdm_check.py"),
        public: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            "--listen" => o.listen = value("--listen")?,
            "--data" => o.data = PathBuf::from(value("--data")?),
            "--config" => o.config = Some(PathBuf::from(value("--config")?)),
            "--strict-xdm" => o.strict = true,
            "--xdm-schemas" => o.schemas = PathBuf::from(value("--xdm-schemas")?),
            "--xdm-checker" => o.checker = PathBuf::from(value("--xdm-checker")?),
            "--public" => o.public = true,
            other => return Err(format!("unknown option {other:?} (see --help)")),
        }
    }
    Ok(o)
}

fn fail(message: &str) -> ! {
    eprintln!("xdm-relay-edge: {message}");
    std::process::exit(2);
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() {
    let o = parse_args().unwrap_or_else(|e| fail(&e));
    let addr: SocketAddr = o.listen.parse().unwrap_or_else(|_| fail(&format!("--listen {:?} is not an address like 127.0.0.1:8080", o.listen)));
    if !addr.ip().is_loopback() && !o.public {
        fail(&format!("refusing to listen on {addr}: the emulator accepts anything from anyone; add --public if you really mean it"));
    }
    let config = match &o.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("cannot read config {}: {e}", path.display())));
            serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("config {}: {e}", path.display())))
        }
        None => config::Config::default(),
    };
    let strict = if o.strict {
        Some(strict::StrictChecker::start(&o.checker, &o.schemas).unwrap_or_else(|e| fail(&e)))
    } else {
        None
    };
    // The Platform APIs' schemas are built from the same XDM schemas (absent: tenant fields only).
    let library = platform::Library::load(&o.schemas);
    let app = Arc::new(app::App::new(config, o.data.clone(), strict).unwrap_or_else(|e| fail(&e)).with_library(library));
    let listener = TcpListener::bind(addr).unwrap_or_else(|e| fail(&format!("cannot listen on {addr}: {e} (is the port taken?)")));
    let bound = listener.local_addr().unwrap_or_else(|e| fail(&format!("{e}")));
    // SAFETY: installs an async-signal-safe handler that only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let (app, stop) = (Arc::clone(&app), Arc::clone(&stop));
        std::thread::spawn(move || loop {
            use std::io::Write;
            std::thread::sleep(std::time::Duration::from_millis(50));
            if STOP.load(Ordering::SeqCst) {
                stop.store(true, Ordering::SeqCst);
                // Wait for a recording in progress, make the JSONL durable, then go.
                app.quiesce();
                let _ = writeln!(std::io::stderr(), "xdm-relay-edge: stopped; events are in {}", app.jsonl_path.display());
                std::process::exit(0);
            }
        });
    }
    // Written, not println!: a reader that closed the pipe after the first line must not kill
    // the emulator.
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "xdm-relay-edge listening on http://{bound}");
    let _ = writeln!(out, "inspector: http://{bound}/   events recorded in {}", app.jsonl_path.display());
    let _ = out.flush();
    let handler = Arc::new(move |req: &http::Request| app.handle(req));
    http::serve(listener, stop, handler);
}
