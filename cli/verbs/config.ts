import { CONFIG_KEYS, configPath, readConfig, writeConfig, type ConfigKey } from '../config.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { kubeconfigFor } from '../kubeconfig.ts';
import { toYAML } from '../printers/output.ts';
import type { Verb } from './verb.ts';

const options = { raw: { type: 'boolean' }, current: { type: 'boolean' } } as const satisfies Options;

export const config: Verb<typeof options> = {
  usage: `Show or change what kq remembers: the server, the token, the current namespace and
the cluster CA that an https:// server's certificate must be signed by (base64 of its PEM,
as a kubeconfig's certificate-authority-data), in $KQ_CONFIG, else
$XDG_CONFIG_HOME/kubeql/config.json (~/.config/kubeql/config.json). Flags (--server,
--token, --certificate-authority, -n) and the environment (KQ_SERVER, KQ_TOKEN,
KQ_NAMESPACE) override the file. \`kq config kubeconfig\` prints the same cluster as a
kubeconfig for kubectl.

Examples:
  kq config set server http://127.0.0.1:8080
  kq config set token "$(cat .kubeql/admin.token)"
  kq config set certificate-authority-data "$(base64 -w0 .kubeql/tls/ca.crt)"
  kq config kubeconfig > kubeconfig && kubectl --kubeconfig kubeconfig get pods
  kq config set-context --current --namespace=staging
  kq config view
  kq config unset namespace

Usage: kq config (view [--raw] | set KEY VALUE | unset KEY | set-context --current --namespace=NS | current-namespace | path | kubeconfig)`,
  options,
  run: runConfig,
};

const checkKey = (key: string | undefined): ConfigKey => {
  if (!key || !(CONFIG_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown config key "${key ?? ''}": ${CONFIG_KEYS.join(', ')}`);
  }
  return key as ConfigKey;
};

async function runConfig(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const file = configPath(cli.io.env);
  const saved = readConfig(file);
  const [sub, ...args] = positionals;
  switch (sub) {
    case 'view': {
      const shown = values.raw
        ? saved
        : {
            ...saved,
            ...(saved.token ? { token: 'REDACTED' } : {}),
            ...(saved['certificate-authority-data'] ? { 'certificate-authority-data': 'DATA+OMITTED' } : {}),
          };
      cli.io.stdout.write(Object.keys(shown).length ? toYAML(shown) : '{}\n');
      return 0;
    }
    case 'set': {
      const key = checkKey(args[0]);
      if (args[1] === undefined) throw new UsageError(`kq config set ${key} needs a value`);
      writeConfig(file, { ...saved, [key]: args[1] });
      cli.out(`Property "${key}" set.`);
      return 0;
    }
    case 'unset': {
      const key = checkKey(args[0]);
      const next = { ...saved };
      delete next[key];
      writeConfig(file, next);
      cli.out(`Property "${key}" unset.`);
      return 0;
    }
    case 'set-context': {
      if (!values.current && args[0] !== 'kubeql')
        throw new UsageError('kq has one context: use kq config set-context --current --namespace=NS');
      if (values.namespace === undefined) throw new UsageError('set-context needs --namespace');
      writeConfig(file, { ...saved, namespace: values.namespace });
      cli.out(`Context "kubeql" modified.`);
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
      cli.io.stdout.write(toYAML(kubeconfigFor(connection, cli.namespace)));
      if (!/^https:/i.test(connection.url))
        cli.err(`warning: kubectl sends no token to ${connection.url}: it needs an https:// server`);
      return 0;
    }
    default:
      throw new UsageError(
        sub
          ? `unknown command "${sub}" for "kq config"`
          : 'kq config needs a subcommand: view, set, unset, set-context, current-namespace, path, kubeconfig',
      );
  }
}
