//! Source health: the no-events alarm, the health checks, and the system alerts about sources.
//!
//! | file | job |
//! |---|---|
//! | `no_events.rs` | the alarm's state from the facts (pure) |
//! | `checks.rs` | the checks' states after a poll (pure) |
//! | `monitor.rs` | [`Monitor`]: evaluates alarms on a tick and after each poll; writes checks; raises and resolves system alerts |

pub mod checks;
mod monitor;
pub mod no_events;

pub use monitor::Monitor;
