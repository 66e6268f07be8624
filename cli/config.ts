import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What `kq` remembers between runs, as kubeconfig's current context does. */
export interface KqConfig {
  /** The API endpoint, e.g. http://127.0.0.1:8080/graphql. */
  server?: string;
  token?: string;
  /** The namespace commands use without -n. */
  namespace?: string;
  /** The cluster CA that signs an https:// server's certificate: base64 of its PEM, as in a kubeconfig. */
  'certificate-authority-data'?: string;
}

export const CONFIG_KEYS = ['server', 'token', 'namespace', 'certificate-authority-data'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** $KQ_CONFIG, else config.json in kubeql's folder of the user's config directory (XDG). */
export function configPath(env: Record<string, string | undefined>): string {
  if (env.KQ_CONFIG) return env.KQ_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'kubeql', 'config.json');
}

/**
 * The file: named contexts, each a server to talk to as kubeconfig's contexts are (with
 * its cluster and user folded in), and the one kq uses unless told otherwise.
 */
export interface KqConfigFile {
  'current-context'?: string;
  contexts: Record<string, KqConfig>;
}

/** The context a config file of kq before contexts becomes, and `kq config set` makes in an empty one. */
export const DEFAULT_CONTEXT = 'kubeql';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function settingsOf(value: unknown): KqConfig {
  const settings: KqConfig = {};
  if (!isObject(value)) return settings;
  for (const key of CONFIG_KEYS) {
    if (typeof value[key] === 'string') settings[key] = value[key];
  }
  return settings;
}

/** The saved config; none yet is an empty one, a broken file an error naming it. */
export function readConfigFile(file: string): KqConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { contexts: {} };
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!isObject(parsed)) throw new Error('not an object');
    if (!isObject(parsed.contexts)) {
      // Written before contexts: its settings are the one context there was.
      const settings = settingsOf(parsed);
      return Object.keys(settings).length
        ? { 'current-context': DEFAULT_CONTEXT, contexts: { [DEFAULT_CONTEXT]: settings } }
        : { contexts: {} };
    }
    const contexts = Object.fromEntries(
      Object.entries(parsed.contexts).map(([name, settings]) => [name, settingsOf(settings)]),
    );
    const current = parsed['current-context'];
    return { ...(typeof current === 'string' ? { 'current-context': current } : {}), contexts };
  } catch (error) {
    throw new Error(`invalid config file ${file}: ${(error as Error).message}`);
  }
}

/** The settings of context `name` (else the current one); none, or a name not there: none. */
export function readConfig(file: string, name?: string): KqConfig {
  const config = readConfigFile(file);
  const chosen = name ?? config['current-context'];
  return (chosen !== undefined && Object.hasOwn(config.contexts, chosen) && config.contexts[chosen]) || {};
}

/** Saves the config readable by its owner only: it may hold tokens. */
export function writeConfigFile(file: string, config: KqConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Adds context `name` for a cluster and makes it the current one, as kind adds its
 * cluster to a kubeconfig: the other contexts stay. A context of that name is replaced,
 * but keeps the namespace chosen in it.
 */
export function addContext(file: string, name: string, settings: KqConfig): void {
  const config = readConfigFile(file);
  const namespace = config.contexts[name]?.namespace;
  writeConfigFile(file, {
    'current-context': name,
    contexts: { ...config.contexts, [name]: { ...settings, ...(namespace ? { namespace } : {}) } },
  });
}
