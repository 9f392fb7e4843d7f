import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { envLines } from '../../src/app/ci-files.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient } from '../helpers/op.js';
import { tempDir } from '../helpers/cli.js';

/** The --env-file content: what `. ./file` in sh (and dotenv) reads back, whatever the ids and secrets hold. */
describe('envLines', () => {
  const clients: Client[] = [
    confidentialClient({ client_id: 'web-app', client_secret: 'plain-secret_1.~' }),
    confidentialClient({ client_id: 'svc 2', client_secret: `it's $HOME; \`rm\` "x"` }),
    confidentialClient({ client_id: 'spa', client_secret: undefined, token_endpoint_auth_method: 'none' }),
    confidentialClient({ client_id: 'web_app', client_secret: 'second-of-the-same-name' }),
  ];

  it('names each client by its upper-cased id (others → _), the first one also plainly; a public client has no secret line', () => {
    expect(envLines('http://localhost:4000', clients)).toBe([
      'OIDC_ISSUER=http://localhost:4000',
      'OIDC_CLIENT_ID=web-app', 'OIDC_CLIENT_SECRET=plain-secret_1.~',
      'OIDC_CLIENT_ID_WEB_APP=web-app', 'OIDC_CLIENT_SECRET_WEB_APP=plain-secret_1.~',
      `OIDC_CLIENT_ID_SVC_2='svc 2'`, `OIDC_CLIENT_SECRET_SVC_2='it'\\''s $HOME; \`rm\` "x"'`,
      'OIDC_CLIENT_ID_SPA=spa',
      '',
    ].join('\n'));
  });

  it('sh reads every value back exactly, expanding nothing', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, '.env');
      await writeFile(file, envLines('http://localhost:4000/a b', clients));
      const { stdout } = await execa('sh', ['-c', `. "${file}"; printf '%s\\n' "$OIDC_ISSUER" "$OIDC_CLIENT_ID_SVC_2" "$OIDC_CLIENT_SECRET_SVC_2"`]);
      expect(stdout.split('\n')).toEqual(['http://localhost:4000/a b', 'svc 2', `it's $HOME; \`rm\` "x"`]);
    } finally {
      await dir.cleanup();
    }
  });
});
