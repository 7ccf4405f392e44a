// The preparedness routes' refusals in the console's language: the hub's stable codes (docs/errors.md)
// mapped to words that say what to do; any other error keeps the hub's own message.
import { ApiError } from './api.js';
import { t, type Key } from './i18n.js';

const WORDS: Record<string, Key> = {
  LOOKOUT_ERR_RESOURCE_BUSY: 'errResourceBusy',
  LOOKOUT_ERR_PLAN_STATE: 'errPlanState',
  LOOKOUT_ERR_OUT_OF_SCOPE: 'errOutOfScope',
  LOOKOUT_ERR_INCIDENT_TRANSITION: 'errIncidentEnded',
  LOOKOUT_ERR_NOT_FOUND: 'errNotFound',
};

/** the words for a refusal, for a toast or an inline line */
export function prepareErrorText(x: unknown): string {
  if (x instanceof ApiError) {
    const key = WORDS[x.code];
    return key ? `${t(key)} (${x.code})` : t('actionFailed', { msg: x.message });
  }
  return t('actionFailed', { msg: String(x) });
}

/** the same refusal, translated, for dialogs that show an ApiError's message */
export function translated(x: unknown): unknown {
  return x instanceof ApiError && WORDS[x.code] ? new ApiError(x.status, x.code, `${t(WORDS[x.code]!)} (${x.code})`, x.data) : x;
}
