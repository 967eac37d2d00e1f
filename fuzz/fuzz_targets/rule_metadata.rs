//! Arbitrary bytes as a Panther rule's YAML: `RuleMetadata::parse` never panics, what it accepts
//! obeys its own checks, and what it refuses comes back as a message in words.
#![no_main]

use gatehouse::detect::metadata::{MetadataError, RuleMetadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(yaml) = std::str::from_utf8(data) else {
        return;
    };
    match RuleMetadata::parse(yaml) {
        Ok(m) => {
            assert!(!m.rule_id.is_empty() && m.rule_id.trim() == m.rule_id);
            assert!(!m.rule_id.chars().any(char::is_control), "{:?}", m.rule_id);
            assert!(m.filename.ends_with(".py") && !m.filename.contains(".."));
            assert!(!m.filename.starts_with('/'));
            assert!(!m.analysis_type.is_empty());
            assert!(m.dedup_period_minutes >= 1 && m.threshold >= 1);
            for test in &m.tests {
                assert!(!test.name.is_empty() && test.log.is_object());
                // A test's event must be JSON that can be written and read back.
                let text = serde_json::to_string(&test.log).expect("serializes");
                let back: serde_json::Value = serde_json::from_str(&text).expect("reads back");
                assert_eq!(back, test.log);
            }
        }
        Err(error) => {
            let words = error.to_string();
            let inner = match &error {
                MetadataError::Yaml(message) => message.as_str(),
                MetadataError::Missing { key } => key,
                MetadataError::Invalid { key, problem } => {
                    assert!(!problem.trim().is_empty(), "{error:?}");
                    key.as_str()
                }
            };
            assert!(!inner.trim().is_empty(), "{error:?}");
            assert!(
                words.split_whitespace().count() >= 2
                    && words.chars().any(|c| c.is_ascii_alphabetic()),
                "not words: {words:?}"
            );
        }
    }
});
