import {
  CONFIG_KEYS,
  configPath,
  DEFAULT_CONTEXT,
  readConfigFile,
  writeConfigFile,
  type ConfigKey,
  type KqConfig,
  type KqConfigFile,
} from '../config.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { kubeconfigFor } from '../kubeconfig.ts';
import { toYAML } from '../printers/output.ts';
import { formatTabs, TABLE } from '../tabwriter.ts';
import type { Verb } from './verb.ts';

const options = {
  raw: { type: 'boolean' },
  current: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const config: Verb<typeof options> = {
  usage: `Show or change what kq remembers, in $KQ_CONFIG, else
$XDG_CONFIG_HOME/kubeql/config.json (~/.config/kubeql/config.json): named contexts, as a
kubeconfig's, each a server, a token, a namespace and the cluster CA that an https://
server's certificate must be signed by (base64 of its PEM, as a kubeconfig's
certificate-authority-data), and the current context. \`kq up\` adds one for the cluster
it starts and makes it current. set, unset and set-context --current change the current
context. Flags (--context, --server, --token, --certificate-authority, -n) and the
environment (KQ_CONTEXT, KQ_SERVER, KQ_TOKEN, KQ_NAMESPACE) override the file.
\`kq config kubeconfig\` prints the same cluster as a kubeconfig for kubectl.

Examples:
  kq config set server http://127.0.0.1:8080
  kq config set token "$(cat .kubeql/admin.token)"
  kq config set certificate-authority-data "$(base64 -w0 .kubeql/tls/ca.crt)"
  kq config kubeconfig > kubeconfig && kubectl --kubeconfig kubeconfig get pods
  kq config set-context --current --namespace=staging
  kq config set-context prod --server=https://10.0.0.1:8443 --token=... --namespace=web
  kq config get-contexts
  kq config use-context prod
  kq config view
  kq config unset namespace

Usage: kq config (view [--raw] | set KEY VALUE | unset KEY | get-contexts [-o name] |
  current-context | use-context NAME | set-context (--current | NAME) [--namespace=NS]
  [--server=URL] [--token=TOKEN] | delete-context NAME | current-namespace | path | kubeconfig)`,
  options,
  run: runConfig,
};

const checkKey = (key: string | undefined): ConfigKey => {
  if (!key || !(CONFIG_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown config key "${key ?? ''}": ${CONFIG_KEYS.join(', ')}`);
  }
  return key as ConfigKey;
};

/** A config file's tokens and CAs left out, as `kubectl config view` leaves them out without --raw. */
function redacted(settings: KqConfig): KqConfig {
  return {
    ...settings,
    ...(settings.token ? { token: 'REDACTED' } : {}),
    ...(settings['certificate-authority-data'] ? { 'certificate-authority-data': 'DATA+OMITTED' } : {}),
  };
}

/** `kubectl config get-contexts`, with the server in place of the cluster and user. */
function contextsTable(config: KqConfigFile, names: string[]): string {
  const lines = [['CURRENT', 'NAME', 'SERVER', 'NAMESPACE']];
  for (const name of names) {
    const { server = '', namespace = '' } = config.contexts[name];
    lines.push([name === config['current-context'] ? '*' : '', name, server, namespace]);
  }
  return formatTabs(lines.map((cells) => `${cells.join('\t')}\n`).join(''), TABLE);
}

function mustExist(config: KqConfigFile, name: string | undefined, sub: string): string {
  if (!name) throw new UsageError(`kq config ${sub} needs a context name`);
  if (!Object.hasOwn(config.contexts, name)) throw new Error(`no context exists with the name: "${name}"`);
  return name;
}

async function runConfig(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const file = configPath(cli.io.env);
  const config = readConfigFile(file);
  const current = config['current-context'];
  /** Writes `settings` as the current context, making one when there is none. */
  const saveCurrent = (settings: KqConfig) => {
    const name = current ?? DEFAULT_CONTEXT;
    writeConfigFile(file, { 'current-context': name, contexts: { ...config.contexts, [name]: settings } });
  };
  const saved = (current !== undefined && config.contexts[current]) || {};
  const [sub, ...args] = positionals;
  switch (sub) {
    case 'view': {
      const contexts = Object.fromEntries(
        Object.entries(config.contexts).map(([name, settings]) => [
          name,
          values.raw ? settings : redacted(settings),
        ]),
      );
      const shown = { ...(current !== undefined ? { 'current-context': current } : {}), contexts };
      cli.io.stdout.write(await toYAML(shown));
      return 0;
    }
    case 'set': {
      const key = checkKey(args[0]);
      if (args[1] === undefined) throw new UsageError(`kq config set ${key} needs a value`);
      saveCurrent({ ...saved, [key]: args[1] });
      cli.out(`Property "${key}" set.`);
      return 0;
    }
    case 'unset': {
      const key = checkKey(args[0]);
      const next = { ...saved };
      delete next[key];
      saveCurrent(next);
      cli.out(`Property "${key}" unset.`);
      return 0;
    }
    case 'get-contexts': {
      const names = args.length ? args : Object.keys(config.contexts).sort();
      for (const name of names) mustExist(config, name, sub);
      if (values.output === 'name') cli.io.stdout.write(names.map((name) => `${name}\n`).join(''));
      else if (values.output !== undefined) throw new UsageError(`output must be one of '' or 'name'`);
      else cli.io.stdout.write(contextsTable(config, names));
      return 0;
    }
    case 'current-context':
      if (current === undefined) throw new Error('current-context is not set');
      cli.out(current);
      return 0;
    case 'use-context': {
      const name = mustExist(config, args[0], sub);
      writeConfigFile(file, { ...config, 'current-context': name });
      cli.out(`Switched to context "${name}".`);
      return 0;
    }
    case 'set-context': {
      const changes: KqConfig = {
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
        ...(values.server !== undefined ? { server: values.server } : {}),
        ...(values.token !== undefined ? { token: values.token } : {}),
      };
      if (values.current) {
        saveCurrent({ ...saved, ...changes });
        cli.out(`Context "${current ?? DEFAULT_CONTEXT}" modified.`);
        return 0;
      }
      const name = args[0];
      if (name === undefined) throw new UsageError('set-context needs a context name or --current');
      const existed = Object.hasOwn(config.contexts, name);
      writeConfigFile(file, {
        ...config,
        contexts: { ...config.contexts, [name]: { ...(existed ? config.contexts[name] : {}), ...changes } },
      });
      cli.out(`Context "${name}" ${existed ? 'modified' : 'created'}.`);
      return 0;
    }
    case 'delete-context': {
      const name = mustExist(config, args[0], sub);
      const { [name]: _deleted, ...contexts } = config.contexts;
      const { 'current-context': _current, ...rest } = config;
      writeConfigFile(file, { ...(name === current ? rest : config), contexts });
      if (name === current)
        cli.err(
          `warning: this removed your active context, use "kq config use-context" to select a different one`,
        );
      cli.out(`deleted context ${name} from ${file}`);
      return 0;
    }
    case 'current-namespace':
      cli.out(cli.namespace);
      return 0;
    case 'path':
      cli.out(file);
      return 0;
    case 'kubeconfig': {
      const connection = cli.resolve();
      cli.io.stdout.write(await toYAML(kubeconfigFor(connection, cli.namespace)));
      if (!/^https:/i.test(connection.url))
        cli.err(`warning: kubectl sends no token to ${connection.url}: it needs an https:// server`);
      return 0;
    }
    default:
      throw new UsageError(
        sub
          ? `unknown command "${sub}" for "kq config"`
          : 'kq config needs a subcommand: view, set, unset, get-contexts, current-context, use-context, set-context, delete-context, current-namespace, path, kubeconfig',
      );
  }
}
