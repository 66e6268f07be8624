import { parse as parseYaml } from 'yaml';
import { KINDS } from '../../../schema/kinds/index.ts';
import { aesCbc, aesGcm, KEY_SIZES, type Cipher } from './providers.ts';

/** One provider of a rule, in the configuration's order: identity, or the ciphers of its keys (first one writes). */
export type ConfiguredProvider = { type: 'identity' } | { type: 'aesgcm' | 'aescbc'; ciphers: Cipher[] };

/** One entry of `resources`: the kinds it covers and their providers, the first of which writes. */
export interface EncryptionRule {
  kinds: Set<string>;
  providers: ConfiguredProvider[];
}

export interface EncryptionConfig {
  rules: EncryptionRule[];
}

/** A configuration that cannot be used, with every problem found, each under its field path. */
export class EncryptionConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const API_VERSION = 'apiserver.config.k8s.io/v1';
const KIND = 'EncryptionConfiguration';
const UNSUPPORTED: Record<string, string> = {
  secretbox: 'secretbox (XSalsa20-Poly1305) is not supported here: use aesgcm',
  kms: 'kms is not supported here: use aesgcm with a key file kept apart from the data',
};

/** Kinds by the names a configuration may give: `secrets`, `deployments.apps`, `*.apps`, `*.` (the core group), `*.*`. */
function kindsNamed(resource: string): string[] {
  const [plural, ...rest] = resource.split('.');
  const group = rest.join('.');
  return KINDS.filter((def) => {
    const defGroup = def.apiVersion.includes('/') ? def.apiVersion.split('/')[0] : '';
    if (plural === '*') return group === '*' || group === defGroup;
    return plural === def.plural && group === defGroup;
  }).map((def) => def.kind);
}

/** Parses an EncryptionConfiguration (YAML or JSON), as kube-apiserver's --encryption-provider-config reads it. */
export function parseEncryptionConfig(text: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new EncryptionConfigError([`not YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
  }
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  if (!isObject(doc))
    throw new EncryptionConfigError(['the file must hold an EncryptionConfiguration object']);
  if (doc.kind !== KIND) problem('kind', `must be ${KIND}`);
  if (doc.apiVersion !== API_VERSION) problem('apiVersion', `must be ${API_VERSION}`);
  const rules: EncryptionRule[] = [];
  const seen = new Set<string>();
  const entries = doc.resources;
  if (!Array.isArray(entries) || entries.length === 0) problem('resources', 'required: a list of rules');
  else
    entries.forEach((entry, i) => {
      const at = `resources[${i}]`;
      if (!isObject(entry)) return problem(at, 'must be an object with resources and providers');
      const kinds = new Set<string>();
      if (!Array.isArray(entry.resources) || entry.resources.length === 0)
        problem(`${at}.resources`, 'required: resource names such as secrets');
      else
        entry.resources.forEach((name, j) => {
          const path = `${at}.resources[${j}]`;
          if (typeof name !== 'string' || name === '') return problem(path, 'must be a resource name');
          if (name !== name.toLowerCase()) return problem(path, `"${name}" must be lowercase`);
          if (seen.has(name)) return problem(path, `"${name}" is named twice`);
          seen.add(name);
          const named = kindsNamed(name);
          if (named.length === 0)
            return problem(path, `no resource "${name}" is served (a typo would leave it unencrypted)`);
          for (const kind of named) kinds.add(kind);
        });
      const providers: ConfiguredProvider[] = [];
      if (!Array.isArray(entry.providers) || entry.providers.length === 0)
        problem(`${at}.providers`, 'required: at least one provider');
      else
        entry.providers.forEach((provider, j) => {
          const parsed = parseProvider(provider, `${at}.providers[${j}]`, problem);
          if (parsed) providers.push(parsed);
        });
      rules.push({ kinds, providers });
    });
  if (problems.length) throw new EncryptionConfigError(problems);
  return { rules };
}

function parseProvider(
  provider: unknown,
  at: string,
  problem: (path: string, message: string) => void,
): ConfiguredProvider | undefined {
  if (!isObject(provider)) return void problem(at, 'must be an object naming one provider');
  const names = Object.keys(provider);
  if (names.length !== 1)
    return void problem(
      at,
      'must name exactly one provider (aesgcm, aescbc or identity): split others into their own items',
    );
  const [type] = names;
  if (UNSUPPORTED[type]) return void problem(`${at}.${type}`, UNSUPPORTED[type]);
  if (type === 'identity') return { type };
  if (type !== 'aesgcm' && type !== 'aescbc')
    return void problem(`${at}.${type}`, 'unknown provider: use aesgcm, aescbc or identity');
  const body = provider[type];
  const keys = isObject(body) ? body.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0)
    return void problem(`${at}.${type}.keys`, 'required: at least one key');
  const ciphers: Cipher[] = [];
  const keyNames = new Set<string>();
  keys.forEach((key, k) => {
    const path = `${at}.${type}.keys[${k}]`;
    if (!isObject(key)) return problem(path, 'must be an object with name and secret');
    const { name, secret } = key;
    if (typeof name !== 'string' || name === '') problem(`${path}.name`, 'required');
    else if (name.includes(':')) problem(`${path}.name`, 'must not contain ":" (it ends the stored prefix)');
    else if (keyNames.has(name)) problem(`${path}.name`, `"${name}" is named twice`);
    else keyNames.add(name);
    const bytes =
      typeof secret === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(secret)
        ? Buffer.from(secret, 'base64')
        : undefined;
    if (!bytes) problem(`${path}.secret`, 'required: a base64-encoded key');
    else if (!KEY_SIZES.includes(bytes.length))
      problem(`${path}.secret`, `must decode to 16, 24 or 32 bytes, not ${bytes.length}`);
    else if (typeof name === 'string')
      ciphers.push(type === 'aesgcm' ? aesGcm(name, bytes) : aesCbc(name, bytes));
  });
  return { type, ciphers };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
