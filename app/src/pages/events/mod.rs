//! The event explorer: `list.rs` (`/events`: filters in the address, keyset pages) and
//! `detail.rs` (`/events/:id`: one stored event in full).

pub mod detail;
pub mod list;
