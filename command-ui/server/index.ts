// Public door of the command-ui server stage.
export { createServer, type HubServer } from './server.js';
export { createLiveState, type LiveState, type StatusInput } from './live-state.js';
export type { ServerDeps, ServerInput, ServerConfig, AlertingView, IncidentService, Readiness } from './types.js';
export { requirePermission, requireRole } from './auth.js';
