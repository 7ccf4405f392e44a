// A location sketch without a basemap (works offline and prints): the devices as markers on an SVG, placed by
// WGS 84 position within their bounding box. Each marker keeps its colour history in data-history, so what the
// replay showed can be read back (test/ui/review.test.ts).
import { LEVEL_INFO, type Level } from '../../../../schemas/index.js';

const NS = 'http://www.w3.org/2000/svg';
const NORMAL = '#8a8f98';

export interface Sketch {
  el: SVGSVGElement;
  /** sets a device's level (null = normal) */
  set(deviceId: string, level: Level | null): void;
  /** the text beside a device's marker (its reading at the replayed time; '' = none) */
  label(deviceId: string, text: string): void;
}

export function mapSketch(devices: readonly { id: string; lon: number; lat: number }[]): Sketch {
  const W = 800;
  const H = 420;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'rv-map');
  svg.setAttribute('data-testid', 'replay-map');
  const lons = devices.map((d) => d.lon);
  const lats = devices.map((d) => d.lat);
  const pad = 0.01;
  const [x0, x1] = [Math.min(...lons, 180) - pad, Math.max(...lons, -180) + pad];
  const [y0, y1] = [Math.min(...lats, 90) - pad, Math.max(...lats, -90) + pad];
  const markers = new Map<string, SVGCircleElement>();
  const labels = new Map<string, SVGTextElement>();
  for (const d of devices) {
    const c = document.createElementNS(NS, 'circle');
    const [cx, cy] = [((d.lon - x0) / (x1 - x0 || 1)) * W, ((y1 - d.lat) / (y1 - y0 || 1)) * H];
    c.setAttribute('cx', String(cx));
    c.setAttribute('cy', String(cy));
    c.setAttribute('r', '12');
    c.setAttribute('stroke', '#222');
    c.setAttribute('fill', NORMAL);
    c.setAttribute('data-testid', `marker-${d.id}`);
    c.setAttribute('data-level', 'normal');
    c.setAttribute('data-history', 'normal');
    const title = document.createElementNS(NS, 'title');
    title.textContent = d.id;
    c.appendChild(title);
    svg.appendChild(c);
    markers.set(d.id, c);
    const text = document.createElementNS(NS, 'text');
    text.setAttribute('x', String(cx + 15));
    text.setAttribute('y', String(cy + 4));
    text.setAttribute('font-size', '13');
    text.setAttribute('data-testid', `label-${d.id}`);
    svg.appendChild(text);
    labels.set(d.id, text);
  }
  return {
    el: svg,
    set(id, level) {
      const c = markers.get(id);
      const name = level ?? 'normal';
      if (!c || c.getAttribute('data-level') === name) return;
      c.setAttribute('data-level', name);
      c.setAttribute('fill', level ? LEVEL_INFO[level].color : NORMAL);
      c.setAttribute('data-history', `${c.getAttribute('data-history')},${name}`);
    },
    label(id, text) {
      const l = labels.get(id);
      if (l && l.textContent !== text) l.textContent = text;
    },
  };
}
