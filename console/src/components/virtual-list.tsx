import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  /** Rows in display order are `rowAt(0 .. count-1)`. */
  count: number;
  rowAt(index: number): T;
  keyOf(row: T): string;
  renderRow(row: T, selected: boolean): JSX.Element;
  selectedKey: string | undefined;
  onSelect(row: T): void;
  label: string;
  rowHeight: number;
  /** Rows added at the top since the last render: the view is kept on the rows the person is reading. */
  addedAtTop: number;
  id: string;
}

const OVERSCAN = 8;

/**
 * A listbox that renders only the rows in view (fixed row height), so it
 * stays fast with tens of thousands of rows. Keyboard: Up/Down/Home/End/
 * PageUp/PageDown move the selection, which the page shows in detail.
 */
export function VirtualList<T>(props: VirtualListProps<T>): JSX.Element {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // New rows on top push the ones being read down: scroll by as much, unless at the very top (following the live edge).
  // The offset is the one the last scroll event reported: reading the element's would force a layout of the new rows here.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element || props.addedAtTop === 0 || scrollTop === 0) return;
    const kept = scrollTop + props.addedAtTop * props.rowHeight;
    element.scrollTop = kept;
    setScrollTop(kept);
  }, [props.addedAtTop, props.count]);

  const first = Math.max(0, Math.floor(scrollTop / props.rowHeight) - OVERSCAN);
  const last = Math.min(props.count, Math.ceil((scrollTop + height) / props.rowHeight) + OVERSCAN);
  const rows: JSX.Element[] = [];
  let activeId: string | undefined;
  for (let index = first; index < last; index++) {
    const row = props.rowAt(index);
    const key = props.keyOf(row);
    const selected = key === props.selectedKey;
    const id = `${props.id}-row-${key}`;
    if (selected) activeId = id;
    rows.push(
      <div
        key={key}
        id={id}
        role="option"
        aria-selected={selected}
        aria-setsize={props.count}
        aria-posinset={index + 1}
        class={`row${selected ? ' selected' : ''}`}
        style={{ top: `${index * props.rowHeight}px`, height: `${props.rowHeight}px` }}
        onClick={() => props.onSelect(row)}
      >
        {props.renderRow(row, selected)}
      </div>,
    );
  }

  const move = (event: KeyboardEvent) => {
    if (props.count === 0) return;
    const current = props.selectedKey === undefined ? -1 : indexOfKey(props, props.selectedKey, first, last);
    const page = Math.max(1, Math.floor(height / props.rowHeight) - 1);
    const target: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: props.count - 1,
      PageDown: current + page,
      PageUp: current - page,
    };
    const next = target[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = Math.min(props.count - 1, Math.max(0, next));
    props.onSelect(props.rowAt(index));
    const element = viewport.current;
    if (!element) return;
    const top = index * props.rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + props.rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + props.rowHeight - element.clientHeight;
    setScrollTop(element.scrollTop);
  };

  return (
    <div
      ref={viewport}
      class="virtual-list"
      role="listbox"
      aria-label={props.label}
      tabIndex={0}
      aria-activedescendant={activeId}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      onKeyDown={move}
    >
      <div class="virtual-list-spacer" style={{ height: `${props.count * props.rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}

/** The selected row's index: looked for among the rendered rows first, then everywhere. */
function indexOfKey<T>(props: VirtualListProps<T>, key: string, first: number, last: number): number {
  for (let index = first; index < last; index++) if (props.keyOf(props.rowAt(index)) === key) return index;
  for (let index = 0; index < props.count; index++) if (props.keyOf(props.rowAt(index)) === key) return index;
  return -1;
}
