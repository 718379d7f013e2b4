//! A small HTTP/1.1 server on std sockets. Hand-written rather than a framework because the
//! emulator must misbehave on purpose (drop a connection after reading a body, hold a request
//! until the client times out) and must bound everything a hostile client could grow: header
//! size, body size, time to send headers, number of connections.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The Edge's own limit is 64 KiB; bodies up to this size are read (to answer 413 like the
/// Edge does); larger ones are refused before reading.
pub const MAX_READ_BODY: usize = 1024 * 1024;
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_CONNECTIONS: usize = 256;

pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The declared body was larger than `MAX_READ_BODY` and was not read.
    pub body_too_large: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response { status, content_type: "application/json", headers: Vec::new(), body: value.to_string().into_bytes() }
    }

    pub fn problem(status: u16, value: &serde_json::Value) -> Response {
        Response { status, content_type: "application/problem+json", headers: Vec::new(), body: value.to_string().into_bytes() }
    }

    pub fn empty(status: u16) -> Response {
        Response { status, content_type: "application/json", headers: Vec::new(), body: Vec::new() }
    }

    pub fn html(body: &'static str) -> Response {
        Response { status: 200, content_type: "text/html; charset=utf-8", headers: Vec::new(), body: body.as_bytes().to_vec() }
    }

    pub fn with_header(mut self, name: &str, value: String) -> Response {
        self.headers.push((name.to_string(), value));
        self
    }
}

/// What the application wants done with a request.
pub enum Action {
    Respond(Response),
    /// Close the connection without answering (the request landed, the response is lost).
    Reset,
    /// Wait, then close without answering (a client-side timeout).
    Hang(Duration),
    /// Never answer: keep the connection until the client closes it (or `MAX_HOLD`).
    Hold,
}

/// The longest a `Hold` keeps a connection.
const MAX_HOLD: Duration = Duration::from_secs(600);

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        207 => "Multi-Status",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response, keep_alive: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a separate body write would wait for the client's delayed ACK of the head.
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&r.body);
    stream.write_all(&bytes)?;
    stream.flush()
}

/// `%XX` decoded byte by byte (a malformed escape stays as it is); `+` is a space only in a
/// query (`plus_as_space`), not in a path segment.
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_as_space => out.push(b' '),
            b'%' => match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

enum ReadError {
    Closed,
    Bad(u16, &'static str),
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Request, ReadError> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.by_ref().take((MAX_HEADER_BYTES + 1 - head.len().min(MAX_HEADER_BYTES)) as u64).read_until(b'\n', &mut line).map_err(|_| ReadError::Closed)?;
        if n == 0 {
            return Err(if head.is_empty() { ReadError::Closed } else { ReadError::Bad(400, "truncated request") });
        }
        if head.len() + line.len() > MAX_HEADER_BYTES {
            return Err(ReadError::Bad(431, "request headers too large"));
        }
        let blank = line == b"\r\n" || line == b"\n";
        if blank && head.is_empty() {
            continue;
        }
        head.extend_from_slice(&line);
        if blank {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ReadError::Bad(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Bad(400, "unsupported protocol"));
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(ReadError::Bad(400, "malformed header"));
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (target.to_string(), Vec::new()),
    };
    let mut request = Request { method: method.to_string(), path, query, headers, body: Vec::new(), body_too_large: false };
    if request.header("Transfer-Encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return Err(ReadError::Bad(411, "chunked bodies are not supported; send Content-Length"));
    }
    let length = match request.header("Content-Length") {
        Some(v) => v.trim().parse::<usize>().map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
        None => 0,
    };
    if length > MAX_READ_BODY {
        request.body_too_large = true;
        return Ok(request);
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).map_err(|_| ReadError::Bad(400, "truncated body"))?;
    request.body = body;
    Ok(request)
}

/// Serves until `stop` is set. One thread per connection, at most `MAX_CONNECTIONS`.
pub fn serve<F>(listener: TcpListener, stop: Arc<AtomicBool>, handler: Arc<F>)
where
    F: Fn(&Request) -> Action + Send + Sync + 'static,
{
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::Acquire) {
            break;
        }
        let Ok(stream) = stream else { continue };
        if active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        active.fetch_add(1, Ordering::AcqRel);
        let (handler, active, stop) = (Arc::clone(&handler), Arc::clone(&active), Arc::clone(&stop));
        let spawned = std::thread::Builder::new().name("edge-conn".to_string()).spawn(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| connection(stream, &*handler, &stop)));
            active.fetch_sub(1, Ordering::AcqRel);
        });
        if spawned.is_err() {
            // The closure (and its counter decrement) never ran.
            continue;
        }
    }
}

fn connection<F: Fn(&Request) -> Action>(stream: TcpStream, handler: &F, stop: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(HEADER_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, why)) => {
                let body = serde_json::json!({"type": "https://ns.adobe.com/aep/errors/EXEG-0101-400", "status": status, "title": why});
                let _ = write_response(&mut writer, &Response::problem(status, &body), false);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        let keep_alive = !request.header("Connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) && !request.body_too_large;
        match handler(&request) {
            Action::Respond(r) => {
                if write_response(&mut writer, &r, keep_alive).is_err() || !keep_alive || stop.load(Ordering::Acquire) {
                    let _ = writer.shutdown(Shutdown::Both);
                    return;
                }
            }
            Action::Reset => {
                // SO_LINGER 0 makes close() send a RST: the client sees "connection reset".
                let linger = libc::linger { l_onoff: 1, l_linger: 0 };
                use std::os::unix::io::AsRawFd;
                // SAFETY: setsockopt on our own socket with a correctly sized struct.
                unsafe {
                    libc::setsockopt(
                        writer.as_raw_fd(),
                        libc::SOL_SOCKET,
                        libc::SO_LINGER,
                        &linger as *const libc::linger as *const libc::c_void,
                        std::mem::size_of::<libc::linger>() as libc::socklen_t,
                    );
                }
                return;
            }
            Action::Hang(d) => {
                std::thread::sleep(d);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Action::Hold => {
                // Wait for the client to give up (EOF) without ever writing a byte.
                let started = std::time::Instant::now();
                let _ = reader.get_ref().set_read_timeout(Some(Duration::from_secs(1)));
                let mut byte = [0u8; 1];
                while started.elapsed() < MAX_HOLD && !stop.load(Ordering::Acquire) {
                    match reader.get_mut().read(&mut byte) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
                        Err(_) => break,
                    }
                }
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
        let _ = reader.get_ref().set_read_timeout(Some(IDLE_TIMEOUT));
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("https%3A%2F%2Fns.adobe.com%2Fx", false), "https://ns.adobe.com/x");
        assert_eq!(percent_decode("plain%", false), "plain%");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a+b%20c", true), "a b c");
        // a malformed escape before a multi-byte character stays as it is
        assert_eq!(percent_decode("%aé", false), "%aé");
    }
}
