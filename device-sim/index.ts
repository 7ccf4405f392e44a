// device-sim: the simulated Huangyan fleet, drill scenarios and the MQTT load generator.
// The one public door of this folder (app/cli.ts and app/demo.ts import from here or from ./cli.js).
export { generateFleet, validateFleet, parseFleet, fleetCounts, gbt28181CameraId, DEFAULT_MIX, MAX_FLEET_SIZE } from './fleet.js';
export type { Fleet, FleetDevice, FleetMix, SimHints, FaultSpec, FaultType, GenerateFleetOptions } from './fleet.js';
export { listScenarios, loadScenario, validateScenario, bindScenario, resolveTarget, SCENARIO_DIR } from './scenario.js';
export type { BoundScenario, ScheduledEvent, ScenarioNote } from './scenario.js';
export { scenarioSchema } from './scenario-schema.js';
export type { Scenario, ScenarioStep, ScenarioTarget, ScenarioAction, ScenarioExpectation, Keyframe, ValueSpec } from './scenario-schema.js';
export { createSimulator } from './simulator.js';
export type { Simulator, SimulatorOptions, SimStats } from './simulator.js';
export { REPORT_INTERVAL_MS, QOS1_KINDS } from './signals.js';
export { simCommand, fleetCommand } from './cli.js';
export { runDemoScenario, demoFleet, DEMO_SEED, DEMO_SCENARIOS } from './demo.js';
export type { DemoOptions, DemoRun } from './demo.js';
