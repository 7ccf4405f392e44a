// "周边范围查询" in the incident drawer: asks the map's zone tool (zone-tool.ts) for the zone around the
// incident's location, through a DOM event so the drawer needs no handle on the map.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export const ZONE_INCIDENT_EVENT = 'lookout:zone-incident';

export function zoneLink(incidentId: string): HTMLElement {
  const b = h('button', { class: 'link zone-link', 'data-testid': 'zone-from-incident' }, t('zoneFromIncident'));
  b.addEventListener('click', () => document.dispatchEvent(new CustomEvent(ZONE_INCIDENT_EVENT, { detail: { id: incidentId } })));
  return b;
}
