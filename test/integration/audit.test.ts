import { auditServer, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';

// The GraphQL over HTTP spec's conformance audit (graphql-http's auditServer), run
// against the real endpoint. Every request needs the admin token, so the audit's
// fetch adds it.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

function summarize(results: AuditResult[]) {
  const by = (status: AuditResult['status']) => results.filter((r) => r.status === status);
  const failed = results.flatMap((r) =>
    r.status === 'ok' ? [] : [`${r.status} ${r.id} ${r.name}: ${r.reason}`],
  );
  return { ok: by('ok'), warn: by('warn'), error: by('error'), notice: by('notice'), failed };
}

describe('GraphQL over HTTP audit', () => {
  it('passes every MUST and every SHOULD', async () => {
    let requests = 0;
    const fetchFn = (input: RequestInfo | URL, init?: RequestInit) => {
      requests++;
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${cluster.token}`);
      return fetch(input, { ...init, headers });
    };
    const results = await auditServer({ url: cluster.url, fetchFn });
    const { ok, warn, error, notice, failed } = summarize(results);

    console.log(
      `graphql-http audit: ${ok.length} ok, ${warn.length} warnings, ${error.length} errors, ${notice.length} notices` +
        failed.map((line) => `\n  ${line}`).join(''),
    );
    expect(results.length).toBeGreaterThanOrEqual(50);
    expect(requests).toBeGreaterThanOrEqual(results.length);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(0);
    expect(error.map((r) => r.name)).toEqual([]);
    expect(warn.map((r) => r.name)).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('fails without the token: the audit reaches the authenticated endpoint', async () => {
    const results = await auditServer({ url: cluster.url, fetchFn: fetch });
    const { error } = summarize(results);
    expect(error.length).toBeGreaterThan(0);
    for (const result of error) {
      if (result.status !== 'ok') expect(result.response.status, result.name).toBe(401);
    }
  });
});
