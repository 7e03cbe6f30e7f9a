//! A tiny scripted HTTP/1.1 server on 127.0.0.1 for the fetch tests: one thread accepts, one thread per
//! connection answers one request then closes. Each route plays a sequence of [`Reply`]s (the last one
//! repeats) and every request is recorded. Faults: status codes, delays before the head or the body, a
//! connection dropped after N body bytes, a false or missing `Content-Length`, redirects, and ETag
//! revalidation (`If-None-Match` equal to the reply's ETag gets a 304). Dropping the [`Server`] stops
//! every thread (delays are cut short).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How `Content-Length` is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    /// The body's real length.
    Real,
    /// A chosen (false) value.
    Fake(u64),
    /// None: the body ends when the connection closes.
    Omit,
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay_head: Duration,
    delay_body: Duration,
    drop_after: Option<usize>,
    length: Length,
    etag: Option<String>,
    /// Sends the body `n` bytes at a time, pausing between pieces.
    trickle: Option<(usize, Duration)>,
}

impl Reply {
    /// 200 with this body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/octet-stream".into())],
            body: body.into(),
            delay_head: Duration::ZERO,
            delay_body: Duration::ZERO,
            drop_after: None,
            length: Length::Real,
            etag: None,
            trickle: None,
        }
    }

    /// This status with a short text body.
    pub fn status(code: u16) -> Reply {
        Reply { status: code, ..Reply::ok(format!("status {code}\n")) }
    }

    /// A redirect to `location` (absolute or server-relative).
    pub fn redirect(code: u16, location: &str) -> Reply {
        Reply::status(code).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sends this ETag, and answers 304 to a request whose `If-None-Match` equals it.
    pub fn etag(mut self, tag: &str) -> Reply {
        self.etag = Some(tag.to_string());
        self
    }

    /// Waits before sending the status line.
    pub fn delay_head(mut self, d: Duration) -> Reply {
        self.delay_head = d;
        self
    }

    /// Sends the head, then waits before the body.
    pub fn delay_body(mut self, d: Duration) -> Reply {
        self.delay_body = d;
        self
    }

    /// Sends the body `n` bytes every `every` (a slow or malicious server).
    pub fn trickle(mut self, n: usize, every: Duration) -> Reply {
        self.trickle = Some((n.max(1), every));
        self
    }

    /// Closes the connection after `n` body bytes.
    pub fn drop_after(mut self, n: usize) -> Reply {
        self.drop_after = Some(n);
        self
    }

    /// Announces this `Content-Length` whatever the body.
    pub fn content_length(mut self, n: u64) -> Reply {
        self.length = Length::Fake(n);
        self
    }

    /// Sends no `Content-Length` (body delimited by closing the connection).
    pub fn no_content_length(mut self) -> Reply {
        self.length = Length::Omit;
        self
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Request target: path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Route {
    replies: Vec<Reply>,
    next: usize,
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    log: Mutex<Vec<Recorded>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    stop: AtomicBool,
}

/// The running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let acceptor = std::thread::spawn(move || {
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let s2 = Arc::clone(&s);
                        let worker = std::thread::spawn(move || serve(stream, &s2));
                        if let Ok(mut w) = s.workers.lock() {
                            w.push(worker);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server { addr, shared, acceptor: Some(acceptor) }
    }

    /// Scripts `target` (path and query, e.g. `/a/b.zip?x=1`), replacing any earlier script.
    pub fn route(&self, target: &str, replies: Vec<Reply>) {
        assert!(!replies.is_empty(), "a route needs at least one reply");
        let mut routes = self.shared.routes.lock().expect("routes lock");
        routes.insert(target.to_string(), Route { replies, next: 0 });
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, target: &str) -> String {
        format!("{}{target}", self.base())
    }

    /// Requests received for `target`, in order.
    pub fn requests(&self, target: &str) -> Vec<Recorded> {
        let log = self.shared.log.lock().expect("log lock");
        log.iter().filter(|r| r.target == target).cloned().collect()
    }

    pub fn hits(&self, target: &str) -> usize {
        self.requests(target).len()
    }

    /// Every request received.
    pub fn all_requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().expect("log lock").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        let workers: Vec<_> = match self.shared.workers.lock() {
            Ok(mut w) => w.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for w in workers {
            let _ = w.join();
        }
    }
}

/// Sleeps up to `d`, returning early (false) when the server stops.
fn pause(shared: &Shared, d: Duration) -> bool {
    let end = Instant::now() + d;
    while Instant::now() < end {
        if shared.stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut byte).ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&byte[..n]);
    }
    String::from_utf8(head).ok()
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Some(head) = read_head(&mut stream) else { return };
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let request = Recorded { method, target: target.clone(), headers };
    let reply = {
        let mut routes = shared.routes.lock().expect("routes lock");
        match routes.get_mut(&target) {
            Some(route) => {
                let i = route.next.min(route.replies.len() - 1);
                route.next += 1;
                route.replies[i].clone()
            }
            None => Reply::status(404),
        }
    };
    let revalidated = reply.etag.is_some() && request.header("If-None-Match") == reply.etag.as_deref();
    shared.log.lock().expect("log lock").push(request);

    if !pause(shared, reply.delay_head) {
        return;
    }
    let (status, body) = if revalidated { (304, Vec::new()) } else { (reply.status, reply.body.clone()) };
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(tag) = &reply.etag {
        out.push_str(&format!("ETag: {tag}\r\n"));
    }
    if status != 304 {
        match reply.length {
            Length::Real => out.push_str(&format!("Content-Length: {}\r\n", body.len())),
            Length::Fake(n) => out.push_str(&format!("Content-Length: {n}\r\n")),
            Length::Omit => {}
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    if stream.write_all(out.as_bytes()).and_then(|_| stream.flush()).is_err() {
        return;
    }
    if !pause(shared, reply.delay_body) {
        return;
    }
    let end = reply.drop_after.unwrap_or(body.len()).min(body.len());
    let (piece, every) = reply.trickle.unwrap_or((16 * 1024, Duration::ZERO));
    for chunk in body[..end].chunks(piece) {
        if shared.stop.load(Ordering::SeqCst) || stream.write_all(chunk).and_then(|_| stream.flush()).is_err()
        {
            return;
        }
        if !every.is_zero() && !pause(shared, every) {
            return;
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
