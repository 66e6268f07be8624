import crypto from 'node:crypto';
import { resourceWriter } from '../../client/writes.ts';
import type { Cli } from '../context.ts';
import { durationSeconds } from './create-token.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_TTL = '24h';

/**
 * `kq create token --bootstrap [--duration=24h]`: makes a bootstrap token, as `kubeadm token
 * create` does, and prints it: the Secret `kube-system/bootstrap-token-<id>` holding `<id>.<secret>`,
 * usable to authenticate until it expires. A node joins with it (`kq agent --bootstrap-token`).
 */
export async function createBootstrapToken(cli: Cli, duration: string | undefined): Promise<number> {
  const seconds = durationSeconds(duration ?? DEFAULT_TTL);
  const id = randomText(6);
  const secret = randomText(16);
  const expiration = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  await resourceWriter(cli.client()).create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: {
      'token-id': id,
      'token-secret': secret,
      expiration,
      'usage-bootstrap-authentication': 'true',
      description: 'made by kq create token --bootstrap',
    },
  });
  cli.out(`${id}.${secret}`);
  return 0;
}

/** Characters of [a-z0-9], uniformly (rejection sampling keeps the modulo unbiased). */
function randomText(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < 252 && text.length < length) text += ALPHABET[byte % ALPHABET.length];
    }
  }
  return text;
}
