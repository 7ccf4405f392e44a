// One error catalogue (as fastify's lib/errors.js): every code has an HTTP status and a message that
// tells the user what to do. docs/errors.md documents each; a test keeps the two in step.

export const ERRORS = {
  LOOKOUT_ERR_CONFIG: { status: 500, message: 'Invalid configuration: fix the named variable and start again.' },
  LOOKOUT_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload exceeds 64 KB; split it into smaller batches.' },
  LOOKOUT_ERR_PAYLOAD_JSON: { status: 400, message: 'Payload is not valid UTF-8 JSON; send a JSON object.' },
  LOOKOUT_ERR_PAYLOAD_SCHEMA: { status: 400, message: 'Payload does not match its schema; see the reason for the failing field.' },
  LOOKOUT_ERR_TS_FUTURE: { status: 400, message: 'Timestamp is more than 10 minutes ahead of the hub clock; fix the device clock (NTP).' },
  LOOKOUT_ERR_TOPIC: { status: 400, message: 'Topic is not lookout/{kind}/{deviceId}/{channel}; check the kind, device id and channel.' },
  LOOKOUT_ERR_TOPIC_DENIED: { status: 403, message: 'A device may publish only under its own lookout/{kind}/{id}/ topics.' },
  LOOKOUT_ERR_KIND_MISMATCH: { status: 400, message: 'The topic kind differs from the kind the device is registered with.' },
  LOOKOUT_ERR_MQTT_INFLIGHT: { status: 429, message: 'Too many QoS 1/2 publishes awaiting acknowledgement; the device was disconnected. Wait for PUBACK before sending more than LOOKOUT_MQTT_MAX_INFLIGHT.' },
  LOOKOUT_ERR_WS_ORIGIN: { status: 403, message: 'MQTT over WebSocket from a page on another site is refused; add its origin to LOOKOUT_MQTT_WS_ORIGINS if it is trusted.' },
  LOOKOUT_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Too many request headers; a device sends only a handful.' },
  LOOKOUT_ERR_AUTH_REQUIRED: { status: 401, message: 'Log in first: send "Authorization: Bearer <token>" from POST /api/auth/login.' },
  LOOKOUT_ERR_BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password.' },
  LOOKOUT_ERR_FORBIDDEN: { status: 403, message: 'Your role may not do this; ask an administrator.' },
  LOOKOUT_ERR_NOT_FOUND: { status: 404, message: 'No such resource; check the path and id.' },
  LOOKOUT_ERR_VALIDATION: { status: 400, message: 'Request does not match its schema; see the message for the failing field.' },
  LOOKOUT_ERR_DEVICE_EXISTS: { status: 409, message: 'A device with this id is already registered; choose another id.' },
  LOOKOUT_ERR_DEVICE_RETIRED: { status: 409, message: 'This device is retired; restore it first (POST /api/devices/:id/restore).' },
  LOOKOUT_ERR_UPSTREAM: { status: 502, message: 'The internal tile service did not answer properly; check LOOKOUT_BASEMAP and that service.' },
  LOOKOUT_ERR_USER_EXISTS: { status: 409, message: 'A user with this name already exists.' },
  LOOKOUT_ERR_INCIDENT_TRANSITION: { status: 409, message: 'This action is not allowed in the incident’s current status.' },
  LOOKOUT_ERR_ALARMS_ACTIVE: { status: 409, message: 'Alarms of this incident are still active (listed in "alarms"): wait until they clear, or send "force": true with a reason (false-alarm, sensor-fault, …); an alarm still active then opens a linked incident.' },
  LOOKOUT_ERR_RULE_INVALID: { status: 400, message: 'Rule does not match the rule schema; fix the named field.' },
  LOOKOUT_ERR_STORE_UNAVAILABLE: { status: 503, message: 'The telemetry store is unavailable; readings are kept in the spool until it returns.' },
  LOOKOUT_ERR_STORE_REJECTED: { status: 400, message: 'The time-series database refused these readings (HTTP 4xx); check the reason, the readings are kept here.' },
  LOOKOUT_ERR_SPOOL_FULL: { status: 503, message: 'The durable spool is full; ingestion is paused until the store drains it. Raise LOOKOUT_SPOOL_MAX_MB or fix the store.' },
  LOOKOUT_ERR_BODY_TOO_LARGE: { status: 413, message: 'Request body too large.' },
  LOOKOUT_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; wait and try again.' },
  LOOKOUT_ERR_CROSS_SITE: { status: 403, message: 'Refused as a possible cross-site request: send JSON (Content-Type: application/json) or a bearer token, from a page of the hub itself.' },
  LOOKOUT_ERR_WEAK_PASSWORD: { status: 400, message: 'Password too weak: use at least 10 characters mixing 3 of lower-case, upper-case, digits and symbols, not the user name, not a common password or pattern (e.g. three unrelated words joined by symbols, with a digit).' },
  LOOKOUT_ERR_ACCOUNT_LOCKED: { status: 423, message: 'Account locked after 5 failed logins; wait 15 minutes or ask the security administrator to unlock it.' },
  LOOKOUT_ERR_2FA_REQUIRED: { status: 401, message: 'This account needs its one-time code: send the 6-digit code of your authenticator app as "totp" together with the password.' },
  LOOKOUT_ERR_2FA_ENROL_REQUIRED: { status: 401, message: 'This account must set up two-factor login first: add the returned secret to an authenticator app, then log in again with the password and the 6-digit code as "totp".' },
  LOOKOUT_ERR_2FA_INVALID: { status: 401, message: 'Wrong or already used one-time code: enter the next code of your authenticator app (and check the phone\'s clock). Counts as a failed login.' },
  LOOKOUT_ERR_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time; send the whole request at once and try again.' },
  LOOKOUT_ERR_NOTIFY_SECRET: { status: 500, message: 'A channel secret cannot be read: give it as {"file": path} (one line, mode 0600) or as {"encrypted": "enc:v1:…"} made by `lookout notify encrypt` with the hub\'s notify key.' },
  LOOKOUT_ERR_NOTIFY_CONFIG: { status: 400, message: 'The notification channel or policy file does not match its schema; fix the named field (docs/notify.md).' },
  LOOKOUT_ERR_ACK_LINK_INVALID: { status: 400, message: 'This acknowledgement link is damaged or was not made by this hub; open the link from the message again, or acknowledge in the console.' },
  LOOKOUT_ERR_ACK_LINK_EXPIRED: { status: 410, message: 'This acknowledgement link has expired; acknowledge in the console or use the link of the latest reminder.' },
  LOOKOUT_ERR_ACK_LINK_USED: { status: 409, message: 'This acknowledgement link was already used; each link acknowledges once. Use the console to add a note.' },
  LOOKOUT_ERR_ORG_INVALID: { status: 400, message: 'The unit, person, roster or handover refers to something that does not exist or overlaps; fix the named row or field.' },
  LOOKOUT_ERR_OUT_OF_SCOPE: { status: 403, message: 'This incident or unit lies outside your townships; ask the district duty office, or a security administrator to widen your scope.' },
  LOOKOUT_ERR_DB_SCHEMA_NEWER: { status: 500, message: 'The database was migrated by a newer Lookout; run that version (or restore a backup taken before the upgrade) — this build will not write to it.' },
  LOOKOUT_ERR_DB_MIGRATION: { status: 500, message: 'A database schema step failed; nothing of that step was kept. Check the database role may create tables (docs/database.md), fix the cause and start again.' },
  LOOKOUT_ERR_DB_UNAVAILABLE: { status: 503, message: 'The state database cannot be reached; changes are kept in order and written when it returns. Check the database server and LOOKOUT_DB.' },
  LOOKOUT_ERR_DB_COPY_TARGET_NOT_EMPTY: { status: 409, message: 'The copy target already holds rows; copy into a freshly created, empty database (docs/database.md "Moving an installation").' },
  LOOKOUT_ERR_DB_CONFLICT: { status: 409, message: 'Someone else changed this record at the same time; reload it and apply your change again.' },
  LOOKOUT_ERR_RESOURCE_BUSY: { status: 409, message: 'This resource is not available (already dispatched, resting or out of service); pick another from the nearest list, or release it first.' },
  LOOKOUT_ERR_PLAN_STATE: { status: 409, message: 'The plan cannot do this now (already active for this incident, closed, or the item was ticked); reload the plan panel and try again.' },
  LOOKOUT_ERR_RECTIFICATION_STAGE: { status: 409, message: 'A rectification moves 排查 → 整改 → 验收 → 销号 one step at a time (验收 may send it back to 整改); reload it and take the next step.' },
  LOOKOUT_ERR_RELEASE_TRANSITION: { status: 409, message: 'This step is not allowed in the warning message’s current state (draft → submitted → signed → published); reload it and take the next step.' },
  LOOKOUT_ERR_RELEASE_SELF_SIGN: { status: 403, message: 'A warning message is signed off by someone other than its drafter; ask another holder of the release right.' },
  LOOKOUT_ERR_REPORT_TRANSITION: { status: 409, message: 'This report was already submitted in this version, or its incident has no such report due; reload the queue.' },
  LOOKOUT_ERR_INTERNAL: { status: 500, message: 'Internal error; the hub logged the details.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class LookoutError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** machine-readable particulars sent beside code and message (e.g. the active alarms of a refused close) */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ? `${detail} — ${ERRORS[code].message}` : ERRORS[code].message);
    this.name = 'LookoutError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = details;
  }
}
