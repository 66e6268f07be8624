import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './failure.ts';

/** A verb's flags, as node's parseArgs declares them. */
export type Options = NonNullable<ParseArgsConfig['options']>;
type Option = Options[string];

/** Flags every command that talks to a server accepts, as kubectl's global flags. */
export const GLOBAL_OPTIONS = {
  server: { type: 'string', short: 's' },
  token: { type: 'string' },
  'certificate-authority': { type: 'string' },
  data: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const GLOBAL_USAGE = `Global flags:
  -n, --namespace   namespace (default: $KQ_NAMESPACE, else the config's, else "default")
  -s, --server      API server URL (default: $KQ_SERVER, else the config's)
      --token       bearer token (default: $KQ_TOKEN, else the config's, else --data's admin.token)
      --certificate-authority FILE
                    the cluster CA (PEM) for an https:// server (default: the config's
                    certificate-authority-data, else --data's tls/ca.crt, else the system's)
      --data        a local server's data directory, for its admin.token and CA (default .kubeql)
      --context     the config's context to use (default: $KQ_CONTEXT, else the current one)`;

/**
 * Flags whose value kubectl lets you leave out (`--dry-run` means `--dry-run=client`):
 * node's parser would otherwise take the next word as their value.
 */
const BARE_DEFAULTS: Record<string, string> = {
  '--dry-run': 'client',
  '--cascade': 'background',
};

/** What the parser gives one flag: a string or a boolean, a list of them if it may repeat. */
type FlagScalar<C extends Option> = C extends { type: 'boolean' }
  ? boolean
  : C extends { type: 'string' }
    ? string
    : string | boolean;
type FlagValue<C extends Option> = C extends { multiple: true }
  ? Array<FlagScalar<C>>
  : 'multiple' extends keyof C
    ? C extends { multiple: false }
      ? FlagScalar<C>
      : FlagScalar<C> | Array<FlagScalar<C>>
    : FlagScalar<C>;

/**
 * The flags given, typed by the options declared (`--output` a string, `--watch` a
 * boolean, `--filename` a list); absent ones are undefined. For options not known
 * precisely (plain `Options`), any flag name, valued as node's parser may value it.
 */
export type FlagValues<O extends Options> = { -readonly [K in keyof O]?: FlagValue<O[K]> };

export interface Parsed<O extends Options = Options> {
  values: FlagValues<typeof GLOBAL_OPTIONS> & FlagValues<O>;
  positionals: string[];
  /** Everything after `--` (kq exec POD -- CMD). */
  rest: string[];
}

/** Parses a verb's flags (plus the global ones); an unknown flag is a UsageError as kubectl words it. */
export function parseFlags<O extends Options>(argv: string[], options: O): Parsed<O> {
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
    // Strict parsing gives only the declared flags, each valued as declared; `explicit` adds booleans.
    const given = { ...values, ...explicit } as Parsed<O>['values'];
    return { values: given, positionals, rest: split < 0 ? [] : argv.slice(split + 1) };
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

/** A duration flag ("60s", "5m", "1h" or bare seconds, as kubectl's --timeout) in seconds, or a UsageError naming it. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(s|m|h)?$/.exec(value);
  if (!match) throw new UsageError(`invalid argument "${value}" for "--${name}" flag: use e.g. 30s, 5m`);
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2] as 's'] ?? 1);
}
