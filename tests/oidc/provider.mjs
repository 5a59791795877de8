// A real OpenID provider (oidc-provider) for Samordna's sign-on tests and for trying sign-on
// locally: one client, a fixed set of accounts, the package's own login pages (any password).
//
//   node tests/oidc/provider.mjs     (npm ci --prefix tests/oidc first)
//
// PORT (default 9090) is where it listens on 127.0.0.1; SAMORDNA_BASE_URL (default
// http://127.0.0.1:8000, several separated by commas) the Samordna it signs users in to;
// OIDC_TEST_ACCOUNTS a JSON object {login: claims} replacing the accounts below.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9090);
const issuer = `http://127.0.0.1:${port}`;
const bases = (process.env.SAMORDNA_BASE_URL || 'http://127.0.0.1:8000')
  .split(',')
  .map((base) => base.trim().replace(/\/$/, ''));

// The demo's samordnare (`uv run coordination serve --demo`) and an unknown colleague.
const accounts = process.env.OIDC_TEST_ACCOUNTS
  ? JSON.parse(process.env.OIDC_TEST_ACCOUNTS)
  : {
      samordnare: {
        sub: 'demo-samordnare-1',
        email: 'samordnare@demo.samordna',
        email_verified: true,
        name: 'Demo Samordnare',
        groups: ['samordna-demo'],
      },
      okand: {
        sub: 'demo-okand-1',
        email: 'okand@demo.samordna',
        email_verified: true,
        name: 'Okänd Kollega',
        groups: [],
      },
    };

const client = {
  client_id: 'samordna',
  client_secret: 'samordna-test-secret',
  redirect_uris: bases.map((base) => `${base}/logga-in/oidc/callback`),
  post_logout_redirect_uris: bases.map((base) => `${base}/logga-in`),
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

const provider = new Provider(issuer, {
  clients: [client],
  cookies: { keys: ['samordna-test-provider-only'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(_, id) {
    const found = Object.values(accounts).find((claims) => claims.sub === id)
      || accounts[id];
    if (!found) return undefined;
    return { accountId: id, claims: async () => found };
  },
  // Samordna is a first-party client: no consent page, every scope it asks for is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

// The dev login page takes any login; it must be one of the accounts (its key or its sub).
provider.listen(port, '127.0.0.1', () => {
  console.log(`OpenID provider: ${issuer}`);
  console.log(`client_id=${client.client_id} client_secret=${client.client_secret}`);
  console.log(`redirect URIs: ${client.redirect_uris.join(', ')}`);
  for (const [login, claims] of Object.entries(accounts)) {
    console.log(`log in as "${login}" (any password): ${claims.email}`);
  }
});
