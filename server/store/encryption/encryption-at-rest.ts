import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EncryptionConfigError, parseEncryptionConfig } from './config.ts';
import { ObjectEncryption } from './object-encryption.ts';

/** The configuration a server makes in its data directory when it is given none. */
export const DEFAULT_CONFIG_FILE = 'encryption-config.yaml';

export interface EncryptionAtRestOptions {
  /** An EncryptionConfiguration file, as kube-apiserver's --encryption-provider-config. */
  configFile?: string;
  dataDir: string;
}

/**
 * How the store encrypts what it writes: from the given configuration file, or else from
 * the data directory's own, which the first start makes with a random AES-GCM key, so
 * Secrets are encrypted at rest unless someone configures otherwise. A file that cannot
 * be used stops the server with every problem named by its field path.
 */
export function encryptionAtRest(options: EncryptionAtRestOptions): {
  encryption: ObjectEncryption;
  file: string;
} {
  const file = options.configFile ?? path.join(options.dataDir, DEFAULT_CONFIG_FILE);
  if (!options.configFile && !fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, defaultConfig(crypto.randomBytes(32)), { mode: 0o600, flag: 'wx' });
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `encryption provider config ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  try {
    return { encryption: new ObjectEncryption(parseEncryptionConfig(text)), file };
  } catch (error) {
    if (error instanceof EncryptionConfigError)
      throw new Error(`encryption provider config ${file}: ${error.problems.join('; ')}`);
    throw error;
  }
}

/** AES-GCM first (authenticated, in node:crypto), identity second so values stored before encryption still read. */
function defaultConfig(key: Buffer): string {
  return `# Made by kubeql on first start: Secrets are written encrypted with key1 (AES-GCM).
# Keep this file apart from backups of the database: it is what opens them.
# To rotate: put a new key first under aesgcm.keys, restart, rewrite every Secret
# (kubectl get secrets -A -o json | kubectl replace -f -), then drop the old key.
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${key.toString('base64')}
      - identity: {}
`;
}
