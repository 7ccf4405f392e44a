// Public door of the alerting stage: rules → alarms (rule + device) → incidents (alerting/engine.ts).
export { createAlerting, ALERTING_DEFAULTS, type Alerting, type AlertingDeps, type AlertingConfig, type DerivedValues, type RuleInfo } from './engine.js';
export { DEFAULT_CORRELATION, DEFAULT_ESCALATION, type CorrelationSpec, type EscalationConfig } from './incident-policy.js';
export { DEFAULT_EVENT_GROUPING, EVENT_FAMILY, FAMILY_ZH, type EventGroupingSpec } from './events.js';
export type { EventApi, DrillEndResult } from './event-api.js';
export { computeAqi, iaqi, aqiTableFor, AQI_BANDS, HJ633_2026_FROM, type AqiInput, type AqiResult, type AqiBand } from './aqi.js';
export { waterClass, WATER_CLASS_LABELS, type WaterClassResult } from './water-class.js';
export { validateRule, validateRuleFile, readRuleFile, loadPack, listPacks, SHIPPED_PACKS } from './rules.js';
export { parseDuration } from './duration.js';
export { toCap, toAtomFeed, capIdentifier, capTime, type CapOptions, type AtomOptions } from './cap.js';
export { createCapPublisher, CAP_PUBLISHER_DEFAULTS, type CapPublisher } from './cap-publisher.js';
export { runRuleFixtures, runFixture, fixtureSchema, type FixtureFile, type FixtureResult } from './rules-test.js';
export { backtest, type BacktestOptions, type BacktestResult } from './backtest.js';
export { supervisorStats, FLOOD_ALARMS_PER_10_MIN, type SupervisorStats } from './supervisor.js';
export { createVirtualClock, type VirtualClock } from './virtual-clock.js';
export type { IncidentRepository, IncidentRecord, IncidentPatch, TimelineRecord, AlarmRecord, RuleRepository, RuleRecord, SilenceRecord, AlertingStateRepository, AlertingTable, StateRow, StateUnit } from './repositories.js';
export { ALERTING_TABLES } from './repositories.js';
export { openAlertingPersistence, type AlertingPersistence, type AlertingPersistenceConfig } from './persistence.js';
export { STATE_WRITER_DEFAULTS, type StateWriterStatus } from './state-writer.js';
