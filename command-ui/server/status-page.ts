// Plain status page served at / when the web app has not been built (`npm run build:web`). Device and
// incident counts only for a logged-in user (issue finding: they were shown to anyone).
import type { HubStats } from '../../schemas/index.js';

export function statusPage(figures: { stats: HubStats; devices: number } | null): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = figures
    ? `<p>Hub running. ${figures.devices} devices, ${figures.stats.devicesOnline} online, ${figures.stats.readingsPerSec} readings/s.</p>
<table><tr><th>level</th><th>open incidents</th></tr>${Object.entries(figures.stats.openIncidents)
        .map(([lvl, n]) => `<tr><td>${esc(lvl)}</td><td>${n}</td></tr>`)
        .join('')}</table>`
    : '<p>Hub running. 登录后显示设备与事件数 · Log in (POST /api/auth/login) to see device and incident counts.</p>';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Lookout</title></head>
<body style="font-family:sans-serif;background:#222;color:#eee;padding:2em">
<h1>Lookout · 黄岩区应急指挥</h1>
${body}
<p>The map console is not built yet: run <code>npm run build:web</code>.</p></body></html>`;
}
