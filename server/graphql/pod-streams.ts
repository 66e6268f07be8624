import { execPod, DEFAULT_EXEC_TIMEOUT_SECONDS } from '../tunnel/pod-exec.ts';
import { podLog, streamPodLogs, type PodLogLine } from '../tunnel/pod-logs.ts';
import type { TunnelExecResult } from '../tunnel/messages.ts';
import { streamPodExec, writeExecInput, type ExecEvent } from '../tunnel/pod-exec-session.ts';
import { builder, type ArgsBuilder } from './builder.ts';
import { callerOnly, onKind, requires } from './field-access.ts';

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

const logArgs = (t: ArgsBuilder) => ({
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

builder.subscriptionField('podLogs', (t) =>
  t.field({
    type: PodLogLineRef,
    nullable: false,
    description: `\`kubectl logs [-f]\`: a container's output line by line, from its node's agent. Without \`follow\` it completes after the lines there are; with it, it goes on until the container instance exits. Unsubscribing stops it on the node. ${ERRORS}`,
    args: { ...logArgs(t), follow: t.arg.boolean({ defaultValue: false }) },
    ...onPod('get', 'log'),
    subscribe: (_root, args, ctx) => streamPodLogs(ctx.resources.unguarded(), withNamespace(args)),
    resolve: (item) => {
      if ('error' in item) throw item.error;
      return item;
    },
  }),
);

builder.queryField('podLog', (t) =>
  t.field({
    type: 'String',
    nullable: false,
    description: `\`kubectl logs\`: a container's output as one text, every line ending with a newline. At most 8 MiB: ask for \`tailLines\` or subscribe to \`podLogs\` for more. ${ERRORS}`,
    args: logArgs(t),
    ...onPod('get', 'log'),
    resolve: (_root, args, ctx) => podLog(ctx.resources.unguarded(), withNamespace(args)),
  }),
);

builder.mutationField('execPod', (t) =>
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
    ...onPod('create', 'exec'),
    resolve: (_root, args, ctx) => execPod(ctx.resources.unguarded(), withNamespace(args)),
  }),
);

const ExecEventRef = builder.objectRef<ExecEvent>('ExecEvent').implement({
  description:
    'One event of an interactive exec: first its `session` (the process runs), then pieces of output (`stream` and `data`), last its `exitCode`.',
  fields: (t) => ({
    session: t.id({
      description: 'The id to write stdin with (`execPodInput`): the first event only.',
      resolve: (e) => ('session' in e ? e.session : null),
    }),
    stream: t.field({ type: LogStreamRef, resolve: (e) => ('stream' in e ? e.stream : null) }),
    data: t.string({
      description: 'Output as it came (UTF-8 text; with a TTY, raw terminal output, all on STDOUT).',
      resolve: (e) => ('data' in e ? e.data : null),
    }),
    exitCode: t.int({
      description: 'How the command exited: the last event.',
      resolve: (e) => ('exitCode' in e ? e.exitCode : null),
    }),
  }),
});

builder.subscriptionField('execPodSession', (t) =>
  t.field({
    type: ExecEventRef,
    nullable: false,
    description: `\`kubectl exec -i [-t] <pod> [-c container] -- command...\`: runs the command in the running container and streams its output; write its stdin with \`execPodInput\` under the session id of the first event. Completes after the exit code. Unsubscribing kills the command. Runtimes that only simulate containers fail with BAD_REQUEST. A pod that has completed, or a container that is not running, fails with BAD_REQUEST. ${ERRORS}`,
    args: {
      namespace: t.arg.string({ defaultValue: 'default' }),
      name: t.arg.string({ required: true }),
      container: t.arg.string({ description: 'Required when the pod has several containers.' }),
      command: t.arg.stringList({ required: true }),
      tty: t.arg.boolean({
        defaultValue: false,
        description: 'Run the command in a terminal: its output comes raw, as one stream.',
      }),
    },
    ...onPod('create', 'exec'),
    subscribe: (_root, args, ctx) =>
      streamPodExec(ctx.resources.unguarded(), withNamespace(args), ctx.principal.name),
    resolve: (event) => {
      if ('error' in event) throw event.error;
      return event;
    },
  }),
);

builder.mutationField('execPodInput', (t) =>
  t.field({
    type: 'Boolean',
    nullable: false,
    description:
      "Writes `data` to the standard input of an `execPodSession` (in the order of the calls), then with `close` closes it (end of file). A session that has ended, or another user's, fails with NOT_FOUND.",
    args: {
      session: t.arg.id({ required: true }),
      data: t.arg.string(),
      close: t.arg.boolean({ defaultValue: false }),
    },
    ...callerOnly('writes to a session the caller started, authorized then as `create pods/exec`'),
    resolve: (_root, args, ctx) =>
      writeExecInput(ctx.resources, ctx.principal.name, String(args.session), args),
  }),
);

/**
 * A pod's subresource, as Kubernetes authorizes logs (`get pods/log`) and exec (`create pods/exec`):
 * that alone, so the resolvers read the pod unguarded.
 */
function onPod(verb: string, subresource: string) {
  return requires((args: { namespace?: string | null; name: string }) =>
    onKind('Pod', verb, args.namespace ?? 'default', args.name, subresource),
  );
}

/** An explicit null namespace (a client passing its variable unset) means the default one, as leaving it out does. */
function withNamespace<A extends { namespace?: string | null }>(args: A): A & { namespace: string } {
  return { ...args, namespace: args.namespace ?? 'default' };
}
