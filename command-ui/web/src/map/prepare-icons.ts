// Marker pictures of the preparedness layers, drawn on a canvas like the device markers (icons.ts):
//   pr|{kind}|{status}|{lang}   a resource: rounded square, kind glyph, colour and opacity by status
//   hz|{register}|{grade}|{lang} a hazard point (triangle sign) or risk target (hexagon) in its grade colour
//   vs|{kind}|{lang}            a vulnerable site (school, hospital, elderly home): a house shape
// Grade colours are the four of 安全风险分级管控 (red, orange, yellow, blue: 重大, 较大, 一般, 低); the sign
// shapes keep them apart from the warning-level markers, which are circles, triangles with numerals etc.
import { canvas, finish, text } from './icons.js';

export const RESOURCE_GLYPH: Record<string, [string, string]> = {
  team: ['队', 'T'], warehouse: ['仓', 'W'], equipment: ['装', 'E'], vehicle: ['车', 'V'], shelter: ['避', 'S'], medical: ['医', 'M'],
};
/** fill and opacity per status: standby bright teal, deployed violet, resting grey, out of service faint */
export const STATUS_STYLE: Record<string, { fill: string; alpha: number }> = {
  standby: { fill: '#22b8a6', alpha: 1 },
  deployed: { fill: '#9d7bff', alpha: 1 },
  resting: { fill: '#8a94a6', alpha: 0.75 },
  unavailable: { fill: '#5b6068', alpha: 0.45 },
};
export const GRADE_COLOR: Record<string, string> = { major: '#e5323f', significant: '#f28c28', general: '#f2d21b', low: '#3d8bfd' };
const SITE_GLYPH: Record<string, [string, string]> = {
  school: ['校', 'S'], kindergarten: ['幼', 'K'], hospital: ['院', 'H'], 'elderly-home': ['老', 'E'], other: ['弱', 'V'],
};

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function resourceIcon(kind: string, status: string, lang: string, ratio: number): ImageData {
  const size = 26;
  const [c, ctx] = canvas(size, ratio);
  const st = STATUS_STYLE[status] ?? STATUS_STYLE.unavailable!;
  ctx.globalAlpha = st.alpha;
  roundRect(ctx, 3, 3, size - 6, size - 6, 4);
  ctx.fillStyle = st.fill;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = status === 'deployed' ? '#ffffff' : '#15171a';
  ctx.stroke();
  text(ctx, RESOURCE_GLYPH[kind]?.[lang === 'en' ? 1 : 0] ?? '?', size / 2, size / 2, 11, '#101214');
  return finish(c, ctx);
}

function targetIcon(register: string, grade: string, lang: string, ratio: number): ImageData {
  const size = 28;
  const [c, ctx] = canvas(size, ratio);
  const cx = size / 2, cy = size / 2;
  const fill = GRADE_COLOR[grade] ?? '#9aa1ab';
  if (register === 'hazard') {
    ctx.beginPath();
    ctx.moveTo(cx, 3);
    ctx.lineTo(size - 3, size - 4);
    ctx.lineTo(3, size - 4);
    ctx.closePath();
  } else {
    ctx.beginPath();
    for (let k = 0; k < 6; k++) {
      const a = (k * Math.PI) / 3;
      const x = cx + 11 * Math.cos(a), y = cy + 11 * Math.sin(a);
      if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
  }
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#15171a';
  ctx.stroke();
  const glyph = register === 'hazard' ? (lang === 'en' ? 'H' : '隐') : lang === 'en' ? 'R' : '险';
  text(ctx, glyph, cx, register === 'hazard' ? cy + 3 : cy, 10, grade === 'major' ? '#ffffff' : '#111111');
  return finish(c, ctx);
}

function siteIcon(kind: string, lang: string, ratio: number): ImageData {
  const size = 26;
  const [c, ctx] = canvas(size, ratio);
  ctx.beginPath();
  ctx.moveTo(13, 2);
  ctx.lineTo(24, 11);
  ctx.lineTo(21, 11);
  ctx.lineTo(21, 23);
  ctx.lineTo(5, 23);
  ctx.lineTo(5, 11);
  ctx.lineTo(2, 11);
  ctx.closePath();
  ctx.fillStyle = '#f5a8c8';
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#15171a';
  ctx.stroke();
  text(ctx, SITE_GLYPH[kind]?.[lang === 'en' ? 1 : 0] ?? '?', 13, 16, 10, '#101214');
  return finish(c, ctx);
}

/** the image for one of the ids above, or null */
export function prepareIconFor(id: string, ratio: number): ImageData | null {
  const p = id.split('|');
  if (p[0] === 'pr' && p.length === 4) return resourceIcon(p[1]!, p[2]!, p[3]!, ratio);
  if (p[0] === 'hz' && p.length === 4) return targetIcon(p[1]!, p[2]!, p[3]!, ratio);
  if (p[0] === 'vs' && p.length === 3) return siteIcon(p[1]!, p[2]!, ratio);
  return null;
}

/** a small swatch for the layer switcher (the same pictures, as an <img>) */
export function swatch(id: string): HTMLCanvasElement {
  const img = prepareIconFor(id, 1);
  const c = document.createElement('canvas');
  c.width = img?.width ?? 1;
  c.height = img?.height ?? 1;
  if (img) c.getContext('2d')!.putImageData(img, 0, 0);
  c.className = 'layer-swatch';
  return c;
}
