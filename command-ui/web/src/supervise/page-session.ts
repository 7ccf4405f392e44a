// Who is using a supervision page. The console's login is reused: this tab's session (../api.ts), or the login
// cookie when the console opened the page in a tab of its own; with neither (a phone that went straight to
// inspect.html) the console's own login form is shown here, and its session then serves both.
import { ApiError, setSession, type SessionUser } from '../api.js';
import { loginView } from '../login.js';
import { getJson } from '../review/review-api.js';

export const isLoginError = (err: unknown) => err instanceof ApiError && (err.status === 401 || err.code === 'LOOKOUT_ERR_AUTH_REQUIRED');

/** The logged-in user; until there is one, `root` holds the login form. */
export async function pageUser(root: HTMLElement): Promise<SessionUser> {
  try {
    return (await getJson<{ user: SessionUser }>('/api/auth/me')).user;
  } catch (err) {
    if (!isLoginError(err)) throw err;
    // a stale session of this tab is dropped, so the form's new one is what the calls send
    setSession(null);
    return new Promise<SessionUser>((resolve) => {
      root.replaceChildren(loginView((session) => {
        setSession(session);
        resolve(session.user);
      }));
    });
  }
}

/** Dispatchers and administrators act (排查, advance, record an inspection); the others read. */
export const canAct = (u: SessionUser | null) => u?.role === 'dispatcher' || u?.role === 'admin';
