// Top bar and cockpit strip: clock, counts of open warnings per level (shape + numeral + word),
// devices online %, readings/s, dead letters in the last hour, connection state with the time of the
// last push, duty officer, 开始值班 / sound, wall mode, language, log out. Plus the drill banner, and the
// alarm-flood notice (more than 10 new alarms in 10 minutes: the queue is collapsed to events).
import { LEVELS, type Level } from '../../../schemas/index.js';
import { api, getSession } from './api.js';
import { clear, h } from './dom.js';
import { cockpitButton } from './cockpit.js';
import { dutyBadge } from './duty.js';
import { dateTime } from './format.js';
import { getLang, levelShort, setLang, t } from './i18n.js';
import { levelBadgeSvg } from './map/icons.js';
import { isOnDuty, onSoundChange, soundEnabled, startDuty, toggleSound } from './sound.js';
import { isHazard, store } from './store.js';
import { supervisorDialog } from './supervisor.js';

export class TopBar {
  readonly el: HTMLElement;
  readonly banner: HTMLElement;
  private clock = h('span', { class: 'clock', 'data-testid': 'clock' });
  private counts = h('div', { class: 'counts', 'data-testid': 'level-counts' });
  private cockpit = h('div', { class: 'cockpit', 'data-testid': 'cockpit' });
  private conn = h('span', { class: 'conn', role: 'status', 'data-testid': 'connection' });
  private flood = h('span', { class: 'flood-chip', role: 'status', 'data-testid': 'flood', hidden: true });
  private right = h('div', { class: 'tb-right' });
  private title = h('h1', { class: 'app-title' });

  constructor(private actions: { logout: () => void | Promise<void>; search: HTMLElement; devices: () => void; toggleWall: () => void }) {
    this.banner = h('div', { class: 'drill-banner', hidden: true, role: 'status', 'data-testid': 'drill-banner' });
    this.el = h('header', { class: 'topbar' }, this.title, this.clock, this.counts, this.flood, this.cockpit, actions.search, this.conn, this.right);
    store.on('incidents', () => {
      this.renderCounts();
      this.renderBanner();
    });
    store.on('stats', () => {
      this.renderFlood();
      this.renderCockpit();
      this.renderBanner();
    });
    store.on('connection', () => this.renderConn());
    onSoundChange(() => this.renderRight());
    setInterval(() => {
      this.clock.textContent = dateTime(Date.now());
      this.renderConn();
    }, 1000);
    this.relabel();
  }

  relabel(): void {
    this.title.textContent = t('appTitle');
    this.clock.textContent = dateTime(Date.now());
    this.renderCounts();
    this.renderFlood();
    this.renderCockpit();
    this.renderConn();
    this.renderRight();
    this.renderBanner();
  }

  private renderCounts(): void {
    const n: Record<Level, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
    for (const i of store.incidents.values()) if (i.status !== 'closed' && isHazard(i)) n[i.level]++;
    clear(this.counts);
    for (const l of [...LEVELS].reverse()) {
      this.counts.appendChild(h('span', { class: `count-chip lvl-${l}${n[l] ? '' : ' zero'}`, 'data-level': l, title: levelShort(l) },
        levelBadgeSvg(l, 16), `${levelShort(l).split(' ')[1]} ${n[l]}`));
    }
  }

  private renderFlood(): void {
    const s = store.stats;
    const on = !!s?.flood;
    this.flood.hidden = !on;
    this.flood.textContent = on ? `⚠ ${t('floodBanner', { n: s?.alarmsLast10Min ?? 0 })}` : '';
    document.body.classList.toggle('alarm-flood', on);
  }

  private renderCockpit(): void {
    const s = store.stats;
    clear(this.cockpit);
    // figures from before a lost connection are kept but greyed (styles.css body.stale): never shown as current
    if (!s) return;
    const pct = s.devicesTotal ? ((s.devicesOnline / s.devicesTotal) * 100).toFixed(1) : '0.0';
    this.cockpit.append(
      h('span', { class: 'kpi', 'data-kpi': 'online' }, `${t('online')} ${s.devicesOnline.toLocaleString('en')}/${s.devicesTotal.toLocaleString('en')} (${pct}%)`),
      h('span', { class: 'kpi', 'data-kpi': 'rate' }, `${Math.round(s.readingsPerSec)} ${t('readingsPerSec')}`),
      h('span', { class: 'kpi', 'data-kpi': 'dead' }, `${t('deadLetters')} ${s.deadLettersLastHour}${t('perHour')}`),
    );
  }

  private renderConn(): void {
    const c = store.connection;
    let label: string;
    if (c === 'connected') {
      const ago = store.lastPush ? Math.max(0, Date.now() - store.lastPush) : null;
      const when = ago === null ? t('noPushYet') : ago < 60_000 ? t('secondsAgo', { n: (ago / 1000).toFixed(ago < 10_000 ? 1 : 0) }) : t('minutesAgo', { n: Math.floor(ago / 60_000) });
      label = `● ${t('connected')} · ${when}`;
    } else if (c === 'connecting') label = `◌ ${t('connecting')}`;
    else label = `⚠ ${t('disconnected')}`;
    this.conn.textContent = label;
    this.conn.className = `conn ${c}`;
    this.conn.dataset.state = c;
  }

  private renderRight(): void {
    clear(this.right);
    const user = getSession()?.user;
    // who is on duty now in the user's unit (the roster), not the logged-in account; opens the roster page
    if (user) this.right.appendChild(dutyBadge());
    if (user) this.right.appendChild(cockpitButton());
    if (!isOnDuty()) {
      const b = h('button', { class: 'primary duty-btn', 'data-testid': 'start-duty' }, `▶ ${t('startDuty')}`);
      b.addEventListener('click', () => void startDuty());
      this.right.appendChild(b);
    } else {
      const b = h('button', { class: 'icon-btn', 'aria-pressed': String(soundEnabled()), 'data-testid': 'sound' }, soundEnabled() ? `🔔 ${t('soundOn')}` : `🔕 ${t('soundOff')}`);
      b.addEventListener('click', toggleSound);
      this.right.appendChild(b);
    }
    const sup = h('button', { class: 'icon-btn', 'data-testid': 'supervisor-btn', title: t('supervisor') }, t('supervisorBtn'));
    sup.addEventListener('click', () => void supervisorDialog());
    this.right.appendChild(sup);
    // the daily supervision board is a page of its own (supervise.html), in a tab beside the console
    const board = h('button', { class: 'icon-btn', 'data-testid': 'supervise-board', title: t('superviseTitle') }, t('superviseBtn'));
    board.addEventListener('click', () => void window.open('/supervise.html', '_blank', 'noopener'));
    this.right.appendChild(board);
    // the device list is for every role; editing is for administrators (devices.ts)
    const a = h('button', { class: 'icon-btn', 'data-testid': 'admin' }, t('admin'));
    a.addEventListener('click', this.actions.devices);
    this.right.appendChild(a);
    const wall = h('button', { class: 'icon-btn', 'data-testid': 'wall', title: t('bigScreen') }, t('bigScreen'));
    wall.addEventListener('click', () => this.actions.toggleWall());
    const lang = h('button', { class: 'icon-btn', 'data-testid': 'lang', title: t('language') }, getLang() === 'zh' ? '中/EN' : 'EN/中');
    lang.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
    const out = h('button', { class: 'icon-btn', 'data-testid': 'logout' }, t('logout'));
    out.addEventListener("click", () => void this.actions.logout());
    this.right.append(wall, lang, out);
  }

  private renderBanner(): void {
    const drill = !!store.stats?.drillActive || [...store.incidents.values()].some((i) => i.drill && i.status !== 'closed');
    // rebuilt only when the drill starts or ends (a button replaced under the pointer swallows the click)
    if (this.banner.dataset.drill === String(drill) && this.banner.dataset.lang === getLang()) return;
    this.banner.dataset.drill = String(drill);
    this.banner.dataset.lang = getLang();
    this.banner.hidden = !drill;
    clear(this.banner);
    if (!drill) return void document.body.classList.remove('drill');
    this.banner.append(t('drillBanner'));
    // 结束演练: dispatchers end the drill (every drill incident and event closes, kept for review), so the
    // next drill starts with an empty queue
    const role = getSession()?.user.role;
    if (role === 'dispatcher' || role === 'admin') {
      const end = h('button', { class: 'icon-btn drill-end', 'data-testid': 'drill-end' }, t('drillEnd'));
      end.addEventListener('click', () => {
        if (!confirm(t('drillEndConfirm'))) return;
        api.drillEnd().then((r) => alert(t('drillEnded', { incidents: r.incidents, events: r.events })), (e: unknown) => alert(String((e as Error).message ?? e)));
      });
      this.banner.append(' ', end);
    }
    document.body.classList.toggle('drill', drill);
  }
}

export function levelCountBadge(l: Level): SVGSVGElement {
  return levelBadgeSvg(l, 16);
}
