import tls from 'node:tls';
import { messageOf, type Informer, type Resource } from '../../client/index.ts';
import type { IngressObject } from './routes.ts';

/** As stored: `data` values are base64. */
export type SecretObject = Resource & { type?: string; data?: Record<string, string> };

/**
 * The certificates of the Ingresses a proxy serves, by server name (SNI): each `tls`
 * entry's hosts (a `*.` host matching one label) get the `kubernetes.io/tls` Secret it
 * names in the Ingress' namespace. The oldest Ingress wins a host two of them claim. A
 * name no entry covers, or whose Secret is missing or unreadable, gets no certificate
 * and the handshake fails (ingress-nginx would answer with a self-signed one instead).
 */
export class TlsCertificates {
  private byHost?: Map<string, string>;
  private readonly contexts = new Map<string, { version: string; context: tls.SecureContext }>();

  constructor(
    private readonly secrets: Informer<SecretObject>,
    private readonly ingresses: () => IngressObject[],
    private readonly log: (line: string) => void,
  ) {}

  /** Forgets which Secret serves which host (after any Ingress or Secret change). */
  invalidate(): void {
    this.byHost = undefined;
  }

  contextFor(serverName: string): tls.SecureContext | undefined {
    const hosts = (this.byHost ??= this.hosts());
    const name = serverName.toLowerCase();
    const dot = name.indexOf('.');
    const secretKey = hosts.get(name) ?? (dot > 0 ? hosts.get(`*${name.slice(dot)}`) : undefined);
    return secretKey ? this.context(secretKey) : undefined;
  }

  private hosts(): Map<string, string> {
    const hosts = new Map<string, string>();
    const oldestFirst = [...this.ingresses()].sort((a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
    );
    for (const ingress of oldestFirst) {
      for (const entry of ingress.spec?.tls ?? []) {
        if (!entry.secretName) continue;
        const key = `${ingress.metadata.namespace}/${entry.secretName}`;
        for (const host of entry.hosts ?? [])
          if (!hosts.has(host.toLowerCase())) hosts.set(host.toLowerCase(), key);
      }
    }
    return hosts;
  }

  private context(secretKey: string): tls.SecureContext | undefined {
    const secret = this.secrets.get(secretKey);
    if (!secret?.data?.['tls.crt'] || !secret.data['tls.key']) return undefined;
    const version = secret.metadata.resourceVersion ?? '';
    const cached = this.contexts.get(secretKey);
    if (cached?.version === version) return cached.context;
    try {
      const context = tls.createSecureContext({
        cert: Buffer.from(secret.data['tls.crt'], 'base64'),
        key: Buffer.from(secret.data['tls.key'], 'base64'),
      });
      this.contexts.set(secretKey, { version, context });
      return context;
    } catch (error) {
      this.log(`ingress: secret ${secretKey}: ${messageOf(error)}`);
      return undefined;
    }
  }
}
