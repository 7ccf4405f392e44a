// The signer's choice at publication (docs/release.md, Delivery): which notification channels and which tiers'
// duty a message goes to. Nothing picked sends it as the release policy says; the hub still keeps a drill's
// message to drill channels whatever is picked. The choice outlives the page's reloads after each step.
import type { DutyTier, ReleaseChannelInfo } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { getJson } from './review-api.js';
import { rt } from './review-i18n.js';

const TIERS: [DutyTier, 'tierVillage' | 'tierTownship' | 'tierDistrict' | 'tierCity'][] = [['village', 'tierVillage'], ['township', 'tierTownship'], ['district', 'tierDistrict'], ['city', 'tierCity']];

export interface PublishOptions {
  el: HTMLElement;
  /** the publish body's channels and tiers (absent when none is picked) */
  value(): { channels?: string[]; tiers?: DutyTier[] };
}

function box(testid: string, value: string, label: string): HTMLElement {
  return h('label', null, h('input', { type: 'checkbox', value, 'data-testid': testid }), ` ${label}`);
}

export async function publishOptions(): Promise<PublishOptions> {
  const channels = await getJson<ReleaseChannelInfo[]>('/api/releases/channels').catch(() => [] as ReleaseChannelInfo[]);
  const chans = h('fieldset', { class: 'rv-controls', 'data-testid': 'pick-channels' }, h('legend', null, rt('pickChannels')),
    channels.map((c) => box(`pick-channel-${c.id}`, c.id, `${c.id} (${c.kind}${c.classes.includes('drill') ? ` · ${rt('drillChannel')}` : ''})`)));
  const tiers = h('fieldset', { class: 'rv-controls', 'data-testid': 'pick-tiers' }, h('legend', null, rt('pickTiers')),
    TIERS.map(([tier, key]) => box(`pick-tier-${tier}`, tier, rt(key))));
  const picked = (f: HTMLElement) => [...f.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
  return {
    el: h('div', { 'data-testid': 'publish-options' }, channels.length ? chans : null, tiers),
    value() {
      const c = picked(chans);
      const t = picked(tiers) as DutyTier[];
      return { ...(c.length ? { channels: c } : {}), ...(t.length ? { tiers: t } : {}) };
    },
  };
}
