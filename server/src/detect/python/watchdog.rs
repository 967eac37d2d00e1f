//! The per-invocation time limit of Python rules. The interpreter thread marks the start and
//! end of each invocation with two atomic stores (no lock, no wake-up); a watchdog thread polls
//! a few times per limit and, when an invocation runs past it, raises `RuleTimeout` inside the
//! interpreter thread with `PyThreadState_SetAsyncExc`. CPython delivers that exception at the
//! next bytecode boundary, so a `while True: pass` stops; a single C call that never returns
//! (a pathological regex) cannot be interrupted this way.
//!
//! Consistency: the interpreter thread changes the marks only while it holds the GIL, and the
//! watchdog re-checks them while holding the GIL before it fires, so it never hits the wrong
//! invocation.

use std::{
    os::raw::c_long,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};

use pyo3::prelude::*;

/// Shared between the interpreter thread and its watchdog.
pub(super) struct Watch {
    limit: Duration,
    epoch: Instant,
    /// Incremented at the start of every invocation.
    generation: AtomicU64,
    /// Nanoseconds since `epoch` + 1 when the current invocation started; 0 when idle.
    started: AtomicU64,
    /// The generation the watchdog fired at (0: none).
    fired: AtomicU64,
    stopped: AtomicBool,
    /// The interpreter thread's `threading.get_ident()` and the exception class to raise there.
    target: OnceLock<(c_long, Py<PyAny>)>,
}

impl Watch {
    pub(super) fn new(limit: Duration) -> Arc<Self> {
        Arc::new(Watch {
            limit,
            epoch: Instant::now(),
            generation: AtomicU64::new(0),
            started: AtomicU64::new(0),
            fired: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            target: OnceLock::new(),
        })
    }

    pub(super) fn limit(&self) -> Duration {
        self.limit
    }

    /// Called once by the interpreter thread, before the first invocation.
    pub(super) fn set_target(&self, thread_ident: c_long, timeout_class: Py<PyAny>) {
        let _ = self.target.set((thread_ident, timeout_class));
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Marks the start of an invocation (the caller holds the GIL); returns its generation.
    pub(super) fn begin(&self, _py: Python<'_>) -> u64 {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.started.store(self.now(), Ordering::SeqCst);
        generation
    }

    /// Marks the end (the caller holds the GIL); true when the watchdog fired during it. Any
    /// exception it injected and Python has not delivered yet is cancelled, so that it cannot
    /// hit the next invocation.
    pub(super) fn end(&self, _py: Python<'_>, generation: u64) -> bool {
        self.started.store(0, Ordering::SeqCst);
        let fired = self.fired.load(Ordering::SeqCst) == generation;
        if fired {
            if let Some((ident, _)) = self.target.get() {
                // SAFETY: the GIL is held; a NULL exception clears the thread's pending one.
                unsafe {
                    pyo3::ffi::PyThreadState_SetAsyncExc(*ident, std::ptr::null_mut());
                }
            }
        }
        fired
    }

    pub(super) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    fn overdue(&self) -> bool {
        let started = self.started.load(Ordering::SeqCst);
        started != 0 && Duration::from_nanos(self.now().saturating_sub(started)) >= self.limit
    }

    /// The watchdog thread's loop; returns once [`Watch::stop`] was called.
    pub(super) fn run(self: Arc<Self>) {
        let poll = (self.limit / 10).clamp(Duration::from_millis(2), Duration::from_millis(100));
        while !self.stopped.load(Ordering::SeqCst) {
            std::thread::sleep(poll);
            if !self.overdue() {
                continue;
            }
            let Some((ident, class)) = self.target.get() else {
                continue;
            };
            Python::attach(|py| {
                // Re-checked under the GIL: the interpreter thread cannot move on meanwhile.
                if self.overdue() {
                    let generation = self.generation.load(Ordering::SeqCst);
                    self.fired.store(generation, Ordering::SeqCst);
                    // SAFETY: the GIL is held and `class` is a live exception class.
                    unsafe {
                        pyo3::ffi::PyThreadState_SetAsyncExc(*ident, class.bind(py).as_ptr());
                    }
                }
            });
        }
    }
}
