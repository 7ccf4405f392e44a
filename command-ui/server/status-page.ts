// Plain status page served at / when the web app has not been built (`npm run build:web`).
import type { HubStats } from '../../schemas/index.js';

export function statusPage(stats: HubStats, devices: number): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = Object.entries(stats.openIncidents)
    .map(([lvl, n]) => `<tr><td>${esc(lvl)}</td><td>${n}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Lookout</title></head>
<body style="font-family:sans-serif;background:#222;color:#eee;padding:2em">
<h1>Lookout · 黄岩区应急指挥</h1>
<p>Hub running. ${devices} devices, ${stats.devicesOnline} online, ${stats.readingsPerSec} readings/s.</p>
<table><tr><th>level</th><th>open incidents</th></tr>${rows}</table>
<p>The map console is not built yet: run <code>npm run build:web</code>.</p></body></html>`;
}
