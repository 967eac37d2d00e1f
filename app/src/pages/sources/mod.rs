//! Sources: the list, the onboarding wizard, and one source's page.

pub mod detail;
pub mod list;
pub mod wizard;
