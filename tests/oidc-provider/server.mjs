// A real OpenID Provider (panva/oidc-provider) on loopback, for the portal's sign-in tests.
// Configuration comes from the environment:
//   PORT               port to listen on (0: any free one; the chosen one is printed)
//   CLIENTS            JSON array of oidc-provider client metadata (client_id, client_secret, redirect_uris, ...)
//   KEYS_FILE          a JSON file with private JWKs {keys: [...]}; created with one fresh RSA key when missing.
//                      The first key signs. Restarting with a new key first is a key rotation.
// Accounts: any login name works on the provider's own login page; roles come from the tables below (realm_access.roles
// as Keycloak sends them, and a flat groups array).
// Test helper (not part of OpenID Connect): POST /test/sign with a JSON claim set returns a JWT signed with the
// provider's signing key, so tests can present expired or wrongly addressed tokens that are otherwise genuine.
import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const ROLES = {
  alice: ['portal_data_scientist'],
  victor: ['portal_viewer'],
  lena: ['portal_team_lead'],
  root: ['portal_admin'],
  nobody: [],
};
// The same people as a flat `groups` claim with the company's own names, as many providers send roles; a portal
// configured with auth.role_claim: groups maps them through auth.role_map.
const GROUPS = {
  alice: ['ml-scientists', 'staff'],
  victor: ['ml-readers', 'staff'],
  lena: ['ml-leads', 'staff'],
  root: ['platform-admins'],
  nobody: ['staff'],
};

const keysFile = process.env.KEYS_FILE;
let jwks;
if (keysFile && fs.existsSync(keysFile)) {
  jwks = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
} else {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  jwk.kid = `k-${Date.now()}`;
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  jwks = { keys: [jwk] };
  if (keysFile) fs.writeFileSync(keysFile, JSON.stringify(jwks));
}

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.env.PORT || 0), '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.CLIENTS || '[]'),
  jwks,
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], roles: ['realm_access', 'groups'] },
  scopes: ['openid', 'profile', 'email', 'roles'],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: 600, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({
      sub: id,
      preferred_username: id,
      name: `${id[0].toUpperCase()}${id.slice(1)} Tester`,
      email: `${id}@example.test`,
      realm_access: { roles: ROLES[id] ?? [] },
      groups: GROUPS[id] ?? [],
    }),
  }),
});
provider.proxy = false;

const signingKey = await jose.importJWK(jwks.keys[0], 'RS256');
const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url === '/test/sign') {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      const claims = JSON.parse(body);
      const jwt = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0].kid }).sign(signingKey);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(jwt);
    });
    return;
  }
  callback(req, res);
});

console.log(`listening ${port} issuer ${issuer} kid ${jwks.keys[0].kid}`);
