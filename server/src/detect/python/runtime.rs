//! [`PythonRuntime`]: the one OS thread that owns the embedded interpreter. Callers (the engine,
//! from `tokio::task::spawn_blocking`; the CLI) send it jobs over a channel and block on the
//! reply, so Python runs in one place with one time limit, and no caller ever holds the GIL.

use std::{
    ffi::CString,
    path::PathBuf,
    sync::{mpsc, Arc, OnceLock},
    time::Duration,
};

use pyo3::{prelude::*, types::PyModule};

use super::{watchdog::Watch, PythonError};

/// The modules embedded in the binary, in import order: `import name` works in any rule.
const EMBEDDED: [(&str, &str); 5] = [
    (
        "panther_event_type_helpers",
        include_str!("py/panther_event_type_helpers.py"),
    ),
    ("gatehouse_event", include_str!("py/gatehouse_event.py")),
    (
        "panther_okta_helpers",
        include_str!("py/panther_okta_helpers.py"),
    ),
    (
        "panther_base_helpers",
        include_str!("py/panther_base_helpers.py"),
    ),
    ("gatehouse_rules", include_str!("py/gatehouse_rules.py")),
];

/// Panther's time limit for one rule on one event is generous; ours is one second.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(1);

type Job = Box<dyn for<'py> FnOnce(Python<'py>, &Interpreter) + Send>;

/// A handle on the interpreter thread. Cheap to clone; the thread stops when the last clone
/// is dropped.
#[derive(Clone)]
pub struct PythonRuntime {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: mpsc::Sender<Job>,
    watch: Arc<Watch>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The interpreter thread ends when `jobs` closes; the watchdog on this flag.
        self.watch.stop();
    }
}

impl std::fmt::Debug for PythonRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonRuntime")
            .field("time_limit", &self.inner.watch.limit())
            .finish()
    }
}

/// What the interpreter thread keeps between jobs: the entry points of `gatehouse_rules`.
pub(super) struct Interpreter {
    pub(super) watch: Arc<Watch>,
    pub(super) load: Py<PyAny>,
    pub(super) evaluate: Py<PyAny>,
    pub(super) make_event: Py<PyAny>,
    pub(super) rule_error: Py<PyAny>,
}

impl PythonRuntime {
    /// Starts the interpreter thread and its watchdog. `helper_dirs` go to the front of
    /// `sys.path` (for `import my_helpers` in rules); `time_limit` bounds one rule on one event
    /// (and the loading of one rule file).
    pub fn new(helper_dirs: Vec<PathBuf>, time_limit: Duration) -> Result<Self, PythonError> {
        let watch = Watch::new(time_limit);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        let thread_watch = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("python-rules".into())
            .spawn(move || {
                let started = register_embedded()
                    .and_then(|()| Python::attach(|py| start(py, &helper_dirs, thread_watch)));
                let interpreter = match started {
                    Ok(interpreter) => interpreter,
                    Err(message) => {
                        let _ = ready_tx.send(Err(message));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                while let Ok(job) = receiver.recv() {
                    // A panicking job drops its reply sender: the caller gets an error, and
                    // this thread lives on for the next job.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        Python::attach(|py| job(py, &interpreter));
                    }));
                }
                Python::attach(|_py| drop(interpreter));
            })
            .map_err(|e| PythonError::Start(format!("cannot start its thread: {e}")))?;
        ready_rx
            .recv()
            .map_err(|_| PythonError::Start("its thread stopped while starting".into()))?
            .map_err(PythonError::Start)?;
        let watchdog = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("python-watchdog".into())
            .spawn(move || watchdog.run())
            .map_err(|e| PythonError::Start(format!("cannot start its watchdog: {e}")))?;
        Ok(PythonRuntime {
            inner: Arc::new(Inner { jobs, watch }),
        })
    }

    /// With the default one-second time limit.
    pub fn with_helpers(helper_dirs: Vec<PathBuf>) -> Result<Self, PythonError> {
        Self::new(helper_dirs, DEFAULT_TIME_LIMIT)
    }

    pub fn time_limit(&self) -> Duration {
        self.inner.watch.limit()
    }

    /// Runs `job` on the interpreter thread and waits for its answer.
    pub(super) fn run<R, F>(&self, job: F) -> Result<R, PythonError>
    where
        R: Send + 'static,
        F: for<'py> FnOnce(Python<'py>, &Interpreter) -> R + Send + 'static,
    {
        let (reply_tx, reply_rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |py, interpreter| {
            let _ = reply_tx.send(job(py, interpreter));
        });
        self.inner
            .jobs
            .send(job)
            .map_err(|_| PythonError::Stopped)?;
        reply_rx.recv().map_err(|_| PythonError::Stopped)
    }
}

/// Loads the embedded modules into `sys.modules`, once per process (the interpreter is shared
/// by every runtime). Called without the GIL: a second runtime starting meanwhile waits here
/// rather than finding a half-executed module.
fn register_embedded() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| Python::attach(|py| EMBEDDED.iter().try_for_each(|m| register(py, m))))
        .clone()
}

fn register(py: Python<'_>, (name, source): &(&str, &str)) -> Result<(), String> {
    let code = CString::new(*source).map_err(|e| e.to_string())?;
    let file = CString::new(format!("<gatehouse>/{name}.py")).map_err(|e| e.to_string())?;
    let module_name = CString::new(*name).map_err(|e| e.to_string())?;
    PyModule::from_code(py, &code, &file, &module_name)
        .map(drop)
        .map_err(|e| format!("embedded module {name}: {e}"))
}

/// Adds the helper directories to `sys.path` and looks up the entry points.
fn start(
    py: Python<'_>,
    helper_dirs: &[PathBuf],
    watch: Arc<Watch>,
) -> Result<Interpreter, String> {
    let describe = |e: PyErr| e.to_string();
    let sys = py.import("sys").map_err(describe)?;
    let path = sys.getattr("path").map_err(describe)?;
    for dir in helper_dirs.iter().rev() {
        let dir = dir.display().to_string();
        if !path.contains(&dir).map_err(describe)? {
            path.call_method1("insert", (0, dir)).map_err(describe)?;
        }
    }
    let rules = py.import("gatehouse_rules").map_err(describe)?;
    let get = |name: &str| rules.getattr(name).map(Bound::unbind).map_err(describe);
    let ident: u64 = py
        .import("threading")
        .and_then(|t| t.call_method0("get_ident"))
        .and_then(|i| i.extract())
        .map_err(describe)?;
    // `unsigned long` in C; pyo3-ffi declares the parameter as `long`: same bits.
    watch.set_target(ident as std::os::raw::c_long, get("RuleTimeout")?);
    Ok(Interpreter {
        load: get("load")?,
        evaluate: get("evaluate")?,
        make_event: get("make_event")?,
        rule_error: get("RuleError")?,
        watch,
    })
}
