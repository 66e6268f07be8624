import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './failure.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that talks to a server accepts, as kubectl's global flags. */
export const GLOBAL_OPTIONS = {
  server: { type: 'string', short: 's' },
  token: { type: 'string' },
  data: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const GLOBAL_USAGE = `Global flags:
  -n, --namespace   namespace (default: $KQ_NAMESPACE, else the config's, else "default")
  -s, --server      API server URL (default: $KQ_SERVER, else the config's)
      --token       bearer token (default: $KQ_TOKEN, else the config's, else --data's admin.token)
      --data        a local server's data directory, for its admin.token (default .kubeql)`;

/**
 * Flags whose value kubectl lets you leave out (`--dry-run` means `--dry-run=client`):
 * node's parser would otherwise take the next word as their value.
 */
const BARE_DEFAULTS: Record<string, string> = {
  '--dry-run': 'client',
  '--cascade': 'background',
};

export interface Parsed {
  values: Record<string, any>;
  positionals: string[];
  /** Everything after `--` (kq exec POD -- CMD). */
  rest: string[];
}

/** Parses a verb's flags (plus the global ones); an unknown flag is a UsageError as kubectl words it. */
export function parseFlags(argv: string[], options: Options): Parsed {
  const split = argv.indexOf('--');
  const all: Options = { ...GLOBAL_OPTIONS, ...options };
  // `--wait=false`: node's parser has no value for a boolean, kubectl's has.
  const explicit: Record<string, boolean> = {};
  const own = (split < 0 ? argv : argv.slice(0, split)).flatMap((arg) => {
    if (Object.hasOwn(BARE_DEFAULTS, arg)) return [`${arg}=${BARE_DEFAULTS[arg]}`];
    // `-o=yaml`, as pflag reads a shorthand with `=`.
    const short = /^-([a-zA-Z])=(.*)$/s.exec(arg);
    if (short) return [`-${short[1]}`, short[2]];
    const bool = /^--([\w-]+)=(true|false)$/.exec(arg);
    if (bool && all[bool[1]]?.type === 'boolean') {
      explicit[bool[1]] = bool[2] === 'true';
      return [];
    }
    return [arg];
  });
  try {
    const { values, positionals } = parseArgs({
      args: own,
      options: all,
      allowPositionals: true,
      strict: true,
    });
    return { values: { ...values, ...explicit }, positionals, rest: split < 0 ? [] : argv.slice(split + 1) };
  } catch (error) {
    throw new UsageError(flagMessage(error));
  }
}

function flagMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return flag.startsWith('--')
      ? `unknown flag: ${flag}`
      : `unknown shorthand flag: '${flag.replace(/^-/, '')}' in ${flag}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--([a-z-]+)/.exec(message)?.[1];
    if (/argument missing/.test(message) && flag) return `flag needs an argument: --${flag}`;
    if (flag)
      return `flag --${flag} ${/does not take/.test(message) ? 'does not take a value' : 'has an invalid value'}`;
  }
  return message.split('\n')[0];
}

/** A flag that may be given several times or comma-separated (--env, --from-literal). */
export function many(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** An integer flag, or a UsageError naming it. */
export function intFlag(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`invalid argument "${value}" for "--${name}" flag`);
  return n;
}
