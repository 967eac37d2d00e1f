//! Reusable pieces of UI. Pages compose these rather than repeating markup.

pub mod alert_badge;
pub mod alert_table;
pub mod button;
pub mod card;
pub mod chart;
pub mod coming_soon;
pub mod enrichment_matches;
pub mod error_note;
pub mod field;
pub mod formatted;
pub mod layout;
pub mod live;
pub mod page_header;
pub mod pager;
pub mod search_box;
pub mod status_badge;
pub mod table;
pub mod tabs;
pub mod term;
pub mod ticker;
