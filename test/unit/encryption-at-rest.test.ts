import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptionConfigError, parseEncryptionConfig } from '../../server/store/encryption/config.ts';
import { DEFAULT_CONFIG_FILE, encryptionAtRest } from '../../server/store/encryption/encryption-at-rest.ts';
import { openEnvelope, sealEnvelope } from '../../server/store/encryption/envelope.ts';
import { DecryptError, ObjectEncryption } from '../../server/store/encryption/object-encryption.ts';

const key = () => crypto.randomBytes(32).toString('base64');

function config(providers: unknown[], resources = ['secrets']): string {
  return JSON.stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources, providers }],
  });
}

function encryption(providers: unknown[]): ObjectEncryption {
  return new ObjectEncryption(parseEncryptionConfig(config(providers)));
}

/** The problems parseEncryptionConfig reports, or [] when it accepts the text. */
function problems(text: string): string[] {
  try {
    parseEncryptionConfig(text);
    return [];
  } catch (error) {
    if (error instanceof EncryptionConfigError) return error.problems;
    throw error;
  }
}

const SECRET_KEY = 'Secret/default/db';
const SECRET_JSON = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  data: { p: 'c2VjcmV0' },
});

describe('the stored envelope', () => {
  it('carries Kubernetes prefix naming the provider and key, then the payload', () => {
    const text = sealEnvelope({ provider: 'aesgcm', keyName: 'key1', payload: Buffer.from([1, 2, 3]) });
    expect(text).toBe('k8s:enc:aesgcm:v1:key1:AQID');
    expect(openEnvelope(text)).toEqual({
      provider: 'aesgcm',
      keyName: 'key1',
      payload: Buffer.from([1, 2, 3]),
    });
  });

  it('refuses malformed prefixes, saying what is wrong', () => {
    expect(() => openEnvelope('{"kind":"Secret"}')).toThrow(/no k8s:enc: prefix/);
    expect(() => openEnvelope('k8s:enc:aesgcm:v2:key1:AQID')).toThrow(/unknown envelope version "v2"/);
    expect(() => openEnvelope('k8s:enc:aesgcm:v1:AQID')).toThrow(/<provider>:v1:<key name>/);
    expect(() => openEnvelope('k8s:enc:aesgcm:v1:key1:not base64!')).toThrow(/not base64/);
  });
});

describe('encrypting objects by kind', () => {
  it('writes Secrets under the first key of the first provider and reads them back', () => {
    const aes = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }, { identity: {} }]);
    const stored = aes.seal('Secret', SECRET_KEY, SECRET_JSON);
    expect(stored.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    expect(stored).not.toContain('c2VjcmV0');
    expect(aes.open('Secret', SECRET_KEY, stored)).toEqual({ json: SECRET_JSON, stale: false });
    // A fresh nonce per write: the same object never encrypts the same way twice.
    expect(aes.seal('Secret', SECRET_KEY, SECRET_JSON)).not.toBe(stored);
  });

  it('leaves kinds the configuration does not name as JSON', () => {
    const aes = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }]);
    const json = '{"kind":"ConfigMap"}';
    expect(aes.seal('ConfigMap', 'ConfigMap/default/c', json)).toBe(json);
    expect(aes.open('ConfigMap', 'ConfigMap/default/c', json)).toEqual({ json, stale: false });
  });

  it('reads values stored before encryption through identity, as stale, and not without it', () => {
    const withIdentity = encryption([
      { aesgcm: { keys: [{ name: 'key1', secret: key() }] } },
      { identity: {} },
    ]);
    expect(withIdentity.open('Secret', SECRET_KEY, SECRET_JSON)).toEqual({ json: SECRET_JSON, stale: true });
    const without = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }]);
    expect(() => without.open('Secret', SECRET_KEY, SECRET_JSON)).toThrow(DecryptError);
    expect(() => without.open('Secret', SECRET_KEY, SECRET_JSON)).toThrow(/no identity provider/);
  });

  it('binds a value to its object: copied to another row it does not open', () => {
    const aes = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }]);
    const stored = aes.seal('Secret', SECRET_KEY, SECRET_JSON);
    expect(() => aes.open('Secret', 'Secret/default/other', stored)).toThrow(/message authentication failed/);
  });

  it('rotates: the new key writes, the old one still reads, and what it wrote is stale', () => {
    const oldKey = key();
    const before = encryption([{ aesgcm: { keys: [{ name: 'old', secret: oldKey }] } }]);
    const storedOld = before.seal('Secret', SECRET_KEY, SECRET_JSON);
    const after = encryption([
      {
        aesgcm: {
          keys: [
            { name: 'new', secret: key() },
            { name: 'old', secret: oldKey },
          ],
        },
      },
      { identity: {} },
    ]);
    expect(after.open('Secret', SECRET_KEY, storedOld)).toEqual({ json: SECRET_JSON, stale: true });
    const rewritten = after.seal('Secret', SECRET_KEY, SECRET_JSON);
    expect(rewritten.startsWith('k8s:enc:aesgcm:v1:new:')).toBe(true);
    expect(after.open('Secret', SECRET_KEY, rewritten).stale).toBe(false);
  });

  it('names the missing or wrong key when a value does not open', () => {
    const stored = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }]).seal(
      'Secret',
      SECRET_KEY,
      SECRET_JSON,
    );
    const missing = encryption([{ aesgcm: { keys: [{ name: 'key2', secret: key() }] } }]);
    expect(() => missing.open('Secret', SECRET_KEY, stored)).toThrow(
      'no aesgcm key "key1" is configured for it',
    );
    const wrong = encryption([{ aesgcm: { keys: [{ name: 'key1', secret: key() }] } }]);
    expect(() => wrong.open('Secret', SECRET_KEY, stored)).toThrow(
      /aesgcm key "key1": message authentication failed/,
    );
  });

  it('reads and writes aescbc, for configurations that use it', () => {
    const cbcKey = key();
    const cbc = encryption([{ aescbc: { keys: [{ name: 'k', secret: cbcKey }] } }]);
    const stored = cbc.seal('Secret', SECRET_KEY, SECRET_JSON);
    expect(stored.startsWith('k8s:enc:aescbc:v1:k:')).toBe(true);
    expect(cbc.open('Secret', SECRET_KEY, stored).json).toBe(SECRET_JSON);
    const other = encryption([{ aescbc: { keys: [{ name: 'k', secret: key() }] } }]);
    expect(() => other.open('Secret', SECRET_KEY, stored)).toThrow(DecryptError);
  });
});

describe('parsing an EncryptionConfiguration', () => {
  it('accepts the YAML Kubernetes documents', () => {
    const yaml = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${key()}
      - identity: {}
  - resources: ['*.apps']
    providers:
      - identity: {}
`;
    const parsed = parseEncryptionConfig(yaml);
    expect([...parsed.rules[0].kinds].sort()).toEqual(['ConfigMap', 'Secret']);
    expect(parsed.rules[0].providers.map((provider) => provider.type)).toEqual(['aesgcm', 'identity']);
    expect(parsed.rules[1].kinds).toContain('Deployment');
  });

  it('names every problem by its field path', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      resources: [
        {
          resources: ['secret', 'Secrets'],
          providers: [
            { aesgcm: { keys: [{ name: 'a:b', secret: Buffer.alloc(10).toString('base64') }] } },
            { aesgcm: { keys: [] }, identity: {} },
            { secretbox: { keys: [{ name: 'k', secret: key() }] } },
            {
              aescbc: {
                keys: [
                  { name: 'k', secret: key() },
                  { name: 'k', secret: 'not base64!' },
                ],
              },
            },
            { rot13: {} },
          ],
        },
        { providers: [{ identity: {} }] },
      ],
    });
    expect(problems(text)).toEqual([
      'kind: must be EncryptionConfiguration',
      'apiVersion: must be apiserver.config.k8s.io/v1',
      'resources[0].resources[0]: no resource "secret" is served (a typo would leave it unencrypted)',
      'resources[0].resources[1]: "Secrets" must be lowercase',
      'resources[0].providers[0].aesgcm.keys[0].name: must not contain ":" (it ends the stored prefix)',
      'resources[0].providers[0].aesgcm.keys[0].secret: must decode to 16, 24 or 32 bytes, not 10',
      'resources[0].providers[1]: must name exactly one provider (aesgcm, aescbc or identity): split others into their own items',
      'resources[0].providers[2].secretbox: secretbox (XSalsa20-Poly1305) is not supported here: use aesgcm',
      'resources[0].providers[3].aescbc.keys[1].name: "k" is named twice',
      'resources[0].providers[3].aescbc.keys[1].secret: required: a base64-encoded key',
      'resources[0].providers[4].rot13: unknown provider: use aesgcm, aescbc or identity',
      'resources[1].resources: required: resource names such as secrets',
    ]);
  });

  it('says so when the text is not YAML or holds no resources', () => {
    expect(problems('resources: [')[0]).toMatch(/^not YAML or JSON/);
    expect(problems('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n')).toEqual([
      'resources: required: a list of rules',
    ]);
  });
});

describe('the data directory default', () => {
  it('is made on first start with a random 32-byte AES-GCM key, readable by its owner only, and kept', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-encryption-'));
    const first = encryptionAtRest({ dataDir });
    const file = path.join(dataDir, DEFAULT_CONFIG_FILE);
    expect(first.file).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    const secret = /secret: (\S+)/.exec(text)![1];
    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    const stored = first.encryption.seal('Secret', SECRET_KEY, SECRET_JSON);
    expect(stored.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    const again = encryptionAtRest({ dataDir });
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(again.encryption.open('Secret', SECRET_KEY, stored).json).toBe(SECRET_JSON);
  });

  it('a given file that cannot be used stops the start, naming the file and the fields', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-encryption-'));
    const configFile = path.join(dataDir, 'custom.yaml');
    fs.writeFileSync(configFile, config([{ aesgcm: { keys: [{ name: 'k' }] } }]));
    expect(() => encryptionAtRest({ dataDir, configFile })).toThrow(
      `encryption provider config ${configFile}: resources[0].providers[0].aesgcm.keys[0].secret: required: a base64-encoded key`,
    );
    expect(() => encryptionAtRest({ dataDir, configFile: path.join(dataDir, 'missing.yaml') })).toThrow(
      /ENOENT/,
    );
    expect(fs.existsSync(path.join(dataDir, DEFAULT_CONFIG_FILE))).toBe(false);
  });
});
