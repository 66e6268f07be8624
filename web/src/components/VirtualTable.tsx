import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';
import { Link } from '../router.tsx';

export interface Column<T> {
  header: string;
  /** A CSS grid track: '2fr', '90px', 'minmax(120px, 1fr)'. */
  width: string;
  cell(row: T): ReactNode;
}

const ROW_HEIGHT = 36;

/**
 * A table that renders only the rows in view (plus a few), so 1,000 pods cost what 30
 * do. Rows are links when `rowHref` is given. Without `maxHeight` it fills its parent
 * (which must have a height); with it, it grows with its rows up to that height.
 */
export function VirtualTable<T>({
  rows,
  columns,
  rowKey,
  rowHref,
  empty = 'Nothing here.',
  maxHeight,
  label,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  rowHref?(row: T): string;
  empty?: string;
  maxHeight?: number;
  label?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rowKey(rows[index]),
  });
  const template = columns.map((c) => c.width).join(' ');
  const minWidth = `${columns.length * 90}px`;
  const style =
    maxHeight === undefined
      ? { height: '100%' }
      : { maxHeight, height: Math.min(maxHeight, (Math.max(rows.length, 1) + 1) * ROW_HEIGHT + 2) };

  return (
    <div
      className="vtable"
      ref={scroller}
      style={style}
      role="table"
      aria-label={label}
      data-rows={rows.length}
    >
      <div className="vtable-head" role="row" style={{ gridTemplateColumns: template, minWidth }}>
        {columns.map((c) => (
          <div key={c.header} role="columnheader">
            {c.header}
          </div>
        ))}
      </div>
      {rows.length === 0 ? (
        <div className="vtable-empty">{empty}</div>
      ) : (
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            const cells = columns.map((c) => (
              <div key={c.header} role="cell">
                {c.cell(row)}
              </div>
            ));
            const props = {
              className: 'vtable-row',
              role: 'row',
              'data-key': rowKey(row),
              style: {
                gridTemplateColumns: template,
                transform: `translateY(${item.start}px)`,
                height: ROW_HEIGHT,
              },
            };
            const href = rowHref?.(row);
            return href ? (
              <Link key={item.key} href={href} {...props}>
                {cells}
              </Link>
            ) : (
              <div key={item.key} {...props}>
                {cells}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
