import type { ParseArgsConfig } from 'node:util';
import type { Cli } from '../context.ts';
import type { Parsed } from '../flags.ts';

/** One `kq` verb: its flags, its help text and what it does. Returns its exit code (0 if none). */
export interface Verb {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(cli: Cli, args: Parsed): Promise<number | void>;
}
