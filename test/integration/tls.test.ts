import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, resourceWriter, type KubeqlClient } from '../../client/index.ts';
import { KubeqlError } from '../../client/errors.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.ts';
import { createCertificateAuthority, issueServingCertificate } from '../../server/tls/certificate.ts';
import { servingTls } from '../../server/tls/serving-tls.ts';
import { expectOneLineError, files, kq, kqEnv, kqProcess, kqStream } from '../support/cli.ts';

// The API over TLS: the cluster CA and serving certificate the server makes, clients that
// trust that CA and refuse any other, and a certificate of the user's instead.

const NOT_SIGNED =
  /^cannot trust the server 127\.0\.0\.1:\d+: its certificate is not signed by a certificate authority this client trusts \(unable to verify the first certificate\)$/;

/** A CA that has nothing to do with the cluster's, as a file. */
const otherCa = createCertificateAuthority(new Date(), 1);
const otherCaFile = path.join(files({ 'ca.crt': otherCa.cert }), 'ca.crt');

const started: RunningServer[] = [];
const clients: KubeqlClient[] = [];

async function start(options: Partial<ServerOptions> = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-tls-'));
  const server = await startServer({ port: 0, address: '127.0.0.1', dataDir, log: () => {}, ...options });
  started.push(server);
  return Object.assign(server, { dataDir });
}

function tokenOf(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
}

function client(url: string, token: string, ca?: string): KubeqlClient {
  const made = createClient({ url, token, ca, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
  clients.push(made);
  return made;
}

async function stop(server: RunningServer): Promise<void> {
  started.splice(started.indexOf(server), 1);
  await server.close();
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(started.map((s) => s.close()));
});

/** The host's external IPv4 addresses now. */
const hostAddresses = () =>
  Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);

describe('a server listening beyond loopback', () => {
  let server: RunningServer & { dataDir: string };
  let token: string;
  let addressesAtStart: string[];

  beforeAll(async () => {
    addressesAtStart = hostAddresses();
    server = await start({ address: '0.0.0.0' });
    token = tokenOf(server.dataDir);
  });

  it('serves HTTPS only, with a CA whose key only its owner reads', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(server.ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(fs.readFileSync(path.join(server.dataDir, 'tls', 'ca.crt'), 'utf8')).toBe(server.ca);
    expect(fs.statSync(path.join(server.dataDir, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(server.dataDir, 'tls', 'serving.key')).mode & 0o777).toBe(0o600);
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  });

  it('answers queries over HTTPS and watches over WSS to an SDK that trusts the cluster CA', async () => {
    const api = client(server.url, token, server.ca);
    const watch = api.watch('ConfigMap', { namespace: 'default', fieldSelector: 'metadata.name=over-tls' });
    const seen = (async () => {
      for await (const event of watch) if (event.type === 'ADDED') return event.object.metadata.name;
    })();
    await resourceWriter(api).create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'over-tls', namespace: 'default' },
      data: { a: 'b' },
    });
    expect(await seen).toBe('over-tls');
    const got = await api.get('ConfigMap', 'over-tls');
    expect(got?.metadata.name).toBe('over-tls');
  });

  it("is reached at every address of the host's interfaces: the certificate names them", async () => {
    // Those the host had when the certificate was made: a Docker node's bridge that another
    // test file creates meanwhile is not one the server could have known.
    const addresses = hostAddresses().filter((address) => addressesAtStart.includes(address));
    for (const address of ['127.0.0.1', ...addresses]) {
      const api = client(`https://${address}:${server.port}/graphql`, token, server.ca);
      expect((await api.list('Namespace')).items.length, address).toBeGreaterThan(0);
    }
    const cert = new X509Certificate(fs.readFileSync(path.join(server.dataDir, 'tls', 'serving.crt')));
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost(os.hostname())).toBeTruthy();
    expect(cert.checkIP('::1')).toBe('::1');
  });

  it('is refused by an SDK that trusts another CA, over HTTPS and over WSS, with UNTRUSTED', async () => {
    const api = client(server.url, token, otherCa.cert);
    const query = await api.list('Namespace').catch((error: unknown) => error);
    expect(query).toBeInstanceOf(KubeqlError);
    expect((query as KubeqlError).code).toBe('UNTRUSTED');
    expect((query as KubeqlError).message).toMatch(NOT_SIGNED);
    const watched = await api
      .watch('ConfigMap', { namespace: 'default' })
      .next()
      .catch((error: unknown) => error);
    expect((watched as KubeqlError).code).toBe('UNTRUSTED');
    expect((watched as KubeqlError).message).toMatch(NOT_SIGNED);
    // Without a CA the system's authorities decide, and none of them signed it either.
    const system = await client(server.url, token)
      .list('Namespace')
      .catch((error: unknown) => error);
    expect((system as KubeqlError).code).toBe('UNTRUSTED');
  });
});

describe('kq and a node agent', () => {
  let server: RunningServer & { dataDir: string };
  let target: { url: string; token: string };

  beforeAll(async () => {
    server = await start({ tls: { serve: true } });
    target = { url: server.url, token: tokenOf(server.dataDir) };
  });

  it('kq refuses a server whose certificate the CA did not sign, in one line', async () => {
    const refused = await kqProcess(['get', 'namespaces', '--certificate-authority', otherCaFile], {
      env: kqEnv(target),
    });
    const line = expectOneLineError(refused);
    expect(line.replace(/^Unable to connect to the server: /, '')).toMatch(NOT_SIGNED);
    expect(line).toMatch(/^Unable to connect to the server: /);
  }, 30_000);

  it("kq trusts the CA its config carries, and refuses the server when the config's is another", async () => {
    const home = kqEnv(undefined);
    const config = path.join(home.HOME, 'config.json');
    const write = (ca: string) =>
      fs.writeFileSync(
        config,
        JSON.stringify({
          server: target.url,
          token: target.token,
          'certificate-authority-data': Buffer.from(ca).toString('base64'),
        }),
      );
    const env = { ...home, KQ_CONFIG: config };
    write(server.ca!);
    const ok = await kq(undefined, ['get', 'namespace', 'default'], { env });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^default\s+Active\s/m);
    write(otherCa.cert);
    const refused = await kq(undefined, ['get', 'namespace', 'default'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().replace(/^Unable to connect to the server: /, '')).toMatch(NOT_SIGNED);
  });

  it('an agent refuses a server whose certificate the CA did not sign, and runs against one it did', async () => {
    const connection = ['--server', server.url, '--token', target.token];
    const refused = await kqProcess(
      [
        'agent',
        '--runtime',
        'simulated',
        '--name',
        'refused-1',
        ...connection,
        '--certificate-authority',
        otherCaFile,
      ],
      { env: kqEnv(undefined), timeoutMs: 30_000 },
    );
    expect(expectOneLineError(refused).replace(/^Error: /, '')).toMatch(NOT_SIGNED);

    // Its data directory holds the CA: an agent beside the server finds it there.
    const agent = kqStream(
      ['agent', '--runtime', 'simulated', '--name', 'trusted-1', ...connection, '--data', server.dataDir],
      kqEnv(undefined),
    );
    try {
      await agent.waitFor(/node trusted-1 registered/, 30_000);
    } finally {
      await agent.stop();
    }
    const api = client(server.url, target.token, server.ca);
    expect(await api.get('Node', 'trusted-1')).not.toBeNull();
    expect(await api.get('Node', 'refused-1')).toBeNull();
  }, 60_000);

  it('kq config kubeconfig prints the cluster for kubectl: its root, CA, token and a context', async () => {
    const printed = await kq(
      undefined,
      ['config', 'kubeconfig', '--server', server.url, '--data', server.dataDir],
      {
        env: kqEnv(undefined),
      },
    );
    expect(printed.stderr).toBe('');
    const data = Buffer.from(server.ca!).toString('base64');
    expect(printed.stdout).toContain(`server: https://127.0.0.1:${server.port}\n`);
    expect(printed.stdout).toContain(`certificate-authority-data: ${data}\n`);
    expect(printed.stdout).toContain(`token: ${target.token}\n`);
    expect(printed.stdout).toMatch(/^current-context: kubeql$/m);
  });
});

describe('the serving certificate', () => {
  it('is made again when the names it should carry change; the CA stays, and clients trusting it too', async () => {
    const first = await start({ tls: { serve: true, sans: ['one.example'] } });
    const dir = path.join(first.dataDir, 'tls');
    const read = () => ({
      ca: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
      serving: fs.readFileSync(path.join(dir, 'serving.crt'), 'utf8'),
    });
    const before = read();
    expect(new X509Certificate(before.serving).checkHost('one.example')).toBe('one.example');
    await stop(first);

    const same = await start({ dataDir: first.dataDir, tls: { serve: true, sans: ['one.example'] } });
    expect(read()).toEqual(before);
    await stop(same);

    const renamed = await start({ dataDir: first.dataDir, tls: { serve: true, sans: ['two.example'] } });
    const after = read();
    expect(after.ca).toBe(before.ca);
    expect(after.serving).not.toBe(before.serving);
    const cert = new X509Certificate(after.serving);
    expect(cert.checkHost('two.example')).toBe('two.example');
    expect(cert.checkHost('one.example')).toBeUndefined();
    const api = client(renamed.url, tokenOf(first.dataDir), before.ca);
    expect((await api.list('Namespace')).items.length).toBeGreaterThan(0);
  });

  it('is made again when it nears its end, by the same CA', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-tls-'));
    const now = new Date();
    const first = servingTls(dataDir, { serve: true, address: '127.0.0.1' }, now);
    expect(servingTls(dataDir, { serve: true, address: '127.0.0.1' }, now).cert).toBe(first.cert);
    const later = new Date(now.getTime() + 300 * 24 * 60 * 60 * 1000);
    const renewed = servingTls(dataDir, { serve: true, address: '127.0.0.1' }, later);
    expect(renewed.ca).toBe(first.ca);
    expect(renewed.cert).not.toBe(first.cert);
    const [was, is] = [first.cert, renewed.cert].map((pem) => new X509Certificate(pem));
    expect(Date.parse(is.validTo)).toBeGreaterThan(Date.parse(was.validTo));
    expect(is.checkIssued(new X509Certificate(first.ca!))).toBe(true);
  });

  it("is the user's when given: served as is, with no cluster CA to hand out", async () => {
    const userCa = createCertificateAuthority(new Date(), 30);
    const issued = issueServingCertificate(userCa, ['localhost', '127.0.0.1'], new Date(), 30);
    const dir = files({ 'tls.crt': issued.cert, 'tls.key': issued.key });
    const certFile = path.join(dir, 'tls.crt');
    const keyFile = path.join(dir, 'tls.key');
    const server = await start({ tls: { certFile, keyFile } });
    expect(server.url).toMatch(/^https:/);
    expect(server.ca).toBeUndefined();
    expect(fs.existsSync(path.join(server.dataDir, 'tls'))).toBe(false);
    const presented = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: userCa.cert }, () => {
        resolve(socket.getPeerX509Certificate()!.fingerprint256);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(new X509Certificate(issued.cert).fingerprint256);
    const api = client(server.url, tokenOf(server.dataDir), userCa.cert);
    expect((await api.list('Namespace')).items.length).toBeGreaterThan(0);

    const stranger = createCertificateAuthority(new Date(), 1);
    const wrongKey = path.join(files({ 'other.key': stranger.key }), 'other.key');
    await expect(start({ tls: { certFile, keyFile: wrongKey } })).rejects.toThrow(
      `the key in ${wrongKey} is not the key of the certificate in ${certFile}`,
    );
  });

  it('is not there on loopback unless asked: plain HTTP, as the local cluster serves', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(server.ca).toBeUndefined();
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });
});
