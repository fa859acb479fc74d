// Local development OpenID Provider for the reliability portal.
//
//   node devidp/server.mjs
//
// Env:
//   DEVIDP_PORT              listen port on 127.0.0.1 (default 4400)
//   DEVIDP_REDIRECT_URIS     comma-separated redirect URIs for client "portal"
//                            (default http://127.0.0.1:3000/auth/callback)
//   DEVIDP_POST_LOGOUT_URIS  comma-separated post-logout redirect URIs
//                            (default http://127.0.0.1:3000/signed-out)
//   DEVIDP_VERBOSE=1         show oidc-provider's development notices/warnings
//
// Development only: in-memory storage, fixed cookie keys, throwaway signing key
// and demo users whose password is "demo". Never expose it beyond loopback.

import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const HOST = '127.0.0.1';
const PORT = parsePort(process.env.DEVIDP_PORT ?? '4400');
const ISSUER = `http://${HOST}:${PORT}`;
const REDIRECT_URIS = listFromEnv('DEVIDP_REDIRECT_URIS', 'http://127.0.0.1:3000/auth/callback');
const POST_LOGOUT_URIS = listFromEnv('DEVIDP_POST_LOGOUT_URIS', 'http://127.0.0.1:3000/signed-out');
const VERBOSE = process.env.DEVIDP_VERBOSE === '1';

const DEMO_PASSWORD = 'demo';
const USERS = new Map([
  ['alice', { name: 'Alice Admin', email: 'alice@example.com', groups: ['sre-admins', 'team-platform'] }],
  ['bob', { name: 'Bob Editor', email: 'bob@example.com', groups: ['engineering', 'team-payments'] }],
  ['carol', { name: 'Carol Viewer', email: 'carol@example.com', groups: ['engineering'] }],
  ['dave', { name: 'Dave Editor', email: 'dave@example.com', groups: ['engineering', 'team-checkout'] }],
]);

function parsePort(raw) {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`devidp: invalid DEVIDP_PORT ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

function listFromEnv(name, fallback) {
  const list = (process.env[name] || fallback).split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : [fallback];
}

// oidc-provider prints development notices (console.info -> stdout) and warnings
// (console.warn) about defaults we deliberately use here (in-memory adapter, default
// helper functions). Keep stdout to the single "listening" line; other warnings
// (e.g. an unsupported Node.js runtime) still reach stderr. Must run before import.
if (!VERBOSE) {
  const expected = /^oidc-provider (NOTICE: |WARNING: a quick start development-only in-memory adapter)/;
  const strip = (s) => (typeof s === 'string' ? s.replace(/\x1b\[[\d;]*m/g, '') : ''); // eslint-disable-line no-control-regex
  const { info, warn } = console;
  console.info = (...args) => { if (!expected.test(strip(args[0]))) info(...args); };
  console.warn = (...args) => { if (!expected.test(strip(args[0]))) warn(...args); };
}

const { default: Provider, errors } = await import('oidc-provider');

// --- keys -------------------------------------------------------------------

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `devidp-${randomUUID()}`,
  alg: 'RS256',
  use: 'sig',
};

// --- HTML helpers -----------------------------------------------------------

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const STYLE = `
  :root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --muted: #57606a;
    --accent: #0b57d0; --accent-fg: #fff; --border: #d0d7de; --err-bg: #ffebe9; --err-fg: #82071e; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --muted: #9da7b3;
    --accent: #4c8dff; --accent-fg: #0d1117; --border: #30363d; --err-bg: #3d1418; --err-fg: #ffb4b4; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  main { max-width: 28rem; margin: 3rem auto; padding: 1.5rem; background: var(--card); border: 1px solid var(--border); border-radius: 8px; }
  h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
  p.note { color: var(--muted); margin: 0 0 1rem; }
  table { width: 100%; border-collapse: collapse; margin: 0 0 1.25rem; font-size: .9rem; }
  caption { text-align: left; font-weight: 600; margin-bottom: .25rem; }
  th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--border); vertical-align: top; }
  code { font-size: .9em; }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  input { width: 100%; padding: .5rem .6rem; font: inherit; color: inherit; background: transparent; border: 1px solid var(--border); border-radius: 6px; }
  button { margin-top: 1.25rem; width: 100%; padding: .6rem; font: inherit; font-weight: 600; color: var(--accent-fg); background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
  input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .error { padding: .6rem .75rem; margin: 0 0 1rem; color: var(--err-fg); background: var(--err-bg); border-radius: 6px; }
`;

function page(title, body, { script } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>${script ? `\n<script>${script}</script>` : ''}
</body>
</html>
`;
}

function csp(script) {
  const scriptSrc = script ? `'sha256-${createHash('sha256').update(script).digest('base64')}'` : "'none'";
  return `default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptSrc}; frame-ancestors 'none'; base-uri 'none'`;
}

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const LOGIN_TITLE = 'Sign in — Portal dev identity provider';

function loginPage(uid, { username = '', error = false } = {}) {
  const rows = [...USERS].map(([id, u]) => `      <tr><td><code>${escapeHtml(id)}</code></td><td>${escapeHtml(u.name)}</td><td>${u.groups.map((g) => `<code>${escapeHtml(g)}</code>`).join(', ')}</td></tr>`).join('\n');
  return page(LOGIN_TITLE, `<h1>${escapeHtml(LOGIN_TITLE)}</h1>
<p class="note">Development provider: every demo user's password is <code>demo</code></p>
<table>
  <caption>Demo users</caption>
  <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Groups</th></tr></thead>
  <tbody>
${rows}
  </tbody>
</table>
${error ? '<p class="error" role="alert">Wrong username or password</p>\n' : ''}<form method="post" action="/interaction/${encodeURIComponent(uid)}/login" autocomplete="on">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${username ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${username ? ' autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>`);
}

// --- provider ---------------------------------------------------------------

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: 'portal',
    client_secret: 'portal-dev-secret',
    client_name: 'Reliability portal',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_URIS,
    id_token_signed_response_alg: 'RS256',
  }],
  responseTypes: ['code'],
  jwks: { keys: [signingJwk] },
  cookies: {
    // Fixed dev key so cookies survive restarts of the process; not a secret.
    keys: ['devidp-local-development-cookie-key-not-secret'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // The portal reads name/email/groups from the ID token, not from userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // `form` is <form id="op.logoutForm" ...><input name="xsrf" ...></form>. A truthy
        // `logout` field ends the whole provider session (not just this client's grant).
        const fields = '<input type="hidden" name="logout" value="yes"><button type="submit">Sign out</button>';
        const script = "document.getElementById('op.logoutForm').submit();";
        ctx.set('Content-Security-Policy', csp(script));
        ctx.type = 'html';
        ctx.body = page('Signing out — Portal dev identity provider', `<h1>Signing out…</h1>
<p class="note">You are being signed out of the dev provider. If nothing happens, press the button.</p>
${form.replace('</form>', `${fields}</form>`)}`, { script });
      },
      async postLogoutSuccessSource(ctx) {
        ctx.set('Content-Security-Policy', csp());
        ctx.type = 'html';
        ctx.body = page('Signed out — Portal dev identity provider', '<h1>You are signed out of the dev provider</h1>');
      },
    },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async findAccount(ctx, id) {
    const user = USERS.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: user.name,
          email: user.email,
          email_verified: true,
          groups: [...user.groups],
        };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.set('Content-Security-Policy', csp());
    ctx.type = 'html';
    const details = Object.entries(out)
      .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
    ctx.body = page('Error — Portal dev identity provider', `<h1>Something went wrong</h1>\n<table>\n${details}\n</table>`);
  },
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    Session: 8 * 60 * 60,
    Grant: 8 * 60 * 60,
  },
});

provider.on('server_error', (ctx, err) => console.error('devidp: server_error', err));

// --- interactions (login + automatic consent) --------------------------------

function send(res, status, html, script) {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Security-Policy': csp(script) });
  res.end(html);
}

function readForm(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

async function autoConsent(req, res, details) {
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });

  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function handleInteraction(req, res, uid, action) {
  if (action === '' && req.method === 'GET') {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    switch (details.prompt.name) {
      case 'login':
        return send(res, 200, loginPage(uid, { username: details.params.login_hint ?? '' }));
      case 'consent':
        return autoConsent(req, res, details);
      default:
        return send(res, 400, page('Error — Portal dev identity provider', `<h1>Unsupported prompt ${escapeHtml(details.prompt.name)}</h1>`));
    }
  }

  if (action === '/login' && req.method === 'POST') {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') {
      throw new errors.SessionNotFound('interaction is not waiting for a login');
    }
    const form = await readForm(req);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    if (!USERS.has(username) || password !== DEMO_PASSWORD) {
      return send(res, 200, loginPage(uid, { username, error: true }));
    }
    return provider.interactionFinished(req, res, {
      login: { accountId: username, amr: ['pwd'] },
    }, { mergeWithLastSubmission: false });
  }

  res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: action === '' ? 'GET' : 'POST' });
  return res.end('method not allowed\n');
}

const providerCallback = provider.callback();
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url, ISSUER);
  const match = INTERACTION_PATH.exec(pathname);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, match[1], match[2] ?? '').catch((err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof errors.SessionNotFound) {
      send(res, 400, page('Error — Portal dev identity provider', `<h1>Sign-in session expired or not found</h1>
<p class="note">Start the sign-in again from the portal. (${escapeHtml(err.error_description || err.message)})</p>`));
      return;
    }
    console.error('devidp: interaction error', err);
    send(res, err.status === 413 ? 413 : 500, page('Error — Portal dev identity provider', '<h1>Internal error</h1>'));
  });
});

server.on('error', (err) => {
  console.error(`devidp: cannot listen on ${HOST}:${PORT}: ${err.message}`);
  process.exit(1);
});

server.listen(PORT, HOST, () => {
  console.log(`devidp listening on ${ISSUER}`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
