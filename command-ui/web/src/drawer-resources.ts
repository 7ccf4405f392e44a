// The incident drawer's resources panel (应急资源, docs/prepare.md): the nearest standby resources of a kind
// with their straight-line distance and travel-time estimate, 调派 for dispatchers, and what is bound to the
// incident with 释放. The drawer hands it the incident on every render; it refetches when the incident's
// timeline moved (a dispatch or release writes a line), so another dispatcher's 调派 shows up too.
import type { Incident, NearestResource, Resource, ResourceKind, ResourceStatus } from '../../../schemas/index.js';
import { api } from './api.js';
import { toast } from './dialog.js';
import { clear, h } from './dom.js';
import { clockTime } from './format.js';
import { t, type Key } from './i18n.js';
import { DrawerPanel } from './drawer-panel.js';
import { prepareErrorText } from './prepare-errors.js';
import { prepareApi } from './prepare-api.js';
import { store } from './store.js';

export const RESOURCE_KIND_KEY: Record<ResourceKind, Key> = {
  team: 'resKindTeam', warehouse: 'resKindWarehouse', equipment: 'resKindEquipment', vehicle: 'resKindVehicle', shelter: 'resKindShelter', medical: 'resKindMedical',
};
const STATUS_KEY: Record<ResourceStatus, Key> = { standby: 'resStandby', deployed: 'resDeployed', resting: 'resResting', unavailable: 'resUnavailable' };

/** the incident's timeline, fetched again after a change of ours (the push brings it too; this is at once) */
export async function refreshIncident(id: string): Promise<void> {
  try {
    store.applyIncident(await api.incident(id), false);
  } catch {
    /* the live push follows */
  }
}

/** what a dispatcher weighs besides the distance: a team's people and skills, a shelter's room, beds, supplies */
function facts(r: Resource): string {
  const out: string[] = [];
  if (r.people) out.push(t('resPeople', { n: r.people }));
  if (r.skills?.length) out.push(r.skills.slice(0, 3).join('、'));
  if (r.kind === 'shelter' && r.capacity !== null && r.capacity !== undefined) out.push(t('resRoom', { cap: r.capacity, occ: r.occupancy ?? 0 }));
  if (r.kind === 'medical' && r.capacity) out.push(t('resBeds', { n: r.capacity }));
  if (r.supplies?.length) out.push(t('resSupplies', { n: r.supplies.length }));
  if (r.model) out.push(r.model);
  return out.join(' · ');
}

export class ResourcesPanel extends DrawerPanel {
  readonly el: HTMLElement = h('section', { class: 'd-panel d-resources', 'data-testid': 'resources-panel' });
  private kind: ResourceKind = 'team';
  private nearest: NearestResource[] | null = null;
  private bound: Resource[] | null = null;
  /** the last refused action (kept until the next action) */
  private actionError = '';
  private busy = false;

  protected keyOf(i: Incident): string {
    return `${i.id}|${i.timeline?.length ?? -1}|${i.status}`;
  }

  protected forget(): void {
    this.nearest = null;
    this.bound = null;
    this.actionError = '';
  }

  protected async fetch(i: Incident): Promise<() => void> {
    const ended = i.status === 'resolved' || i.status === 'closed';
    const [bound, nearest] = await Promise.all([
      prepareApi.bound(i.id),
      ended || i.lon === null || i.lat === null ? Promise.resolve([] as NearestResource[]) : prepareApi.nearest(i.id, this.kind),
    ]);
    return () => {
      this.bound = bound;
      this.nearest = nearest;
    };
  }

  protected draw(): void {
    const i = this.incident;
    if (!i) return;
    clear(this.el);
    const open = i.status !== 'resolved' && i.status !== 'closed';
    const kind = h('select', { 'data-testid': 'res-kind', 'aria-label': t('resKind') },
      (Object.keys(RESOURCE_KIND_KEY) as ResourceKind[]).map((k) => h('option', { value: k, selected: k === this.kind }, t(RESOURCE_KIND_KEY[k])))) as HTMLSelectElement;
    kind.addEventListener('change', () => {
      this.kind = kind.value as ResourceKind;
      this.nearest = null;
      void this.load();
      this.draw();
    });
    this.el.append(h('h3', null, t('resTitle')));
    if (open) {
      this.el.append(h('div', { class: 'd-panel-row' }, h('span', { class: 'muted' }, t('resNearest')), kind));
      this.el.append(this.nearest === null
        ? h('div', { class: 'muted small' }, '…')
        : this.nearest.length
          ? h('ul', { class: 'res-list', 'data-testid': 'res-nearest' }, this.nearest.map((n) => this.nearestRow(i, n)))
          : h('div', { class: 'muted small', 'data-testid': 'res-none' }, t('resNone')));
    }
    this.el.append(h('h4', null, t('resBound')));
    const bound = this.bound ?? [];
    this.el.append(bound.length
      ? h('ul', { class: 'res-list', 'data-testid': 'res-bound' }, bound.map((r) => this.boundRow(r)))
      : h('div', { class: 'muted small', 'data-testid': 'res-bound-none' }, this.bound === null ? '…' : t('resBoundNone')));
    const err = this.actionError || this.error;
    if (err) this.el.append(h('div', { class: 'form-err', role: 'alert', 'data-testid': 'res-error' }, err));
  }

  private nearestRow(i: Incident, n: NearestResource): HTMLElement {
    const r = n.resource;
    const travel = h('span', { class: 'res-travel', title: t('resTravelTitle'), 'data-testid': 'res-travel' },
      t('resTravel', { km: (n.distanceM / 1000).toFixed(1), min: n.travelMin }));
    const btn = this.canAct
      ? this.button(t('resDispatch'), t('resDispatchTitle'), 'res-dispatch', async () => {
          await prepareApi.dispatch(r.id, i.id);
          toast(t('resDispatched', { name: r.name }));
        })
      : null;
    const about = facts(r);
    return h('li', { 'data-testid': 'res-row', 'data-resource-id': r.id },
      h('div', { class: 'res-main' }, h('strong', null, r.name), r.unit ? h('span', { class: 'muted small' }, ` · ${r.unit}`) : null,
        h('div', null, travel, about ? h('span', { class: 'muted small', 'data-testid': 'res-facts' }, ` · ${about}`) : null)), btn);
  }

  private boundRow(r: Resource): HTMLElement {
    const btn = this.canAct && r.status === 'deployed'
      ? this.button(t('resRelease'), t('resRelease'), 'res-release', async () => {
          await prepareApi.release(r.id);
          toast(t('resReleased', { name: r.name }));
        })
      : null;
    return h('li', { 'data-testid': 'res-bound-row', 'data-resource-id': r.id },
      h('div', { class: 'res-main' },
        h('strong', null, r.name), h('span', { class: 'muted small' }, ` · ${t(RESOURCE_KIND_KEY[r.kind])}`),
        h('div', { class: 'small' }, h('span', { class: 'status-pill', 'data-testid': 'res-status' }, t(STATUS_KEY[r.status])),
          r.dispatchedAt ? ` ${t('resSince', { time: clockTime(r.dispatchedAt) })}` : '')),
      btn);
  }

  /** one action: refused ones show the hub's reason in words; either way the panel and timeline refresh */
  private button(label: string, title: string, testid: string, run: () => Promise<void>): HTMLElement {
    const b = h('button', { class: 'act small-act', title, 'data-testid': testid, disabled: this.busy }, label);
    b.addEventListener('click', async () => {
      const id = this.incident?.id;
      if (!id || this.busy) return;
      this.busy = true;
      b.setAttribute('disabled', '');
      try {
        await run();
        this.actionError = '';
      } catch (x) {
        this.actionError = prepareErrorText(x);
        toast(this.actionError, 'err');
      } finally {
        this.busy = false;
      }
      await this.load();
      await refreshIncident(id);
    });
    return b;
  }
}
