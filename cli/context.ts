import path from 'node:path';
import { createClient, type KubeqlClient } from '../client/client.ts';
import { colourer } from './color.ts';
import { configPath, readConfig, readConfigFile, type KqConfig } from './config.ts';
import { resolveConnection, type Connection } from './connection.ts';
import { httpFetch } from './http-fetch.ts';
import type { CliIO } from './io.ts';

/**
 * What a verb runs with: its streams, the resolved namespace and a client made on
 * first use (so `kq version` or `--help` work without a server). Precedence, as
 * kubectl's: flags, then environment, then the config file, then defaults.
 */
export class Cli {
  readonly namespace: string;
  readonly colour: ReturnType<typeof colourer>;
  private connection?: Connection;
  private made?: KubeqlClient;
  private http?: ReturnType<typeof httpFetch>;
  private readonly config: KqConfig;

  constructor(
    readonly io: CliIO,
    private readonly flags: {
      server?: string;
      token?: string;
      data?: string;
      namespace?: string;
      'certificate-authority'?: string;
      context?: string;
    },
  ) {
    const file = configPath(io.env);
    const context = flags.context ?? io.env.KQ_CONTEXT;
    if (context !== undefined && !Object.hasOwn(readConfigFile(file).contexts, context)) {
      throw new Error(`context "${context}" does not exist`);
    }
    this.config = readConfig(file, context);
    this.namespace = flags.namespace ?? io.env.KQ_NAMESPACE ?? this.config.namespace ?? 'default';
    this.colour = colourer(io.stdout, io.env);
  }

  /** Whether -n (or KQ_NAMESPACE) named a namespace: objects in a file must then agree. */
  get namespaceExplicit(): boolean {
    return this.flags.namespace !== undefined;
  }

  get server(): string | undefined {
    return this.connection?.url;
  }

  client(): KubeqlClient {
    if (!this.made) {
      const connection = this.resolve();
      this.http = httpFetch(connection.ca);
      this.made = createClient({ ...connection, fetch: this.http.fetch });
    }
    return this.made;
  }

  /** The server, token and CA kq talks with, as flags, environment and config give them. */
  resolve(): Connection {
    const { env } = this.io;
    // An explicit --data names the server's own data directory: its token and CA, not the saved ones.
    const saved = this.flags.data === undefined ? this.config : {};
    this.connection ??= resolveConnection({
      server: this.flags.server ?? env.KQ_SERVER ?? env.KUBEQL_SERVER ?? this.config.server,
      token: this.flags.token ?? env.KQ_TOKEN ?? env.KUBEQL_TOKEN ?? saved.token,
      'certificate-authority': this.flags['certificate-authority'],
      'certificate-authority-data': saved['certificate-authority-data'],
      data: path.resolve(this.io.cwd, this.flags.data ?? '.kubeql'),
    });
    return this.connection;
  }

  out(text = ''): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async close(): Promise<void> {
    await this.made?.close();
    this.http?.close();
  }
}
