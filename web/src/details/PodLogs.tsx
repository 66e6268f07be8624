import { useEffect, useRef, useState } from 'react';
import { messageOf } from '../../../client/errors.ts';
import { subscribe } from '../../../client/typed.ts';
import type { Resource } from '../../../client/types.ts';
import { useApi } from '../api/context.tsx';
import { PodLogsDocument, type PodLogsSubscription } from '../generated/graphql.ts';
import type { Manifest } from '../kinds.ts';

type Line = PodLogsSubscription['podLogs'];

/** What the view keeps: a chatty container must not grow the page without bound. */
const MAX_LINES = 5000;

/**
 * `kubectl logs [-f] [--tail] [-c] [--previous]` over the podLogs subscription. Lines
 * are buffered and shown once per animation frame, however fast they come.
 */
export function PodLogs({ obj }: { obj: Resource }) {
  const pod = obj as Manifest<'Pod'>;
  const { client } = useApi();
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map(
    (c) => c.name,
  );
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [tail, setTail] = useState('200');
  const [lines, setLines] = useState<Line[]>([]);
  const [status, setStatus] = useState<{ state: 'streaming' | 'ended' | 'failed'; message?: string }>({
    state: 'streaming',
  });
  const view = useRef<HTMLPreElement>(null);
  const tailLines = /^\d+$/.test(tail) ? Number(tail) : undefined;
  const { namespace = 'default', name = '' } = pod.metadata;
  // A restart starts a new instance: follow it (the stream of the old one has ended).
  const restarts = pod.status?.containerStatuses?.find((s) => s.name === container)?.restartCount ?? 0;

  useEffect(() => {
    setLines([]);
    setStatus({ state: 'streaming' });
    const stream = subscribe(client, PodLogsDocument, {
      namespace,
      name,
      container,
      follow,
      tailLines,
      previous,
    });
    let buffer: Line[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const arrived = buffer;
      buffer = [];
      setLines((shown) => [...shown, ...arrived].slice(-MAX_LINES));
    };
    let current = true;
    (async () => {
      try {
        for await (const data of stream) {
          buffer.push(data.podLogs);
          if (!frame) frame = requestAnimationFrame(flush);
        }
        if (current) setStatus({ state: 'ended' });
      } catch (error) {
        if (current) setStatus({ state: 'failed', message: messageOf(error) });
      }
    })();
    return () => {
      current = false;
      cancelAnimationFrame(frame);
      void stream.return();
    };
  }, [client, namespace, name, container, follow, tailLines, previous, restarts]);

  // Keep the newest line in view while following, unless the reader scrolled up.
  const pinned = useRef(true);
  useEffect(() => {
    const el = view.current;
    if (el && follow && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  return (
    <div>
      <div className="control logs-controls">
        {containers.length > 1 && (
          <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        )}
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="check">
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious(e.target.checked)} />{' '}
          Previous instance
        </label>
        <label className="check">
          Tail
          <input
            aria-label="Tail lines"
            className="tail"
            value={tail}
            onChange={(e) => setTail(e.target.value)}
            placeholder="all"
          />
        </label>
        <span className="muted">
          {status.state === 'streaming'
            ? follow
              ? 'following…'
              : 'loading…'
            : status.state === 'ended'
              ? 'end of log'
              : ''}
        </span>
      </div>
      {status.state === 'failed' && <p className="error">{status.message}</p>}
      <pre
        className="logs"
        aria-label="Log lines"
        data-lines={lines.length}
        ref={view}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        {lines.length === 0 && (
          <span className="muted">{status.state === 'streaming' ? 'No output yet.' : 'No output.'}</span>
        )}
        {lines.map((line, i) => (
          <div key={i} className={line.stream === 'STDERR' ? 'log-err' : undefined}>
            <span className="log-time">{line.time.slice(11, 23)}</span>
            {line.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
