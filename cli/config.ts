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

/** The saved config; none yet is an empty one, a broken file an error naming it. */
export function readConfig(file: string): KqConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    const config: KqConfig = {};
    for (const key of CONFIG_KEYS) {
      const value = (parsed as Record<string, unknown>)[key];
      if (typeof value === 'string') config[key] = value;
    }
    return config;
  } catch (error) {
    throw new Error(`invalid config file ${file}: ${(error as Error).message}`);
  }
}

/** Saves the config readable by its owner only: it may hold a token. */
export function writeConfig(file: string, config: KqConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
