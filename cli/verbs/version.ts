import fs from 'node:fs';
import type { Cli } from '../context.ts';
import type { Options, Parsed } from '../flags.ts';
import { toYAML } from '../printers/output.ts';
import type { Verb } from './verb.ts';

const options = {
  client: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const version: Verb<typeof options> = {
  usage: `Print the client version and the server's (its URL and whether it answers).

Usage: kq version [--client] [-o json|yaml]`,
  options,
  run: runVersion,
};

/** The package's own version: kq and the server ship together. */
function clientVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `v${pkg.version}`;
}

/**
 * The API has no version field yet, so the server part says where the server is and
 * that it answers (a failed request is the usual one-line error and exit 1).
 */
async function runVersion(cli: Cli, { values }: Parsed<typeof options>): Promise<number> {
  const info: Record<string, unknown> = {
    clientVersion: {
      gitVersion: clientVersion(),
      platform: `${process.platform}/${process.arch}`,
      nodeVersion: process.version,
    },
  };
  if (!values.client) {
    await cli.client().request('{ __typename }');
    info.serverVersion = { url: cli.server, gitVersion: 'unknown (the API reports no version)' };
  }
  if (values.output === 'json') cli.out(JSON.stringify(info, null, 2));
  else if (values.output === 'yaml') cli.io.stdout.write(await toYAML(info));
  else {
    cli.out(`Client Version: ${clientVersion()}`);
    if (!values.client) cli.out(`Server: ${cli.server} (reachable; the API reports no version)`);
  }
  return 0;
}
