// The login page: password, then — for accounts with two-factor login (docs/security.md) — the one-time
// code of the authenticator app, or, at the first login of an administrator, the enrolment: a QR code,
// the secret in groups of four and the otpauth:// link, then the first code. The password stays in this
// closure only until the session arrives; the secret is shown once and never stored by the page.
import qrcode from 'qrcode-generator';
import type { TwoFactorEnrolment } from '../../../schemas/index.js';
import { api, ApiError, type Session } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/** `ABCD EFGH …`: easier to read out and to type into an app than 32 letters in a row */
export function groupSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}

/** The QR code of the otpauth:// link as a data: URL (drawn here, so nothing leaves the page). */
function qrImage(uri: string): HTMLImageElement {
  const qr = qrcode(0, 'M');
  qr.addData(uri);
  qr.make();
  return h('img', { class: 'enrol-qr', src: qr.createDataURL(4, 16), alt: t('enrolQrAlt'), 'data-testid': 'enrol-qr' }) as HTMLImageElement;
}

export function loginView(onSession: (s: Session) => void, message?: string): HTMLElement {
  const wrap = h('main', { class: 'login-wrap' });

  function card(...children: (Node | null)[]): HTMLFormElement {
    const form = h('form', { class: 'login-card' }, ...children);
    wrap.replaceChildren(form);
    return form;
  }

  /** submits and routes the answer: a session, the code step, the enrolment step, or an error to show */
  async function attempt(username: string, password: string, totp: string | undefined, err: HTMLElement, onRetry: () => void): Promise<void> {
    try {
      onSession(await api.login(username, password, totp));
    } catch (x) {
      if (!(x instanceof ApiError)) {
        err.textContent = `${t('loginFailed')}: ${String(x)}`;
        return onRetry();
      }
      const enrolment = (x.data as { enrolment?: TwoFactorEnrolment } | null)?.enrolment;
      if (x.code === 'LOOKOUT_ERR_2FA_REQUIRED') return codeStep(username, password, null, totp ? t('totpInvalid') : '');
      if (x.code === 'LOOKOUT_ERR_2FA_ENROL_REQUIRED' && enrolment) return codeStep(username, password, enrolment, totp ? t('enrolExpired') : '');
      if (x.code === 'LOOKOUT_ERR_2FA_INVALID') {
        err.textContent = t('totpInvalid');
        return onRetry();
      }
      // wrong password, locked, rate-limited: back to the first step with the hub's words
      passwordStep(username, `${t('loginFailed')}: ${x.message}`);
    }
  }

  function passwordStep(username = '', msg = ''): void {
    const user = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 64, value: username, 'data-testid': 'login-user' }) as HTMLInputElement;
    const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 256, 'data-testid': 'login-pass' }) as HTMLInputElement;
    const err = h('div', { class: 'form-err', role: 'alert', 'data-testid': 'login-error' }, msg);
    const btn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, t('login'));
    const form = card(
      h('h1', null, t('loginTitle')),
      h('p', { class: 'muted' }, t('loginSubtitle')),
      h('label', null, t('username'), user),
      h('label', null, t('password'), pass),
      err, btn);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      btn.disabled = true;
      btn.textContent = t('loggingIn');
      void attempt(user.value.trim(), pass.value, undefined, err, () => {
        btn.disabled = false;
        btn.textContent = t('login');
      });
    });
    (username ? pass : user).focus();
  }

  /** the code step; with `enrolment`, the first code of a new secret (shown here once) */
  function codeStep(username: string, password: string, enrolment: TwoFactorEnrolment | null, msg = ''): void {
    const code = h('input', {
      name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern: '[0-9]{3} ?[0-9]{3}', maxlength: 7,
      placeholder: '123456', class: 'totp-input', 'data-testid': 'totp-input',
    }) as HTMLInputElement;
    const err = h('div', { class: 'form-err', role: 'alert', 'data-testid': 'login-error' }, msg);
    const btn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'totp-submit' }, t(enrolment ? 'enrolSubmit' : 'totpSubmit'));
    const back = h('button', { type: 'button', class: 'link', 'data-testid': 'totp-back' }, t('back'));
    const enrol = enrolment
      ? h('div', { class: 'enrol', 'data-testid': 'enrol' },
        h('p', null, t('enrolIntro')),
        qrImage(enrolment.uri),
        h('div', { class: 'muted small' }, t('enrolKey')),
        h('code', { class: 'enrol-secret', 'data-testid': 'enrol-secret' }, groupSecret(enrolment.secret)),
        h('details', null, h('summary', { class: 'muted small' }, t('enrolUri')), h('code', { class: 'enrol-uri', 'data-testid': 'enrol-uri' }, enrolment.uri)),
        h('p', { class: 'muted small' }, t('enrolThen')))
      : null;
    const form = card(
      h('h1', null, t(enrolment ? 'enrolTitle' : 'totpTitle')),
      h('p', { class: 'muted' }, `${username} · ${t(enrolment ? 'enrolWhy' : 'totpPrompt')}`),
      enrol,
      h('label', null, t('totpCode'), code),
      err, btn, back);
    back.addEventListener('click', () => passwordStep(username));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = code.value.replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(value)) {
        err.textContent = t('totpFormat');
        return;
      }
      btn.disabled = true;
      void attempt(username, password, value, err, () => {
        btn.disabled = false;
        code.value = '';
        code.focus();
      });
    });
    code.focus();
  }

  passwordStep('', message ?? '');
  return wrap;
}
