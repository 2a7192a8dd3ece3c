// Who is signed in, how to sign in and out, and the one way the page sends changes: with the person's session
// (cookie + CSRF token) or, where no identity provider is configured, with the personal token saved in the page.

const TEXT = {
  zh: { signIn: '登录', signOut: '退出', signedInAs: '已登录', viaToken: '令牌', role_reporter: '填报人', role_office: '督办办公室',
        role_viewer: '只读', role_admin: '管理员', refused: '登录被拒绝' },
  en: { signIn: 'Sign in', signOut: 'Sign out', signedInAs: 'Signed in', viaToken: 'token', role_reporter: 'Reporter',
        role_office: 'Leadership office', role_viewer: 'Viewer', role_admin: 'Administrator', refused: 'Sign-in refused' },
};

export const lang = () => (localStorage.getItem('tt.lang') === 'en' ? 'en' : 'zh');
const t = key => TEXT[lang()][key] ?? TEXT.zh[key] ?? key;

/** The current session as GET /api/session describes it; refreshed by {@link refreshSession}. */
export const session = { authenticated: false };

function bearer() {
  const token = sessionStorage.getItem('tt.token') || '';
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export class RequestError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Sends a request as the signed-in person. A JSON body is serialised; a FormData body is sent as multipart.
 * Options: idempotencyKey, ifMatch. Resolves to { status, body, headers }, rejects with RequestError.
 */
export async function send(method, path, body, options = {}) {
  const headers = { Accept: 'application/json', ...bearer() };
  if (session.via === 'session' && session.csrfToken && method !== 'GET') headers[session.csrfHeader] = session.csrfToken;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!response.ok) throw new RequestError(response.status, json);
  return { status: response.status, body: json, headers: response.headers };
}

export async function refreshSession() {
  const response = await fetch('/api/session', { headers: { Accept: 'application/json', ...bearer() }, credentials: 'same-origin' });
  const body = response.ok ? await response.json() : { authenticated: false };
  for (const k of Object.keys(session)) delete session[k];
  Object.assign(session, body);
  renderSessionBox();
  document.dispatchEvent(new CustomEvent('tt:session', { detail: session }));
  return session;
}

function renderSessionBox() {
  const box = document.getElementById('session');
  if (!box) return;
  box.replaceChildren();
  const error = new URLSearchParams(location.search).get('signin-error');
  if (error) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.dataset.testid = 'signin-error';
    p.textContent = `${t('refused')}: ${error}`;
    box.append(p);
  }
  if (session.authenticated) {
    const who = document.createElement('span');
    who.dataset.testid = 'session-user';
    who.textContent = `${t('signedInAs')}: ${session.name} · ${t('role_' + session.role)}${session.agency ? ' · ' + session.agency : ''}` +
      (session.via === 'token' ? ` (${t('viaToken')})` : '');
    box.append(who);
    if (session.via === 'session') {
      const out = document.createElement('button');
      out.type = 'button';
      out.textContent = t('signOut');
      out.dataset.testid = 'sign-out';
      out.addEventListener('click', async () => {
        await send('POST', '/signout');
        location.assign('/');
      });
      box.append(' ', out);
    }
  } else if (session.signInAvailable) {
    const a = document.createElement('a');
    a.href = `${session.signInUrl}?returnUrl=${encodeURIComponent(location.pathname + location.hash)}`;
    a.textContent = t('signIn');
    a.className = 'button';
    a.dataset.testid = 'sign-in';
    box.append(a);
  }
  // Where people sign in through the provider, the token box is for machines' tokens only: hide it once signed in.
  const tokenBox = document.getElementById('token-box');
  if (tokenBox) tokenBox.hidden = session.via === 'session';
}

document.getElementById('lang')?.addEventListener('click', () => setTimeout(renderSessionBox));
document.getElementById('token-save')?.addEventListener('click', () => refreshSession());
document.getElementById('token-clear')?.addEventListener('click', () => refreshSession());
refreshSession();
