//! The engine's side of the Detections page: packs and rules with their per-source switches,
//! match counts and errors; custom Python rules (saved only once they compile) and the rule
//! test panel.

use std::collections::HashMap;

use app::model::{
    alert::Severity,
    detection::{
        CustomRuleInput, DetectionsOverview, PackView, RuleDetail, RuleMatchRow, RuleTestVerdict,
        RuleView, CUSTOM_PACK, DEFAULT_PACKS,
    },
    source::FieldProblem,
    AppError, FieldError,
};

use serde_json::Value;

use super::{internal, rfc3339_ms, store_error, Engine};
use crate::{
    detect::{
        builtin_packs,
        metadata::RuleMetadata,
        python::{PythonError, PythonRuntime},
        worker::rule_metadata,
        Rule,
    },
    store::{now_ms, CustomRuleRow, MatchRow, RuleErrorRow, StoreError},
};

/// Matches listed on a rule's page.
const RULE_MATCHES: i64 = 50;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What the overview needs besides the rules themselves.
struct Activity {
    matches: HashMap<String, i64>,
    errors: HashMap<String, RuleErrorRow>,
}

impl Activity {
    fn apply(&self, view: &mut RuleView) {
        view.matches_24h = self.matches.get(&view.id).copied().unwrap_or(0);
        if let Some(e) = self.errors.get(&view.id) {
            view.errors = e.errors;
            view.last_error = Some(e.last_error.clone());
            view.last_error_at = Some(rfc3339_ms(e.last_error_at));
        }
    }
}

impl Engine {
    pub async fn detections(&self, source_id: Option<i64>) -> Result<DetectionsOverview, AppError> {
        let context = "detections";
        let switches = self
            .store
            .detection_switches()
            .await
            .map_err(store_error(context))?;
        let source_id = match source_id {
            Some(id) if switches.sources.iter().any(|(s, _)| *s == id) => Some(id),
            Some(id) => return Err(AppError::NotFound(format!("Source {id}"))),
            None => switches.sources.first().map(|(id, _)| *id),
        };
        let pack_on = |pack: &str| {
            source_id.is_some_and(|s| switches.packs.iter().any(|(id, p)| *id == s && p == pack))
        };
        let rule_on = |rule: &str| {
            source_id.is_some_and(|s| {
                !switches
                    .disabled
                    .iter()
                    .any(|(id, r)| *id == s && r == rule)
            })
        };
        let activity = self.activity().await.map_err(store_error(context))?;

        let mut packs: Vec<PackView> = builtin_packs()
            .iter()
            .map(|pack| PackView {
                id: pack.id.to_owned(),
                name: pack.name.to_owned(),
                description: "Panther's Okta detections, built in and run natively: privileged \
                    grants, API tokens, support access, MFA changes, ThreatInsight, suspicious \
                    sessions and more."
                    .to_owned(),
                enabled: pack_on(pack.id),
                rules: pack
                    .rules
                    .iter()
                    .map(|rule| {
                        let mut view = native_view(rule);
                        view.enabled = rule_on(rule.id);
                        activity.apply(&mut view);
                        view
                    })
                    .collect(),
            })
            .collect();
        let custom = self
            .store
            .custom_rules()
            .await
            .map_err(store_error(context))?;
        packs.push(PackView {
            id: CUSTOM_PACK.to_owned(),
            name: "Custom rules".to_owned(),
            description: "Your own rules in Python, with Panther's rule functions and metadata."
                .to_owned(),
            enabled: pack_on(CUSTOM_PACK),
            rules: custom
                .iter()
                .map(|row| {
                    let mut view = custom_view(row);
                    view.enabled = rule_on(&row.rule_id);
                    activity.apply(&mut view);
                    view
                })
                .collect(),
        });
        Ok(DetectionsOverview {
            sources: switches.sources,
            source_id,
            packs,
            python: self.python_status(),
        })
    }

    pub async fn set_pack_enabled(
        &self,
        source_id: i64,
        pack_id: &str,
        enabled: bool,
    ) -> Result<(), AppError> {
        let context = "set_pack_enabled";
        if !DEFAULT_PACKS.contains(&pack_id) {
            return Err(AppError::NotFound(format!("Pack {pack_id}")));
        }
        self.require_source(source_id, context).await?;
        self.store
            .set_pack_enabled(source_id, pack_id, enabled)
            .await
            .map_err(store_error(context))?;
        tracing::info!(
            source.id = source_id,
            pack = pack_id,
            enabled,
            "pack switched"
        );
        Ok(())
    }

    pub async fn set_rule_enabled(
        &self,
        source_id: i64,
        rule_id: &str,
        enabled: bool,
    ) -> Result<(), AppError> {
        let context = "set_rule_enabled";
        self.require_source(source_id, context).await?;
        if self.find_rule(rule_id).await?.is_none() {
            return Err(AppError::NotFound(format!("Rule {rule_id}")));
        }
        self.store
            .set_rule_enabled(source_id, rule_id, enabled)
            .await
            .map_err(store_error(context))?;
        tracing::info!(
            source.id = source_id,
            rule = rule_id,
            enabled,
            "rule switched"
        );
        Ok(())
    }

    pub async fn rule_detail(&self, rule_id: &str) -> Result<RuleDetail, AppError> {
        let context = "rule_detail";
        let found = self
            .find_rule(rule_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Rule {rule_id}")))?;
        let activity = self.activity().await.map_err(store_error(context))?;
        let recent_matches = self
            .store
            .rule_matches(rule_id, RULE_MATCHES)
            .await
            .map_err(store_error(context))?
            .into_iter()
            .map(match_row)
            .collect();
        let mut detail = match found {
            Found::Native(rule) => RuleDetail {
                view: native_view(rule),
                pack_id: builtin_packs()
                    .iter()
                    .find(|p| p.rule(rule.id).is_some())
                    .map_or("", |p| p.id)
                    .to_owned(),
                description: rule.name.to_owned(),
                runbook: rule.runbook.to_owned(),
                reference: rule.reference.to_owned(),
                custom: None,
                recent_matches,
            },
            Found::Custom(row) => RuleDetail {
                view: custom_view(&row),
                pack_id: CUSTOM_PACK.to_owned(),
                description: row.description.clone(),
                runbook: row.runbook.clone(),
                reference: row.reference.clone(),
                custom: Some(custom_input(&row)),
                recent_matches,
            },
        };
        // On a rule's own page, "enabled" is the rule itself (per-source switches are on the
        // overview).
        detail.view.enabled = detail.view.globally_enabled;
        activity.apply(&mut detail.view);
        Ok(detail)
    }

    /// Validates and compiles the rule, then stores it; returns its id.
    pub async fn save_custom_rule(
        &self,
        original: Option<&str>,
        input: CustomRuleInput,
    ) -> Result<String, AppError> {
        let context = "save_custom_rule";
        let input = input.validate().map_err(AppError::Fields)?;
        if builtin_packs()
            .iter()
            .any(|p| p.rule(&input.rule_id).is_some())
        {
            return Err(refuse(
                "rule_id",
                "A built-in rule has this id; choose another.",
            ));
        }
        self.compile_custom_rule(&input).await?;
        let now = now_ms();
        let row = CustomRuleRow {
            rule_id: input.rule_id.clone(),
            display_name: input.display_name,
            description: input.description,
            body: input.body,
            severity: input.severity.as_str().to_owned(),
            dedup_period_minutes: i64::from(input.dedup_period_minutes),
            threshold: i64::from(input.threshold),
            runbook: input.runbook,
            reference: input.reference,
            enabled: input.enabled,
            created_at: now,
            updated_at: now,
        };
        match self.store.save_custom_rule(original, &row).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(AppError::NotFound(format!(
                    "Rule {}",
                    original.unwrap_or_default()
                )))
            }
            Err(StoreError::Conflict(message)) => {
                return Err(refuse("rule_id", format!("{message}; choose another id.")))
            }
            Err(e) => return Err(store_error(context)(e)),
        }
        tracing::info!(rule = %row.rule_id, "custom rule saved");
        self.detections.wake();
        Ok(row.rule_id)
    }

    pub async fn delete_custom_rule(&self, rule_id: &str) -> Result<(), AppError> {
        let deleted = self
            .store
            .delete_custom_rule(rule_id)
            .await
            .map_err(store_error("delete_custom_rule"))?;
        if !deleted {
            return Err(AppError::NotFound(format!("Rule {rule_id}")));
        }
        tracing::info!(rule = rule_id, "custom rule deleted");
        Ok(())
    }

    async fn require_source(&self, id: i64, context: &'static str) -> Result<(), AppError> {
        self.store
            .source(id)
            .await
            .map_err(store_error(context))?
            .map(|_| ())
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))
    }

    async fn find_rule(&self, rule_id: &str) -> Result<Option<Found>, AppError> {
        if let Some(rule) = builtin_packs().iter().find_map(|p| p.rule(rule_id)) {
            return Ok(Some(Found::Native(rule)));
        }
        Ok(self
            .store
            .custom_rule(rule_id)
            .await
            .map_err(store_error("find_rule"))?
            .map(Found::Custom))
    }

    async fn activity(&self) -> Result<Activity, StoreError> {
        Ok(Activity {
            matches: self
                .store
                .match_counts_since(now_ms() - DAY_MS)
                .await?
                .into_iter()
                .collect(),
            errors: self
                .store
                .rule_errors()
                .await?
                .into_iter()
                .map(|e| (e.rule_id.clone(), e))
                .collect(),
        })
    }
}

/// One refused form field.
fn refuse(field: &str, problem: impl Into<String>) -> AppError {
    AppError::Fields(vec![FieldError {
        field: field.to_owned(),
        problem: FieldProblem::new(problem.into()),
    }])
}

enum Found {
    Native(&'static Rule),
    Custom(CustomRuleRow),
}

fn native_view(rule: &Rule) -> RuleView {
    RuleView {
        id: rule.id.to_owned(),
        name: rule.name.to_owned(),
        severity: rule.severity,
        dynamic_severity: rule.dynamic_severity.is_some(),
        dedup_period_minutes: rule.dedup_period_minutes,
        threshold: rule.threshold,
        signal: rule.signal,
        custom: false,
        enabled: true,
        globally_enabled: true,
        matches_24h: 0,
        errors: 0,
        last_error: None,
        last_error_at: None,
    }
}

fn custom_view(row: &CustomRuleRow) -> RuleView {
    RuleView {
        id: row.rule_id.clone(),
        name: if row.display_name.is_empty() {
            row.rule_id.clone()
        } else {
            row.display_name.clone()
        },
        severity: Severity::parse(&row.severity).unwrap_or(Severity::Medium),
        // A Python rule may define severity(event); we cannot know without running it.
        dynamic_severity: row.body.contains("def severity("),
        dedup_period_minutes: row.dedup_period_minutes.clamp(0, i64::from(u32::MAX)) as u32,
        threshold: row.threshold.clamp(0, i64::from(u32::MAX)) as u32,
        signal: false,
        custom: true,
        enabled: row.enabled,
        globally_enabled: row.enabled,
        matches_24h: 0,
        errors: 0,
        last_error: None,
        last_error_at: None,
    }
}

pub(super) fn custom_input(row: &CustomRuleRow) -> CustomRuleInput {
    CustomRuleInput {
        rule_id: row.rule_id.clone(),
        display_name: row.display_name.clone(),
        description: row.description.clone(),
        severity: Severity::parse(&row.severity).unwrap_or(Severity::Medium),
        dedup_period_minutes: row.dedup_period_minutes.clamp(0, i64::from(u32::MAX)) as u32,
        threshold: row.threshold.clamp(0, i64::from(u32::MAX)) as u32,
        runbook: row.runbook.clone(),
        reference: row.reference.clone(),
        enabled: row.enabled,
        body: row.body.clone(),
    }
}

pub(super) fn match_row(row: MatchRow) -> RuleMatchRow {
    RuleMatchRow {
        event_id: row.event_id,
        matched_at: rfc3339_ms(row.matched_at),
        source_name: row
            .source_name
            .unwrap_or_else(|| "(deleted source)".to_owned()),
        event_type: row.event_type.unwrap_or_default(),
        actor: row.actor,
        alert_id: row.alert_id,
    }
}

impl Engine {
    /// Whether custom rules can run, in words.
    fn python_status(&self) -> Result<String, String> {
        self.detections
            .python()
            .map(|runtime| {
                format!(
                    "Python rules run with a {} ms limit per event.",
                    runtime.time_limit().as_millis()
                )
            })
            .map_err(str::to_owned)
    }

    /// Compiles the rule in the embedded interpreter: a syntax error or a missing
    /// `rule(event)` is refused on the body field, with the line.
    async fn compile_custom_rule(&self, input: &CustomRuleInput) -> Result<(), AppError> {
        let runtime = self.python_runtime()?;
        let metadata = input_metadata(input);
        let body = input.body.clone();
        let compiled = tokio::task::spawn_blocking(move || runtime.load_rule(metadata, &body))
            .await
            .map_err(|e| internal("compile_custom_rule", e))?;
        match compiled {
            Ok(_) => Ok(()),
            Err(PythonError::Load { message, .. }) => Err(refuse("body", message)),
            Err(e) => Err(internal("compile_custom_rule", e)),
        }
    }

    /// Runs the rule as written on one pasted event (a raw Okta event or a stored row).
    pub async fn test_custom_rule(
        &self,
        input: CustomRuleInput,
        event: String,
    ) -> Result<RuleTestVerdict, AppError> {
        let input = input.validate().map_err(AppError::Fields)?;
        let event: Value = match serde_json::from_str(&event) {
            Ok(value @ Value::Object(_)) => value,
            Ok(_) => return Err(refuse("event", "Paste one event: a JSON object.")),
            Err(e) => return Err(refuse("event", format!("This is not valid JSON: {e}."))),
        };
        let runtime = self.python_runtime()?;
        let metadata = input_metadata(&input);
        let verdict =
            tokio::task::spawn_blocking(move || runtime.test_rule(&input.body, metadata, &event))
                .await
                .map_err(|e| internal("test_custom_rule", e))?;
        Ok(RuleTestVerdict {
            matched: verdict.matched,
            title: verdict.title,
            dedup: verdict.dedup,
            severity: verdict.severity,
            alert_context: verdict
                .alert_context
                .and_then(|c| serde_json::to_string_pretty(&c).ok()),
            error: verdict.error,
        })
    }

    fn python_runtime(&self) -> Result<PythonRuntime, AppError> {
        self.detections
            .python()
            .cloned()
            .map_err(|why| AppError::Invalid(format!("Custom Python rules cannot run here: {why}")))
    }
}

/// The metadata of a rule being edited, as the worker will build it once saved.
fn input_metadata(input: &CustomRuleInput) -> RuleMetadata {
    rule_metadata(&CustomRuleRow {
        rule_id: input.rule_id.clone(),
        display_name: input.display_name.clone(),
        description: input.description.clone(),
        body: String::new(),
        severity: input.severity.as_str().to_owned(),
        dedup_period_minutes: i64::from(input.dedup_period_minutes),
        threshold: i64::from(input.threshold),
        runbook: input.runbook.clone(),
        reference: input.reference.clone(),
        enabled: input.enabled,
        created_at: 0,
        updated_at: 0,
    })
}
