import path from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SERVER_FLAGS, serverOptionsFrom } from '../../cmd/server-flags.ts';

// The API server's flags, shared by `kq server` and `kq up`: what each asks of the server.

const parse = (args: string[]) =>
  serverOptionsFrom(parseArgs({ args, options: SERVER_FLAGS, strict: true }).values);

describe('the API server flags', () => {
  it('default to port 8080 on every address, .kubeql, same-origin only, the built-in caps', () => {
    expect(parse([])).toMatchObject({
      port: 8080,
      address: '0.0.0.0',
      dataDir: path.resolve('.kubeql'),
      corsOrigins: undefined,
      connectionLimits: {},
    });
  });

  it('set CORS origins (repeated) and the connection and watch caps', () => {
    const options = parse([
      '--cors-origin=https://a.example.com',
      '--cors-origin',
      'http://localhost:5173',
      '--max-connections=100',
      '--max-connections-per-client=10',
      '--max-watches=1000',
      '--max-watches-per-client=50',
      '--trusted-proxy=10.0.0.1',
      '--trusted-proxy=fd00::1',
    ]);
    expect(options.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(options.connectionLimits).toEqual({
      maxConnections: 100,
      maxConnectionsPerClient: 10,
      maxSubscriptions: 1000,
      maxSubscriptionsPerClient: 50,
      trustedProxies: ['10.0.0.1', 'fd00::1'],
    });
  });

  it('set the Pod Security default of namespaces without labels, and refuse an unknown level', () => {
    expect(parse([]).podSecurityDefault).toBeUndefined();
    expect(parse(['--pod-security-default=enforce=restricted,warn=restricted']).podSecurityDefault).toEqual({
      enforce: { level: 'restricted', version: 'latest' },
      audit: { level: 'privileged', version: 'latest' },
      warn: { level: 'restricted', version: 'latest' },
    });
    expect(() => parse(['--pod-security-default=strict'])).toThrow('invalid pod security default "strict"');
  });

  it('refuse a malformed number naming its flag', () => {
    expect(() => parse(['--max-watches=many'])).toThrow('invalid --max-watches "many"');
    expect(() => parse(['--max-connections=0'])).toThrow('invalid --max-connections "0"');
    expect(() => parse(['--port=70000'])).toThrow('invalid --port "70000"');
    expect(() => parse(['--trusted-proxy=lb.example.com'])).toThrow(
      'invalid --trusted-proxy "lb.example.com"',
    );
  });
});
