//! Request workers: the threads that carry batches to the Edge, so that several requests can be
//! in flight and a hung one holds only its own slot until its deadline.
//!
//! Workers are started on demand, one per request in flight, and end after a short idle time:
//! an idle process has no worker at all (only the sender thread). They inherit the sender's
//! signal mask (everything blocked), so PHP's timers and FPM's signals never land on them.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
// SeqCst on `alive` everywhere: a worker leaving and a job arriving must see each other.
use std::sync::Arc;
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::edge::Client;
use super::policy::{self, Outcome};
use super::record::Destination;

/// A worker with nothing to do for this long ends.
const WORKER_IDLE: Duration = Duration::from_secs(1);
/// Enough for ureq, rustls and serde on this path (the default 2 MiB is address space only,
/// but a smaller stack keeps a busy process's footprint honest).
const WORKER_STACK: usize = 512 * 1024;

pub struct Job {
    pub id: u64,
    pub client: Arc<Client>,
    pub dest: Destination,
    pub body: Vec<u8>,
}

pub struct Done {
    pub id: u64,
    pub outcome: Outcome,
    pub rtt: Duration,
    /// The request code panicked (a bug): counted, and the batch retried.
    pub panicked: bool,
}

pub struct Pool {
    jobs: Sender<Job>,
    jobs_rx: Receiver<Job>,
    done: Sender<Done>,
    pub results: Receiver<Done>,
    alive: Arc<AtomicUsize>,
    waker: Thread,
}

impl Pool {
    /// `waker`: the sender thread, unparked when a result arrives.
    pub fn new(waker: Thread) -> Pool {
        let (jobs, jobs_rx) = crossbeam_channel::unbounded();
        let (done, results) = crossbeam_channel::unbounded();
        Pool { jobs, jobs_rx, done, results, alive: Arc::new(AtomicUsize::new(0)), waker }
    }

    /// Workers now running.
    pub fn workers(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }

    /// Hands a job to a worker; `in_flight`: jobs out including this one.
    pub fn submit(&self, job: Job, in_flight: usize) -> Result<(), String> {
        self.jobs.send(job).map_err(|_| "the request queue is closed".to_string())?;
        if self.alive.load(Ordering::SeqCst) < in_flight {
            self.spawn()?;
        }
        Ok(())
    }

    fn spawn(&self) -> Result<(), String> {
        self.alive.fetch_add(1, Ordering::SeqCst);
        let (jobs, done, alive, waker) = (self.jobs_rx.clone(), self.done.clone(), Arc::clone(&self.alive), self.waker.clone());
        let spawned = std::thread::Builder::new()
            .name("xdm-relay-http".to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || work(&jobs, &done, &alive, &waker));
        if let Err(e) = spawned {
            self.alive.fetch_sub(1, Ordering::SeqCst);
            // Jobs still go out through the workers that exist; with none, nothing would.
            if self.alive.load(Ordering::SeqCst) == 0 {
                return Err(format!("cannot start a request thread: {e}"));
            }
        }
        Ok(())
    }
}

fn work(jobs: &Receiver<Job>, done: &Sender<Done>, alive: &AtomicUsize, waker: &Thread) {
    loop {
        match jobs.recv_timeout(WORKER_IDLE) {
            Ok(job) => {
                let started = Instant::now();
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| job.client.send(&job.dest, &job.body)));
                let (outcome, panicked) = match result {
                    Ok(o) => (o, false),
                    Err(_) => (policy::classify_transport(true, "internal error in the request thread (recovered)"), true),
                };
                let _ = done.send(Done { id: job.id, outcome, rtt: started.elapsed(), panicked });
                waker.unpark();
            }
            Err(RecvTimeoutError::Timeout) => {
                alive.fetch_sub(1, Ordering::SeqCst);
                // A job sent while this worker was deciding to leave must not be stranded.
                if jobs.is_empty() {
                    return;
                }
                alive.fetch_add(1, Ordering::SeqCst);
            }
            Err(RecvTimeoutError::Disconnected) => {
                alive.fetch_sub(1, Ordering::SeqCst);
                return;
            }
        }
    }
}
