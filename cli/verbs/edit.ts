import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import type { Resource } from '../../client/types.ts';
import { resourceWriter } from '../../client/writes.ts';
import type { Cli } from '../context.ts';
import { describeFailure } from '../failure.ts';
import type { Parsed } from '../flags.ts';
import { notFound, objectRef, oneObject } from '../kinds.ts';
import { toYAML } from '../printers/output.ts';
import { nsOf } from './mutate.ts';
import type { Verb } from './verb.ts';

export const edit: Verb = {
  usage: `Edit a resource in your editor ($KQ_EDITOR, else $EDITOR, else vi) and save it back.
The object is replaced only if nobody changed it meanwhile: the write carries the
resourceVersion that was read, and a conflict is reported with your copy kept.

Examples:
  kq edit deployment/web
  EDITOR=nano kq edit svc web

Usage: kq edit (TYPE NAME | TYPE/NAME)`,
  options: {},
  run: runEdit,
};

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

async function runEdit(cli: Cli, { positionals }: Parsed): Promise<number> {
  const { kind, name } = oneObject(positionals, 'edit');
  const client = cli.client();
  const original = await client.get(kind.kind, name, nsOf(cli, kind));
  if (!original) throw notFound(kind, name);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kq-edit-'));
  const file = path.join(dir, `${kind.plural}-${name}.yaml`);
  fs.writeFileSync(file, HEADER + (await toYAML(original)));
  const editor = cli.io.env.KQ_EDITOR || cli.io.env.KUBE_EDITOR || cli.io.env.EDITOR || 'vi';
  // Through the shell, so an editor with arguments ("code --wait") works as kubectl's does.
  const result = spawnSync('sh', ['-c', `${editor} "$1"`, 'kq-edit', file], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`there was a problem with the editor "${editor}"`);
  }
  const text = fs.readFileSync(file, 'utf8');
  const kept = () => `A copy of your changes has been stored to "${file}"`;
  if (!text.replace(/^#.*$/gm, '').trim()) {
    fs.rmSync(dir, { recursive: true, force: true });
    cli.out('Edit cancelled, no changes made.');
    return 0;
  }
  let edited: Resource;
  try {
    const doc = YAML.parseDocument(text);
    const error = doc.errors[0];
    if (error) {
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new Error(`yaml: line ${error.linePos?.[0]?.line ?? '?'}: ${message}`);
    }
    edited = doc.toJS() as Resource;
  } catch (error) {
    cli.err(`error: ${(error as Error).message}`);
    cli.err(`error: ${kept()}`);
    return 1;
  }
  if (isDeepStrictEqual(edited, original)) {
    fs.rmSync(dir, { recursive: true, force: true });
    cli.out('Edit cancelled, no changes made.');
    return 0;
  }
  // The version read, whatever the editor did to it: that is what makes the write conflict-safe.
  edited.metadata = { ...edited.metadata, resourceVersion: original.metadata.resourceVersion };
  try {
    await resourceWriter(client).replace(edited);
  } catch (error) {
    cli.err(describeFailure(error, cli.server));
    cli.err(`error: ${kept()}`);
    return 1;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  cli.out(`${objectRef(kind, name)} edited`);
  return 0;
}
