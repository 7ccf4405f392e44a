// Test support: a real SMTP server (smtp-server) on 127.0.0.1 with AUTH (535 for wrong credentials, the
// SMTP answer to a bad secret); messages parsed with mailparser. Faults: 451 4.7.1 (rate) and 451 4.3.0.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

export async function startSmtpMock(user: string, pass: string, _opts: MockOptions): Promise<MockProvider & { port: number }> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) return cb(null, { user });
      refused.push({ code: '535', reason: 'bad credentials' });
      const e = Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 });
      cb(e);
    },
    onMailFrom(_addr, _session, cb) {
      const f = faults.take();
      if (f === 'rate-limit') return cb(Object.assign(new Error('4.7.1 Too many messages, slow down'), { responseCode: 451 }));
      if (f === 'unavailable') return cb(Object.assign(new Error('4.3.0 Temporary system problem'), { responseCode: 451 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          accepted.push({ address: to?.value[0]?.address ?? '', text: mail.text ?? '', detail: { subject: mail.subject, html: mail.html, messageId: mail.messageId, headers: Object.fromEntries(mail.headers) } });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, accepted, refused, failNext: (f, n) => faults.add(f, n), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
