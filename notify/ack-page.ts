// The acknowledgement page behind every link: GET /ack?t=token shows the incident and a form (a chat app
// that previews the link acknowledges nothing), POST /ack?t=token acknowledges as the person of the link with
// an optional note. Plain HTML, no script, readable on a phone; Chinese first, English beneath.
import type { FastifyInstance } from 'fastify';
import { ERRORS, LEVEL_INFO, LookoutError, type ErrorCode, type Level } from '../schemas/index.js';

export interface AckPageIncident {
  title: string;
  level: Level;
  status: string;
  drill: boolean;
}

export interface AckPageDeps {
  verify(token: string): { incidentId: string; personId: string };
  /** consume the link and acknowledge; resolves with who and the incident's state after */
  acknowledge(token: string, note: string | null): Promise<{ personName: string; already: boolean }>;
  incident(id: string): AckPageIncident | null;
  personName(id: string): string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:16px;max-width:480px}h1{font-size:20px}.lvl{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff}textarea{width:100%;box-sizing:border-box;font:inherit;min-height:5em}button{width:100%;padding:14px;font-size:18px;margin-top:12px;border:0;border-radius:6px;background:#c8102e;color:#fff}.en{color:#666;font-size:14px}.drill{background:#ffd200;padding:4px 8px;font-weight:bold}</style></head><body>${body}</body></html>`;
}

function errorPage(code: ErrorCode): string {
  const zh: Partial<Record<ErrorCode, string>> = {
    LOOKOUT_ERR_ACK_LINK_INVALID: '链接无效。请重新打开消息中的链接，或在指挥台确认。',
    LOOKOUT_ERR_ACK_LINK_EXPIRED: '链接已过期。请使用最新提醒中的链接，或在指挥台确认。',
    LOOKOUT_ERR_ACK_LINK_USED: '此链接已使用过，每个链接只能确认一次。',
  };
  return page('无法确认', `<h1>无法确认 · Cannot acknowledge</h1><p>${esc(zh[code] ?? '出错了。')}</p><p class="en">${esc(ERRORS[code].message)}</p><p class="en"><code>${code}</code></p>`);
}

export function renderAckForm(inc: AckPageIncident, personName: string): string {
  const info = LEVEL_INFO[inc.level];
  return page(`确认 ${inc.title}`, `${inc.drill ? '<p class="drill">【演练】 drill</p>' : ''}<h1>${esc(inc.title)}</h1><p><span class="lvl" style="background:${info.color}">${esc(info.zh)}</span> · 状态 ${esc(inc.status)}</p><form method="post"><p>${esc(personName)}，请确认您已收到并开始处置。<br><span class="en">Confirm that you received this and are acting on it.</span></p><label>备注（可选）· note (optional)<textarea name="note" maxlength="500"></textarea></label><button type="submit">确认收到 · Acknowledge</button></form>`);
}

export function ackRoutes(deps: AckPageDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, new URLSearchParams(body as string)));
    const fail = (reply: import('fastify').FastifyReply, err: unknown) => {
      const code: ErrorCode = err instanceof LookoutError ? err.code : 'LOOKOUT_ERR_INTERNAL';
      return reply.code(ERRORS[code].status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(errorPage(code));
    };
    app.get<{ Querystring: { t?: string } }>('/ack', async (req, reply) => {
      try {
        const c = deps.verify(String(req.query.t ?? ''));
        const inc = deps.incident(c.incidentId);
        if (!inc) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(renderAckForm(inc, deps.personName(c.personId)));
      } catch (err) {
        return fail(reply, err);
      }
    });
    app.post<{ Querystring: { t?: string } }>('/ack', async (req, reply) => {
      try {
        const body = req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
        const note = (body.get('note') ?? '').trim().slice(0, 500) || null;
        const c = deps.verify(String(req.query.t ?? ''));
        const inc = deps.incident(c.incidentId);
        if (!inc) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
        const r = await deps.acknowledge(String(req.query.t ?? ''), note);
        const msg = r.already ? '该事件此前已被确认；您的确认已记录。' : '已确认，通知链已停止。';
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page('已确认', `<h1>✔ ${esc(msg)}</h1><p>${esc(r.personName)} · ${esc(inc.title)}</p><p class="en">${r.already ? 'The incident was already acknowledged; yours is recorded.' : 'Acknowledged; the reminders stop.'}</p>`));
      } catch (err) {
        return fail(reply, err);
      }
    });
  };
}
