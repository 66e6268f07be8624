import path from 'node:path';
import { BatchSink, stdoutWriter } from './batch-sink.ts';
import type { AuditEvent } from './event.ts';
import {
  DEFAULT_POLICY,
  decide,
  loadPolicy,
  type Policy,
  type PolicyAttributes,
  type PolicyDecision,
} from './policy.ts';
import { RotatingFile } from './rotating-file.ts';

/** The audit options, as kube-apiserver's --audit-* flags name them. */
export interface AuditOptions {
  /** An audit.k8s.io/v1 Policy file (YAML or JSON); without one, DEFAULT_POLICY. */
  policyFile?: string;
  /** Where events go: a file, `-` for standard output, '' for nowhere (default: DATA/audit.log). */
  logPath?: string;
  /** Rotate the file past this many bytes (--audit-log-maxsize, in MB; 100 MB by default, 0 never). */
  maxBytes?: number;
  /** Rotated files kept (--audit-log-maxbackup; 0 keeps all). */
  maxBackups?: number;
  /** Events waiting for the disk at most; beyond, new ones are dropped and counted (10 000). */
  maxBuffered?: number;
}

export const AUDIT_LOG_FILE = 'audit.log';
const MB = 1024 * 1024;

/**
 * The audit log of one server: which level the policy gives a request, and the events
 * handed to the batch sink. Requests call it through HttpAudit (REST, plain HTTP) and
 * useAudit (GraphQL's root fields, over HTTP, SSE and WebSocket).
 */
export class Auditor {
  private constructor(
    private readonly policy: Policy,
    private readonly sink: BatchSink | undefined,
  ) {}

  static open(options: AuditOptions | undefined, dataDir: string, log: (line: string) => void): Auditor {
    const policy = options?.policyFile ? loadPolicy(options.policyFile) : DEFAULT_POLICY;
    const target = options?.logPath ?? path.join(dataDir, AUDIT_LOG_FILE);
    if (target === '') return new Auditor(policy, undefined);
    const writer =
      target === '-'
        ? stdoutWriter
        : new RotatingFile(path.resolve(target), {
            maxBytes: options?.maxBytes ?? 100 * MB,
            maxBackups: options?.maxBackups ?? 0,
          });
    return new Auditor(policy, new BatchSink(writer, options?.maxBuffered ?? 10_000, log));
  }

  /** The level of a request, None when there is no log to write to. */
  decide(attrs: PolicyAttributes): PolicyDecision {
    if (!this.sink) return { level: 'None', omitStages: [] };
    return decide(this.policy, attrs);
  }

  /** Hands an event over; writing it happens later, in a batch. */
  record(event: AuditEvent, omitStages: readonly string[]): void {
    if (omitStages.includes(event.stage)) return;
    this.sink?.add(event);
  }

  /** Waits for the events handed over so far to be written. */
  flush(): Promise<void> {
    return this.sink?.flush() ?? Promise.resolve();
  }

  /** kube-apiserver's audit counters, in Prometheus' text format. */
  metrics(): string {
    const { events = 0, errors = 0 } = this.sink?.counters ?? {};
    return [
      '# HELP apiserver_audit_event_total Counter of audit events generated and sent to the audit backend.',
      '# TYPE apiserver_audit_event_total counter',
      `apiserver_audit_event_total ${events}`,
      '# HELP apiserver_audit_error_total Counter of audit events that failed to be audited properly (dropped: buffer full; lost: write failed).',
      '# TYPE apiserver_audit_error_total counter',
      `apiserver_audit_error_total{plugin="log"} ${errors}`,
    ].join('\n');
  }
}
