import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../schema/columns/age.ts';
import { eventLines } from '../../cli/describe/events.ts';
import { DescribeWriter } from '../../cli/describe/writer.ts';
import type { ContainerStatus, EventObject } from '../../schema/columns/objects.ts';
import { podSummary } from '../../schema/columns/pod-status.ts';
import { jsonpath } from '../../cli/printers/jsonpath.ts';
import { DESCRIBE, formatTabs, TABLE } from '../../cli/tabwriter.ts';
import type { ObjectMeta } from '../../schema/kinds/meta.ts';
import type { Pod, PodSpec, PodStatus } from '../../schema/kinds/pod.ts';

// The pieces of kubectl's output kq reproduces, checked against what kubectl prints.

describe('AGE (duration.HumanDuration)', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 4 * 60_000, '3h4m'],
    [8 * 3600_000, '8h'],
    [47 * 3600_000, '47h'],
    [5 * 86400_000, '5d'],
    [5 * 86400_000 + 3 * 3600_000, '5d3h'],
    [30 * 86400_000, '30d'],
    [3 * 365 * 86400_000 + 10 * 86400_000, '3y10d'],
  ])('%i ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('tabwriter', () => {
  it('pads every column but the last to its widest cell plus padding', () => {
    expect(formatTabs('NAME\tREADY\tAGE\nweb-1\t1/1\t5s\n', TABLE)).toBe(
      'NAME    READY   AGE\nweb-1   1/1     5s\n',
    );
  });

  it('aligns blocks of consecutive lines, as describe needs', () => {
    const text =
      'Name:\tweb\nNamespace:\tdefault\nContainers:\n  app:\n    Image:\tnginx\n    Port:\t80/TCP\n';
    expect(formatTabs(text, DESCRIBE)).toBe(
      'Name:       web\nNamespace:  default\nContainers:\n  app:\n    Image:  nginx\n    Port:   80/TCP\n',
    );
  });
});

describe("describe's Events", () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  const event = (fields: Partial<EventObject>): EventObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e' },
    involvedObject: { kind: 'Pod', name: 'web' },
    type: 'Normal',
    reason: 'Pulled',
    message: 'pulled',
    lastTimestamp: '2024-01-01T00:05:00Z',
    ...fields,
  });

  it('shows in From the source component, else reportingComponent (kubectl: ReportingController), never the host', () => {
    const w = new DescribeWriter();
    eventLines(
      w,
      [
        event({ source: { component: 'kubelet', host: 'node-1' }, reportingComponent: 'other' }),
        event({ reportingComponent: 'kubernetes.io/kubelet', reportingInstance: 'node-1' }),
        event({ source: { component: '' }, reportingComponent: 'default-scheduler' }),
      ],
      now,
    );
    expect(w.toString()).toBe(
      [
        'Events:',
        '  Type    Reason  Age   From                   Message',
        '  ----    ------  ----  ----                   -------',
        '  Normal  Pulled  5m    kubelet                pulled',
        '  Normal  Pulled  5m    kubernetes.io/kubelet  pulled',
        '  Normal  Pulled  5m    default-scheduler      pulled',
        '',
      ].join('\n'),
    );
  });
});

describe('pod STATUS as kubectl derives it', () => {
  // Container statuses name only what the case is about; the rest are filled in.
  type StatusCase = Omit<PodStatus, 'containerStatuses' | 'initContainerStatuses'> & {
    containerStatuses?: Array<Partial<ContainerStatus>>;
    initContainerStatuses?: Array<Partial<ContainerStatus>>;
  };
  const containerStatus = (given: Partial<ContainerStatus>): ContainerStatus => ({
    name: 'a',
    ready: false,
    restartCount: 0,
    image: 'nginx',
    imageID: '',
    ...given,
  });
  const pod = (
    { containerStatuses, initContainerStatuses, ...status }: StatusCase,
    extra: { metadata?: ObjectMeta; spec?: Partial<PodSpec> } = {},
  ): Pod => ({
    metadata: { name: 'p', ...extra.metadata },
    spec: { containers: [{ name: 'a' }], ...extra.spec },
    status: {
      ...status,
      ...(containerStatuses ? { containerStatuses: containerStatuses.map(containerStatus) } : {}),
      ...(initContainerStatuses ? { initContainerStatuses: initContainerStatuses.map(containerStatus) } : {}),
    },
  });
  it.each([
    [pod({ phase: 'Pending' }), '0/1', 'Pending'],
    [
      pod({
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      }),
      '0/1',
      'ContainerCreating',
    ],
    [
      pod({
        phase: 'Running',
        containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
      }),
      '1/1',
      'Running',
    ],
    [
      pod({
        phase: 'Running',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
      '0/1',
      'CrashLoopBackOff',
    ],
    [
      pod({
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
        ],
      }),
      '0/1',
      'ImagePullBackOff',
    ],
    [
      pod({
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'a',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      }),
      '0/1',
      'Completed',
    ],
    [
      pod({
        phase: 'Failed',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } },
        ],
      }),
      '0/1',
      'ExitCode:2',
    ],
    [
      pod(
        { phase: 'Pending', initContainerStatuses: [{ name: 'i', restartCount: 0, state: { running: {} } }] },
        { spec: { initContainers: [{ name: 'i' }] } },
      ),
      '0/1',
      'Init:0/1',
    ],
    [
      pod(
        {
          phase: 'Running',
          containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
        },
        { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } },
      ),
      '1/1',
      'Terminating',
    ],
  ])('%#', (p, ready, status) => {
    const summary = podSummary(p);
    expect([summary.ready, summary.status]).toEqual([ready, status]);
  });

  it('RESTARTS says when the last one was', () => {
    const finishedAt = new Date(Date.now() - 65_000).toISOString();
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'a',
          ready: true,
          restartCount: 3,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt } },
        },
      ],
    });
    expect(podSummary(p).restarts).toBe('3 (65s ago)');
  });
});

describe('jsonpath', () => {
  const list = {
    kind: 'List',
    items: [
      {
        metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'x' } },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      { metadata: { name: 'b' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    ],
  };
  it.each([
    ['{.items[*].metadata.name}', 'a b'],
    ['{.items[0].metadata.name}', 'a'],
    ['{.items[-1].metadata.name}', 'b'],
    ['{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', 'x'],
    ["{.items[0].metadata.labels['app.kubernetes.io/name']}", 'x'],
    [
      '{range .items[*]}{.metadata.name}:{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      'a:True\nb:False\n',
    ],
    ['{..name}', 'a b'],
    ['names: {.items[*].metadata.name}', 'names: a b'],
  ])('%s', (template, out) => expect(jsonpath(template, list)).toBe(out));
});
