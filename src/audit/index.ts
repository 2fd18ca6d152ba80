// Public API of Kubernetes audit ingestion and detection: parse events, run the rules, record
// events and alerts in the ledger, serve the API server's webhook backend, follow a log file.
export { AuditError, type AuditErrorReason } from './errors.ts';
export { eventsOfDocument, toAuditEvent, AUDIT_API_VERSIONS, type AuditEvent, type ParseProblem } from './event.ts';
export { readAuditEvents, type EventBatch, type ReadOptions } from './reader.ts';
export { buildRuleSet, createDetector, Detector, type Alert, type DetectorOptions, type RuleSources } from './detector.ts';
export { detectFiles, detectJson, type DetectOptions, type DetectReport } from './detect.ts';
export { BUILTIN_RULES } from './rules/builtin.ts';
export { parseRulesDocument, readRulesFile } from './rules/load.ts';
export { PRIORITIES, isPriority, type Priority, type RuleSpec, type RulesDocument } from './rules/model.ts';
export { AuditIngestor, subjectOf, type IngestResult } from './ingest.ts';
export { Deduplicator } from './dedup.ts';
export { alertRecord, StreamSink, WebhookSink, type AlertSink } from './sinks.ts';
export { auditReceiver, DEFAULT_RECEIVER_PATH, type ReceiverOptions } from './receiver.ts';
export { LogFollower, type FollowOptions } from './follow.ts';
export { serveAudit, followStatePath, type AuditServeOptions, type RunningAudit } from './serve.ts';
export { recommendedAuditPolicy, recommendedAuditPolicyYaml } from './policy.ts';
