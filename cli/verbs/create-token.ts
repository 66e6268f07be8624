import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';

/**
 * `kq create token SA [--duration=1h]`: asks the server for a ServiceAccount token
 * (TokenRequest) in the current namespace and prints it, as kubectl does.
 */
export async function createToken(cli: Cli, name: string | undefined, duration: string | undefined) {
  if (!name) throw new UsageError('kq create token needs the name of a ServiceAccount: kq create token SA');
  const data = await cli.client().request<{ createToken: { token: string } }>(
    `mutation($namespace: String, $name: String!, $seconds: Int) {
      createToken(namespace: $namespace, serviceAccountName: $name, expirationSeconds: $seconds) { token }
    }`,
    {
      namespace: cli.namespace,
      name,
      seconds: duration === undefined ? undefined : durationSeconds(duration),
    },
  );
  cli.out(data.createToken.token);
  return 0;
}

/** A Go-style duration as kubectl takes it (`10m`, `1h30m`, `3600s`), in whole seconds. */
export function durationSeconds(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!text || !match)
    throw new UsageError(`invalid --duration "${text}": use hours, minutes and seconds, e.g. 1h or 10m`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}
