// The CAP 1.2 document of an incident and the Atom feed of current alerts, as the console serves them
// (/api/incidents/:id/cap, /api/cap.atom): the issuing office's name and the township names are fixed here
// once, so the composition root only hands over the sender id and the township table.
import type { Incident } from '../schemas/index.js';
import { toAtomFeed, toCap, type CapOptions } from './cap.js';

export const CAP_PUBLISHER_DEFAULTS = {
  /** CAP 1.2 §3.2.1 senderName: the issuing office as the public reads it */
  senderName: '黄岩区应急管理局 Lookout',
  selfUrl: '/api/cap.atom',
  capUrl: (id: string) => `/api/incidents/${id}/cap`,
};

export interface CapPublisher {
  cap(incident: Incident): string;
  capFeed(incidents: Incident[]): string;
}

export function createCapPublisher(
  deps: { townships: readonly { code: string; name: string }[]; /** CAP certainty from the rule's basis: a projection is Likely, a measured exceedance Observed */ projected?: (ruleId: string) => boolean },
  config: { sender: string; senderName?: string },
): CapPublisher {
  const opts: CapOptions = {
    sender: config.sender,
    senderName: config.senderName ?? CAP_PUBLISHER_DEFAULTS.senderName,
    townshipNames: Object.fromEntries(deps.townships.map((t) => [t.code, t.name])),
    ...(deps.projected ? { projected: deps.projected } : {}),
  };
  return {
    cap: (i) => toCap(i, opts),
    capFeed: (list) => toAtomFeed(list, { ...opts, selfUrl: CAP_PUBLISHER_DEFAULTS.selfUrl, capUrl: CAP_PUBLISHER_DEFAULTS.capUrl }),
  };
}
