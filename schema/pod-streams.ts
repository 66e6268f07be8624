import { execPod, DEFAULT_EXEC_TIMEOUT_SECONDS } from '../server/tunnel/pod-exec.ts';
import { podLog, streamPodLogs, type PodLogItem, type PodLogLine } from '../server/tunnel/pod-logs.ts';
import type { TunnelExecResult } from '../server/tunnel/messages.ts';
import { builder, type Context } from './builder.ts';

/** Which of a container's output streams a line came from. */
export const LogStreamRef = builder.enumType('LogStream', {
  description: "Which of a container's output streams a line came from.",
  values: ['STDOUT', 'STDERR'] as const,
});

const PodLogLineRef = builder.objectRef<PodLogLine>('PodLogLine').implement({
  description: 'One line of output of a container.',
  fields: (t) => ({
    container: t.exposeString('container', { nullable: false }),
    stream: t.field({ type: LogStreamRef, nullable: false, resolve: (l) => l.stream }),
    time: t.exposeString('time', {
      nullable: false,
      description: 'When the runtime saw the line: RFC 3339 with nanoseconds (always there).',
    }),
    text: t.exposeString('text', { nullable: false, description: 'The line, without its line break.' }),
    line: t.exposeString('line', {
      nullable: false,
      description:
        'The line as `kubectl logs` prints it: `<time> <text>` when asked for timestamps, else the text.',
    }),
  }),
});

const ExecResultRef = builder.objectRef<TunnelExecResult>('ExecResult').implement({
  description: 'What a command run in a container printed, and how it exited.',
  fields: (t) => ({
    stdout: t.exposeString('stdout', { nullable: false }),
    stderr: t.exposeString('stderr', { nullable: false }),
    exitCode: t.exposeInt('exitCode', {
      nullable: false,
      description: 'Non-zero is a result, not an error (kubectl: "command terminated with exit code N").',
    }),
  }),
});

const logArgs = (t: any) => ({
  namespace: t.arg.string({ defaultValue: 'default' }),
  name: t.arg.string({ required: true }),
  container: t.arg.string({
    description: "Required when the pod has several containers; an init container's name works too.",
  }),
  tailLines: t.arg.int({ description: 'Only the last N lines (before following).' }),
  sinceSeconds: t.arg.int({ description: 'Only the lines of the last N seconds.' }),
  timestamps: t.arg.boolean({
    defaultValue: false,
    description: 'Prefix `line` with the time the line was seen, as kubectl logs --timestamps.',
  }),
  previous: t.arg.boolean({
    defaultValue: false,
    description: 'The output of the instance before the current one (the container restarted).',
  }),
});

const ERRORS =
  'A missing pod fails with NOT_FOUND; a missing or ambiguous container, a pod not yet scheduled, a container that has not started (or no previous instance with `previous`) with BAD_REQUEST, with the messages Kubernetes gives; a node whose agent is not connected (or disconnects) with UNAVAILABLE.';

builder.subscriptionField('podLogs', (t: any) =>
  t.field({
    type: PodLogLineRef,
    nullable: false,
    description: `\`kubectl logs [-f]\`: a container's output line by line, from its node's agent. Without \`follow\` it completes after the lines there are; with it, it goes on until the container instance exits. Unsubscribing stops it on the node. ${ERRORS}`,
    args: { ...logArgs(t), follow: t.arg.boolean({ defaultValue: false }) },
    subscribe: (_root: unknown, args: any, ctx: Context) => streamPodLogs(ctx.resources, withNamespace(args)),
    resolve: (item: PodLogItem) => {
      if ('error' in item) throw item.error;
      return item;
    },
  }),
);

builder.queryField('podLog', (t: any) =>
  t.field({
    type: 'String',
    nullable: false,
    description: `\`kubectl logs\`: a container's output as one text, every line ending with a newline. At most 8 MiB: ask for \`tailLines\` or subscribe to \`podLogs\` for more. ${ERRORS}`,
    args: logArgs(t),
    resolve: (_root: unknown, args: any, ctx: Context) => podLog(ctx.resources, withNamespace(args)),
  }),
);

builder.mutationField('execPod', (t: any) =>
  t.field({
    type: ExecResultRef,
    nullable: false,
    description: `\`kubectl exec <pod> [-c container] -- command...\` without a terminal: runs the command in the running container, with \`stdin\` as its standard input (then closed), and returns its output and exit code once it exits. It is killed after \`timeoutSeconds\` (default ${DEFAULT_EXEC_TIMEOUT_SECONDS}); an agent that does not answer in time fails the call with TIMEOUT. A pod that has completed, or a container that is not running, fails with BAD_REQUEST. ${ERRORS}`,
    args: {
      namespace: t.arg.string({ defaultValue: 'default' }),
      name: t.arg.string({ required: true }),
      container: t.arg.string({ description: 'Required when the pod has several containers.' }),
      command: t.arg.stringList({ required: true }),
      stdin: t.arg.string(),
      timeoutSeconds: t.arg.int(),
    },
    resolve: (_root: unknown, args: any, ctx: Context) => execPod(ctx.resources, withNamespace(args)),
  }),
);

/** An explicit null namespace (a client passing its variable unset) means the default one, as leaving it out does. */
function withNamespace<A extends { namespace?: string | null }>(args: A): A & { namespace: string } {
  return { ...args, namespace: args.namespace ?? 'default' };
}
