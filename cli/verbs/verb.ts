import type { Cli } from '../context.ts';
import type { Options, Parsed } from '../flags.ts';

/**
 * One `kq` verb: its flags, its help text and what it does. Returns its exit code (0 if
 * none). `O` types its flags (`Verb<typeof options>`); the verb table holds plain `Verb`s.
 */
export interface Verb<O extends Options = Options> {
  usage: string;
  options: O;
  run(cli: Cli, args: Parsed<O>): Promise<number | void>;
}
