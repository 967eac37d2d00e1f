-- Sources created by the onboarding wizard exist (disabled) from the moment Setup passed against
-- Okta; they start polling when the wizard's last step is finished.
ALTER TABLE sources ADD COLUMN setup_complete INTEGER NOT NULL DEFAULT 1;
