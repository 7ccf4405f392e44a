// Marker pictures drawn on a canvas at run time, so no sprite or glyph file is fetched and CJK text
// comes from the browser's local fonts. Images are created on demand from their id (MapLibre's
// `styleimagemissing` event):
//   d|{kind}|{state}|{lang}   a device       c|{rank}|{label}   a cluster       i|{level}   an incident
// Colour is reserved for the four warning levels; each level also has its own shape and numeral
// (Ⅳ circle, Ⅲ triangle, Ⅱ diamond, Ⅰ octagon), with a light outline for contrast on the dark map.
import { LEVEL_INFO, isLevel, type Level } from '../../../../schemas/index.js';

export const RANK_LEVEL: (Level | null)[] = [null, 'blue', 'yellow', 'orange', 'red'];
export const NEUTRAL = '#9aa1ab';
export const FONT = '"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif';

/** dark text on the bright levels, white on red: ≥4.5:1 either way */
export function numeralInk(level: Level): string {
  return level === 'red' ? '#ffffff' : '#111111';
}

const KIND_GLYPH: Record<string, [string, string]> = {
  air: ['气', 'A'],
  water: ['水', 'W'],
  noise: ['声', 'N'],
  flood: ['汛', 'F'],
  gas: ['燃', 'G'],
  geo: ['地', 'S'],
  camera: ['视', 'C'],
};

function shapePath(ctx: CanvasRenderingContext2D, shape: string, cx: number, cy: number, r: number): void {
  ctx.beginPath();
  switch (shape) {
    case 'octagon': {
      for (let k = 0; k < 8; k++) {
        const a = Math.PI / 8 + (k * Math.PI) / 4;
        const x = cx + r * Math.cos(a), y = cy + r * Math.sin(a);
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      break;
    }
    case 'diamond':
      ctx.moveTo(cx, cy - r * 1.1);
      ctx.lineTo(cx + r * 1.1, cy);
      ctx.lineTo(cx, cy + r * 1.1);
      ctx.lineTo(cx - r * 1.1, cy);
      break;
    case 'triangle':
      ctx.moveTo(cx, cy - r * 1.1);
      ctx.lineTo(cx + r * 1.15, cy + r * 0.85);
      ctx.lineTo(cx - r * 1.15, cy + r * 0.85);
      break;
    case 'square':
      ctx.rect(cx - r * 0.85, cy - r * 0.85, r * 1.7, r * 1.7);
      break;
    default:
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
  }
  ctx.closePath();
}

export function canvas(size: number, ratio: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = Math.ceil(size * ratio);
  c.height = Math.ceil(size * ratio);
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.scale(ratio, ratio);
  return [c, ctx];
}

export function finish(c: HTMLCanvasElement, ctx: CanvasRenderingContext2D): ImageData {
  return ctx.getImageData(0, 0, c.width, c.height);
}

export function text(ctx: CanvasRenderingContext2D, s: string, x: number, y: number, px: number, color: string, bold = true): void {
  ctx.fillStyle = color;
  ctx.font = `${bold ? '700 ' : ''}${px}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(s, x, y + px * 0.06);
}

/** A level symbol: shape filled with the level colour, light outline, numeral. */
export function drawLevel(ctx: CanvasRenderingContext2D, level: Level, cx: number, cy: number, r: number): void {
  const info = LEVEL_INFO[level];
  shapePath(ctx, info.shape, cx, cy, r);
  ctx.fillStyle = info.color;
  ctx.fill();
  ctx.lineWidth = Math.max(1.5, r / 6);
  ctx.strokeStyle = '#f4f4f4';
  ctx.stroke();
  const dy = info.shape === 'triangle' ? r * 0.22 : 0;
  text(ctx, info.numeral, cx, cy + dy, r * (info.shape === 'triangle' ? 0.9 : 1.05), numeralInk(level));
}

function deviceIcon(kind: string, state: string, lang: string, ratio: number): ImageData {
  const size = 24;
  const [c, ctx] = canvas(size, ratio);
  const cx = size / 2, cy = size / 2;
  const glyph = KIND_GLYPH[kind]?.[lang === 'en' ? 1 : 0] ?? '?';
  if (isLevel(state)) {
    drawLevel(ctx, state, cx, cy, 9.5);
  } else if (state === 'offline' || state === 'stale') {
    shapePath(ctx, 'circle', cx, cy, 7.5);
    ctx.fillStyle = 'rgba(30,32,36,0.85)';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = NEUTRAL;
    if (state === 'stale') ctx.setLineDash([3, 2]);
    ctx.stroke();
    text(ctx, glyph, cx, cy, 8, NEUTRAL, false);
  } else if (state === 'fault') {
    shapePath(ctx, 'square', cx, cy, 8);
    ctx.fillStyle = '#5b6068';
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#d9dce0';
    ctx.stroke();
    text(ctx, '!', cx, cy, 11, '#ffffff');
  } else {
    // normal / unknown: a quiet grey disc with the kind's glyph
    shapePath(ctx, 'circle', cx, cy, 7.5);
    ctx.fillStyle = state === 'unknown' ? '#6b7078' : NEUTRAL;
    ctx.fill();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = '#1c1e22';
    ctx.stroke();
    text(ctx, glyph, cx, cy, 8.5, '#15171a', false);
  }
  return finish(c, ctx);
}

function clusterIcon(rank: number, label: string, ratio: number): ImageData {
  const size = 40;
  const [c, ctx] = canvas(size, ratio);
  const cx = size / 2, cy = size / 2;
  const level = RANK_LEVEL[rank] ?? null;
  if (level) {
    const info = LEVEL_INFO[level];
    shapePath(ctx, info.shape, cx, cy + (info.shape === 'triangle' ? 3 : 0), 15);
    ctx.fillStyle = '#1d1f23';
    ctx.fill();
    ctx.lineWidth = 4;
    ctx.strokeStyle = info.color;
    ctx.stroke();
    text(ctx, label, cx, cy + (info.shape === 'triangle' ? 4 : 0), label.length > 2 ? 10 : 13, '#ffffff');
  } else {
    shapePath(ctx, 'circle', cx, cy, 14);
    ctx.fillStyle = 'rgba(70,74,80,0.92)';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = NEUTRAL;
    ctx.stroke();
    text(ctx, label, cx, cy, label.length > 2 ? 10 : 12, '#e8eaed');
  }
  return finish(c, ctx);
}

function incidentIcon(level: Level, ratio: number): ImageData {
  const size = 34;
  const [c, ctx] = canvas(size, ratio);
  ctx.shadowColor = 'rgba(0,0,0,0.6)';
  ctx.shadowBlur = 4;
  drawLevel(ctx, level, size / 2, size / 2, 13);
  return finish(c, ctx);
}

/** Build the image for an id, or null when the id is not one of ours. */
export function iconFor(id: string, ratio: number): ImageData | null {
  const p = id.split('|');
  if (p[0] === 'd' && p.length === 4) return deviceIcon(p[1]!, p[2]!, p[3]!, ratio);
  if (p[0] === 'c' && p.length === 3) return clusterIcon(Number(p[1]), p[2]!, ratio);
  if (p[0] === 'i' && p.length === 2 && isLevel(p[1])) return incidentIcon(p[1], ratio);
  return null;
}

/** A small level badge as an SVG element (queue rows, drawer, top bar): shape + numeral. */
export function levelBadgeSvg(level: Level, size = 28): SVGSVGElement {
  const NS = 'http://www.w3.org/2000/svg';
  const info = LEVEL_INFO[level];
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 28 28');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('lvl-badge');
  let shape: SVGElement;
  const pts = (arr: [number, number][]) => arr.map(([x, y]) => `${x},${y}`).join(' ');
  if (info.shape === 'circle') {
    shape = document.createElementNS(NS, 'circle');
    shape.setAttribute('cx', '14');
    shape.setAttribute('cy', '14');
    shape.setAttribute('r', '12');
  } else {
    shape = document.createElementNS(NS, 'polygon');
    let p: [number, number][];
    if (info.shape === 'diamond') p = [[14, 1], [27, 14], [14, 27], [1, 14]];
    else if (info.shape === 'triangle') p = [[14, 1.5], [27, 25.5], [1, 25.5]];
    else p = Array.from({ length: 8 }, (_, k) => {
      const a = Math.PI / 8 + (k * Math.PI) / 4;
      return [14 + 13 * Math.cos(a), 14 + 13 * Math.sin(a)] as [number, number];
    });
    shape.setAttribute('points', pts(p));
  }
  shape.setAttribute('fill', info.color);
  shape.setAttribute('stroke', '#f4f4f4');
  shape.setAttribute('stroke-width', '1.2');
  svg.appendChild(shape);
  const tx = document.createElementNS(NS, 'text');
  tx.setAttribute('x', '14');
  tx.setAttribute('y', info.shape === 'triangle' ? '19.5' : '15');
  tx.setAttribute('text-anchor', 'middle');
  tx.setAttribute('dominant-baseline', 'middle');
  tx.setAttribute('font-size', info.shape === 'triangle' ? '10' : '13');
  tx.setAttribute('font-weight', '700');
  tx.setAttribute('fill', numeralInk(level));
  tx.textContent = info.numeral;
  svg.appendChild(tx);
  return svg;
}
