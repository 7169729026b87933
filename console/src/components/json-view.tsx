import type { JSX } from 'preact';

/** Data as indented JSON; focusable, since a long value scrolls. */
export function JsonView(props: { value: unknown; label: string }): JSX.Element {
  return (
    <pre class="json" tabIndex={0} aria-label={props.label}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}
