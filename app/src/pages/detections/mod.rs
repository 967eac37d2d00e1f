//! Detections: `/detections` (packs and rules with their per-source switches), `/detections/new`
//! and `/detections/rules/:id` (a rule's page; custom rules are edited there).

pub mod editor;
pub mod list;
pub mod rule;
